/**
 * The column types of every table a platform mapper writes, spelled as ClickHouse's system.columns spells them
 * (test/lib/model/columns.test.ts runs the migrations on the embedded engine and compares: a migration that changes
 * a type, or adds a column without a DEFAULT, fails there until this file says the same).
 *
 * Why the model declares them: a platform consumer encodes the rows it maps at the edge as RowBinary under these
 * types (edge-rows.ts), and the sink inserts those bytes as they are, beside the rows it mapped itself, encoded by
 * the same plan. Each table lists all its mapper-written columns (its row interface in tables.ts, which the type
 * below checks) in table order; a cell a row leaves out is sent as NULL, the column's DEFAULT, as on every other
 * insert. The lineage's kafka_partition and kafka_offset are the last two columns of every table, so every row
 * ends in their fixed-width cells and the sink can write a message's position into rows encoded before it had one.
 */
import { createHash } from 'node:crypto';
import { planRowBinary, type RowBinaryPlan } from '../warehouse/row-binary.js';
import { TABLES, type TableName, type TableRowMap } from './tables.js';

/** Tables a platform mapper writes: not raw_records (the sink's row of every record) nor the run tables. */
export type MappedTable = Exclude<TableName, 'raw_records' | 'sync_runs' | 'freshness'>;

type ColumnTypes<Row> = { readonly [Column in keyof Required<Row>]: string };

export const MAPPED_COLUMNS = {
  orders: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    order_id: 'String',
    ordered_at: "DateTime64(3, 'Asia/Seoul')",
    paid_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    status: 'LowCardinality(String)',
    source_status: 'LowCardinality(String)',
    currency: 'LowCardinality(String)',
    item_count: 'UInt32',
    order_amount: 'Decimal(18, 2)',
    discount_amount: 'Decimal(18, 2)',
    shipping_fee: 'Decimal(18, 2)',
    payment_amount: 'Decimal(18, 2)',
    refund_amount: 'Decimal(18, 2)',
    payment_method: 'LowCardinality(String)',
    sales_channel: 'LowCardinality(String)',
    buyer_hash: 'String',
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  order_items: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    order_id: 'String',
    item_id: 'String',
    ordered_at: "DateTime64(3, 'Asia/Seoul')",
    product_id: 'String',
    variant_id: 'String',
    product_name: 'String',
    option_name: 'String',
    quantity: 'UInt32',
    unit_price: 'Decimal(18, 2)',
    discount_amount: 'Decimal(18, 2)',
    payment_amount: 'Decimal(18, 2)',
    status: 'LowCardinality(String)',
    source_status: 'LowCardinality(String)',
    paid_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    shipped_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    delivered_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    confirmed_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    cancelled_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    delivery_type: 'LowCardinality(String)',
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  products: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    product_id: 'String',
    product_code: 'String',
    name: 'String',
    category_id: 'String',
    currency: 'LowCardinality(String)',
    price: 'Decimal(18, 2)',
    list_price: 'Nullable(Decimal(18, 2))',
    supply_price: 'Nullable(Decimal(18, 2))',
    status: 'LowCardinality(String)',
    is_displayed: 'UInt8',
    stock_quantity: 'Nullable(Int64)',
    created_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  categories: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    category_id: 'String',
    parent_id: 'String',
    name: 'String',
    depth: 'UInt8',
    path: 'Array(String)',
    display_order: 'Int32',
    is_displayed: 'UInt8',
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  settlements: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    settlement_id: 'String',
    period_start: 'Date',
    period_end: 'Date',
    scheduled_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    paid_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    status: 'LowCardinality(String)',
    currency: 'LowCardinality(String)',
    order_count: 'UInt32',
    sales_amount: 'Decimal(18, 2)',
    commission_amount: 'Decimal(18, 2)',
    payment_fee: 'Decimal(18, 2)',
    deduction_amount: 'Decimal(18, 2)',
    adjustment_amount: 'Decimal(18, 2)',
    settlement_amount: 'Decimal(18, 2)',
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  product_daily_stats: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    stat_date: 'Date',
    shop_no: 'UInt16',
    product_id: 'String',
    variant_id: 'String',
    order_count: 'UInt64',
    sold_quantity: 'UInt64',
    sales_amount: 'Decimal(18, 2)',
    view_count: 'Nullable(UInt64)',
    cart_count: 'Nullable(UInt64)',
    like_count: 'Nullable(UInt64)',
    cancel_count: 'Nullable(UInt64)',
    return_count: 'Nullable(UInt64)',
    exchange_count: 'Nullable(UInt64)',
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  order_claims: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    claim_id: 'String',
    item_id: 'String',
    order_id: 'String',
    claim_type: 'LowCardinality(String)',
    status: 'LowCardinality(String)',
    source_status: 'LowCardinality(String)',
    requested_at: "DateTime64(3, 'Asia/Seoul')",
    completed_at: "Nullable(DateTime64(3, 'Asia/Seoul'))",
    product_id: 'String',
    product_name: 'String',
    option_name: 'String',
    quantity: 'UInt32',
    refund_amount: 'Decimal(18, 2)',
    return_shipping_fee: 'Decimal(18, 2)',
    reason: 'String',
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
  reviews: {
    tenant_id: 'String',
    platform: 'LowCardinality(String)',
    shop_no: 'UInt16',
    review_id: 'String',
    product_id: 'String',
    product_name: 'String',
    item_id: 'String',
    rating: 'Nullable(UInt8)',
    satisfaction: 'LowCardinality(String)',
    status: 'LowCardinality(String)',
    content: 'String',
    image_count: 'UInt16',
    has_reply: 'UInt8',
    created_at: "DateTime64(3, 'Asia/Seoul')",
    extra: 'String',
    source_updated_at: "DateTime64(3, 'Asia/Seoul')",
    fetched_at: "DateTime64(3, 'UTC')",
    request_id: 'String',
    kafka_partition: 'UInt32',
    kafka_offset: 'UInt64',
  },
} as const satisfies { readonly [Table in MappedTable]: ColumnTypes<TableRowMap[Table]> };

export const MAPPED_TABLES: readonly MappedTable[] = TABLES.filter((t): t is MappedTable => Object.hasOwn(MAPPED_COLUMNS, t));

export function isMappedTable(table: string): table is MappedTable {
  return Object.hasOwn(MAPPED_COLUMNS, table);
}

/** The columns every row ends with, fixed-width (Nullable(UInt32), Nullable(UInt64) in the plan: 5 + 9 bytes). */
export const POSITION_COLUMNS = ['kafka_partition', 'kafka_offset'] as const;

const PLANS = new Map<MappedTable, RowBinaryPlan>(
  MAPPED_TABLES.map((table) => {
    const types = new Map(Object.entries(MAPPED_COLUMNS[table]));
    const columns = [...types.keys()];
    const plan = planRowBinary(columns, types);
    if (!plan || columns.slice(-2).join() !== POSITION_COLUMNS.join() || types.get('kafka_partition') !== 'UInt32' || types.get('kafka_offset') !== 'UInt64') {
      throw new Error(`columns.ts: ${table} must end in kafka_partition UInt32, kafka_offset UInt64, all of binary types`);
    }
    return [table, plan];
  }),
);

/** The RowBinary plan of a mapped table: every column above, in order (one plan per table and process). */
export function mappedTablePlan(table: MappedTable): RowBinaryPlan {
  return PLANS.get(table) as RowBinaryPlan;
}

/**
 * 8 bytes naming the declared structures of all mapped tables: an edge header written under other types (another
 * release's) is not taken as it is.
 */
export const COLUMNS_FINGERPRINT: Buffer = createHash('sha256')
  .update(MAPPED_TABLES.map((t) => `${t}(${mappedTablePlan(t).structure})`).join('\n'))
  .digest()
  .subarray(0, 8);
