/**
 * The rows the sink writes, one interface per table of lib/warehouse/schema/*.sql (column names and meaning are
 * documented there). Columns with a DEFAULT the sink never sets (ingested_at, is_deleted, …) and MATERIALIZED
 * columns (version) are left out.
 *
 * Cell conventions, chosen for exactness and insert speed:
 *   - EpochText: DateTime64 cells as Unix seconds with milliseconds, "1736467964.123". The engine reads it as an
 *     instant whatever the column's zone (parsed with date_time_input_format=best_effort, which both warehouse
 *     adapters set), and it parses faster than an ISO string with an offset.
 *   - DecimalText: Decimal cells as decimal strings ("39500.00"), never floats.
 *   - DateText: Date cells as "YYYY-MM-DD" (a KST calendar day).
 */
export type EpochText = string;
export type DecimalText = string;
export type DateText = string;

/** Where a row came from: the fetch and the Kafka position of its RawResult (lineage, and part of `version`). */
export interface Lineage {
  fetched_at: EpochText;
  request_id: string;
  kafka_partition: number;
  kafka_offset: number;
}

export interface RawRecordRow {
  tenant_id: string;
  platform: string;
  entity: string;
  source_id: string;
  fetched_at: EpochText;
  request_id: string;
  chunk: number;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: number;
  /**
   * The record's JSON as it arrived in its RawResult (scrubbed at the connector): UTF-8 bytes sliced from the
   * Kafka message, so neither a decode nor a second serialisation happens on the way to the engine.
   */
  payload: Uint8Array;
}

export interface OrderRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  order_id: string;
  ordered_at: EpochText;
  paid_at: EpochText | null;
  status: string;
  source_status: string;
  currency: string;
  item_count: number;
  order_amount: DecimalText;
  discount_amount: DecimalText;
  shipping_fee: DecimalText;
  payment_amount: DecimalText;
  refund_amount: DecimalText;
  payment_method: string;
  sales_channel: string;
  buyer_hash: string;
  extra: string;
  source_updated_at: EpochText;
}

export interface OrderItemRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  order_id: string;
  item_id: string;
  ordered_at: EpochText;
  product_id: string;
  variant_id: string;
  product_name: string;
  option_name: string;
  quantity: number;
  unit_price: DecimalText;
  discount_amount: DecimalText;
  payment_amount: DecimalText;
  status: string;
  source_status: string;
  paid_at: EpochText | null;
  shipped_at: EpochText | null;
  delivered_at: EpochText | null;
  confirmed_at: EpochText | null;
  cancelled_at: EpochText | null;
  delivery_type: string;
  extra: string;
  source_updated_at: EpochText;
}

export interface ProductRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  product_id: string;
  product_code: string;
  name: string;
  category_id: string;
  currency?: string;
  price: DecimalText;
  list_price: DecimalText | null;
  supply_price: DecimalText | null;
  status: string;
  is_displayed: number;
  stock_quantity: number | null;
  created_at: EpochText | null;
  extra: string;
  source_updated_at: EpochText;
}

export interface CategoryRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  category_id: string;
  parent_id: string;
  name: string;
  depth: number;
  path: string[];
  display_order: number;
  is_displayed: number;
  extra: string;
  source_updated_at: EpochText;
}

export interface SettlementRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  settlement_id: string;
  period_start: DateText;
  period_end: DateText;
  scheduled_at: EpochText | null;
  paid_at: EpochText | null;
  status: string;
  currency: string;
  order_count: number;
  sales_amount: DecimalText;
  commission_amount: DecimalText;
  payment_fee: DecimalText;
  deduction_amount: DecimalText;
  adjustment_amount: DecimalText;
  settlement_amount: DecimalText;
  extra: string;
  source_updated_at: EpochText;
}

export interface ProductDailyStatRow extends Lineage {
  tenant_id: string;
  platform: string;
  stat_date: DateText;
  shop_no: number;
  product_id: string;
  variant_id: string;
  order_count: number;
  sold_quantity: number;
  sales_amount: DecimalText;
  view_count: number | null;
  cart_count: number | null;
  like_count: number | null;
  cancel_count: number | null;
  return_count: number | null;
  exchange_count: number | null;
  extra: string;
  source_updated_at: EpochText;
}

export interface OrderClaimRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  claim_id: string;
  item_id: string;
  order_id: string;
  claim_type: string;
  status: string;
  source_status: string;
  requested_at: EpochText;
  completed_at: EpochText | null;
  product_id: string;
  product_name: string;
  option_name: string;
  quantity: number;
  refund_amount: DecimalText;
  return_shipping_fee: DecimalText;
  reason: string;
  extra: string;
  source_updated_at: EpochText;
}

export interface ReviewRow extends Lineage {
  tenant_id: string;
  platform: string;
  shop_no: number;
  review_id: string;
  product_id: string;
  product_name: string;
  item_id: string;
  rating: number | null;
  satisfaction: string;
  status: string;
  content: string;
  image_count: number;
  has_reply: number;
  created_at: EpochText;
  extra: string;
  source_updated_at: EpochText;
}

export interface SyncRunRow {
  tenant_id: string;
  platform: string;
  /** paid, free; '' when the run event predates tiers on runs. */
  tier: string;
  request_id: string;
  attempt: number;
  status: string;
  started_at: EpochText;
  duration_ms: number;
  counts: Record<string, number>;
  data_as_of: Record<string, EpochText>;
  error_class: string;
  error_message: string;
  warnings: string[];
  kafka_partition: number;
  kafka_offset: number;
}

export interface FreshnessRow {
  tenant_id: string;
  platform: string;
  tier: string;
  entity: string;
  as_of: EpochText;
  request_id: string;
}

export interface TableRowMap {
  raw_records: RawRecordRow;
  orders: OrderRow;
  order_items: OrderItemRow;
  products: ProductRow;
  categories: CategoryRow;
  settlements: SettlementRow;
  product_daily_stats: ProductDailyStatRow;
  order_claims: OrderClaimRow;
  reviews: ReviewRow;
  sync_runs: SyncRunRow;
  freshness: FreshnessRow;
}

export type TableName = keyof TableRowMap;

/** Every table the sink writes, in the order a batch inserts them (fixed, so a re-formed batch repeats it). */
export const TABLES: readonly TableName[] = [
  'raw_records', 'orders', 'order_items', 'products', 'categories', 'settlements', 'product_daily_stats', 'order_claims', 'reviews',
  'sync_runs', 'freshness',
];

export const TABLE_INDEX: Readonly<Record<TableName, number>> = Object.fromEntries(TABLES.map((t, i) => [t, i])) as Record<TableName, number>;
