/**
 * Cafe24 Admin API records → the analytics model (consumers/sink/mapper.ts contract). Field names follow
 * /work/shared/reference/cafe24-admin-api.md §7; money is parsed from decimal strings or numbers into exact cents,
 * times carry their +09:00 offset (a time without one is KST), ids may come stringified.
 *
 * Entities (the names the Cafe24 connector emits, one RawResult entity each):
 *   orders      list records with `embed=items`   → orders (one row) + order_items (one per item)
 *   products    list or detail records (`embed=variants` gives stock) → products
 *   categories  list records                      → categories
 *   productsales, salesvolume, hourlysales, dailysales, monthlysales → raw_records only. The per-product reports
 *               are per HOUR, product_daily_stats is per day; a day's hours span several chunks, and a mapper
 *               sees one chunk, so a daily row built here would be replaced by a partial one. They stay in
 *               raw_records until the schema has an hourly grain (product_daily_stats.stat_hour or a
 *               product_hourly_stats table).
 *
 * Personal data: the Cafe24 privacy policy (privacy.ts) is applied by the connector before a record is emitted and
 * asserted by the sink before this mapper sees it, so an order comes with `buyer_hash` instead of `member_id`.
 * This mapper takes `buyer_hash` when present, else hashes `member_id` itself (guests: ''); billing name,
 * e-mail, phones, addresses, the `buyer` and `receivers` embeds are never read. `extra` is built from a whitelist,
 * never by copying the record, so a new personal field in the API cannot leak into a typed table.
 *
 * Version columns: orders have no update time in the API (reference §11), so an order's source_updated_at is the
 * fetch time: the newest fetch of an order wins, and a replay of an older fetch never overrides a newer one.
 * Products use `updated_date`; categories have none and use the fetch time as well.
 *
 * Absurd values: a negative or implausibly large quantity, a negative or out-of-range amount, a missing id or
 * order date → the record is rejected (DLQ, reason named). A time outside [2000, fetch + 1 day] (a year 9999) is
 * clamped (required times become the fetch time, optional ones null) and listed in `extra._anomalies`.
 */
import type { FieldTree } from '../../lib/json-fields.js';
import { RecordRejectedError } from '../../lib/model/errors.js';
import type { EntityMapper, PlatformMapper, RecordContext, RecordMapper } from '../../lib/model/mapper.js';
import type { RowWriter } from '../../lib/model/row-buffer.js';
import type { EpochText, OrderItemRow } from '../../lib/model/tables.js';
import {
  Anomalies, asObject, cents, decimalText, epochText, flag, identifier, integer, isObject, nonNegativeCents, optionalTime,
  parseSourceTime, requiredTime, text,
} from '../../lib/model/values.js';

/** More of one line than any shop sells at once; above it the record is taken as corrupt. */
export const MAX_PLAUSIBLE_QUANTITY = 100_000;

/** Order status codes (reference §7.1, on each item) → the shared vocabulary of orders/order_items.status. */
export function itemStatus(code: string): string {
  switch (code) {
    case 'N00': case 'N02': case 'N03': return 'awaiting_payment';
    case 'N01': case 'N10': case 'N20': case 'N21': case 'N22': return 'preparing';
    case 'N30': return 'shipping';
    case 'N40': return 'delivered';
    case 'N50': return 'confirmed';
    case 'C11': case 'R11': case 'E11': return 'claim_rejected';
    case 'C40': case 'C41': case 'C42': case 'C43': case 'C47': case 'C48': case 'C49': return 'cancelled';
    case 'R40': case 'R41': case 'R42': case 'R43': return 'returned';
    case 'E40': case 'E41': case 'E50': case 'E51': return 'exchanged';
    default:
      if (code.startsWith('C')) return 'cancel_requested';
      if (code.startsWith('R')) return 'return_requested';
      if (code.startsWith('E')) return 'exchange_requested';
      return 'unknown';
  }
}

/** Progress of the normal flow, lowest first: an order is as far as its least advanced live item. */
const PROGRESS = ['awaiting_payment', 'preparing', 'claim_rejected', 'shipping', 'delivered', 'confirmed', 'exchanged'];
const CLAIMS_IN_PROGRESS = ['cancel_requested', 'return_requested', 'exchange_requested'];

/** The order's status from its items': a claim in progress shows first; all cancelled/returned ends it. */
export function orderStatus(itemStatuses: readonly string[], paid: unknown, canceled: unknown): string {
  if (itemStatuses.length === 0) return canceled === 'T' ? 'cancelled' : paid === 'T' ? 'preparing' : 'awaiting_payment';
  const claim = CLAIMS_IN_PROGRESS.find((c) => itemStatuses.includes(c));
  if (claim) return claim;
  const live = itemStatuses.filter((s) => s !== 'cancelled' && s !== 'returned');
  if (live.length === 0) return itemStatuses.every((s) => s === 'cancelled') ? 'cancelled' : 'returned';
  let least = PROGRESS.length;
  for (const status of live) least = Math.min(least, PROGRESS.includes(status) ? PROGRESS.indexOf(status) : 0);
  return PROGRESS[least] ?? 'unknown';
}

/** The discount fields of `initial_order_amount` summed into one "coupons, points and other discounts" figure. */
const ORDER_DISCOUNT_FIELDS = [
  'coupon_discount_price', 'coupon_shipping_fee_amount', 'membership_discount_amount', 'shipping_fee_discount_amount',
  'set_product_discount_amount', 'app_discount_amount', 'market_other_discount_amount', 'points_spent_amount',
  'credits_spent_amount',
] as const;
const ITEM_DISCOUNT_FIELDS = ['additional_discount_price', 'coupon_discount_price', 'app_item_discount_amount'] as const;

/** `initial_order_amount` and `actual_order_amount`: the members mapOrder reads of either. */
const AMOUNT_FIELDS = {
  payment_amount: true, order_price_amount: true, shipping_fee: true,
  ...Object.fromEntries(ORDER_DISCOUNT_FIELDS.map((field) => [field, true] as const)),
} as const;

/**
 * The fields each mapper reads, at any depth: the connector parses only these (lib/json-fields.ts), so a field
 * read here must be named here (test/consumers/cafe24/mapping.test.ts watches every read).
 */
const ORDER_FIELDS: FieldTree = {
  order_id: true, shop_no: true, order_date: true, payment_date: true, payment_amount: true, currency: true,
  member_id: true, buyer_hash: true, paid: true, canceled: true, payment_method: true, order_place_id: true,
  market_id: true, order_place_name: true, first_order: true, order_from_mobile: true, shipping_type: true,
  shipping_status: true, exchange_rate: true, cancel_date: true,
  initial_order_amount: AMOUNT_FIELDS, actual_order_amount: AMOUNT_FIELDS,
  items: {
    quantity: true, product_price: true, option_price: true, payment_amount: true, order_status: true,
    order_item_code: true, product_no: true, variant_code: true, product_name: true, option_value: true,
    shipped_date: true, delivered_date: true, purchaseconfirmation_date: true, cancel_date: true, item_no: true,
    product_code: true, status_code: true, claim_type: true, supply_price: true, product_tax_type: true,
    ...Object.fromEntries(ITEM_DISCOUNT_FIELDS.map((field) => [field, true] as const)),
  },
};

const PRODUCT_FIELDS: FieldTree = {
  product_no: true, shop_no: true, updated_date: true, created_date: true, custom_product_code: true,
  product_name: true, price: true, retail_price: true, supply_price: true, selling: true, display: true,
  sold_out: true, product_code: true, product_condition: true, tax_type: true, brand_code: true, model_name: true,
  variants: { use_inventory: true, quantity: true }, category: { category_no: true },
};

const CATEGORY_FIELDS: FieldTree = {
  category_no: true, shop_no: true, parent_category_no: true, full_category_name: true, category_name: true,
  category_depth: true, display_order: true, use_display: true, root_category_no: true, full_category_no: true,
  use_main: true, display_type: true,
};

function sumCents(source: Record<string, unknown>, fields: readonly string[], prefix: string): number {
  let total = 0;
  for (const field of fields) total += nonNegativeCents(source[field], `${prefix}${field}`, 0);
  return total;
}

const shopNoOf = (record: Record<string, unknown>) => integer(record.shop_no, 'shop_no', { min: 1, max: 65_535, fallback: 1 });
const orNull = (value: unknown) => (value === undefined ? null : value);

function mapOrder(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const order = asObject(record, 'order');
  const orderId = identifier(order.order_id, 'order_id');
  const shopNo = shopNoOf(order);
  const anomalies = new Anomalies(ctx.scrubbed);
  const { window } = ctx;
  const orderedAt = epochText(requiredTime(order.order_date, 'order_date', window, anomalies));
  const paidAt = optionalTime(order.payment_date, 'payment_date', window, anomalies);
  const sourceUpdatedAt = ctx.fetchedAt;
  const lineage = { fetched_at: ctx.fetchedAt, request_id: ctx.requestId, kafka_partition: ctx.partition, kafka_offset: ctx.offset };

  const items = order.items === undefined || order.items === null ? [] : order.items;
  if (!Array.isArray(items)) throw new RecordRejectedError('items: expected an array');
  const statuses: string[] = [];
  const codes = new Set<string>();
  const rows: OrderItemRow[] = [];
  let itemsCents = 0;
  for (let i = 0; i < items.length; i++) {
    const row = mapItem(asObject(items[i], `items[${i}]`), i, { orderId, shopNo, orderedAt, paidAt, sourceUpdatedAt, lineage, ctx });
    itemsCents += row.cents;
    statuses.push(row.row.status);
    codes.add(row.row.source_status);
    rows.push(row.row);
  }

  const initial = isObject(order.initial_order_amount) ? order.initial_order_amount : undefined;
  const actual = isObject(order.actual_order_amount) ? order.actual_order_amount : undefined;
  const amounts = initial ?? actual;
  const paymentCents = nonNegativeCents(amounts?.payment_amount ?? order.payment_amount, 'payment_amount', 0);
  const refundCents = initial && actual
    ? Math.max(0, paymentCents - nonNegativeCents(actual.payment_amount, 'actual_order_amount.payment_amount', paymentCents))
    : 0;
  const memberId = typeof order.member_id === 'string' ? order.member_id : '';
  const buyerHash = typeof order.buyer_hash === 'string' ? order.buyer_hash : ctx.hashBuyer(memberId);

  out.push('orders', {
    tenant_id: ctx.tenantId,
    platform: 'cafe24',
    shop_no: shopNo,
    order_id: orderId,
    ordered_at: orderedAt,
    paid_at: paidAt,
    status: orderStatus(statuses, order.paid, order.canceled),
    source_status: [...codes].sort().join(','),
    currency: text(order.currency, 'currency') || 'KRW',
    item_count: rows.length,
    order_amount: decimalText(amounts ? nonNegativeCents(amounts.order_price_amount, 'order_price_amount', itemsCents) : itemsCents),
    discount_amount: decimalText(amounts ? sumCents(amounts, ORDER_DISCOUNT_FIELDS, 'order_amount.') : 0),
    shipping_fee: decimalText(amounts ? nonNegativeCents(amounts.shipping_fee, 'shipping_fee', 0) : 0),
    payment_amount: decimalText(paymentCents),
    refund_amount: decimalText(refundCents),
    payment_method: Array.isArray(order.payment_method) ? order.payment_method.filter((m) => typeof m === 'string').join(',') : text(order.payment_method, 'payment_method'),
    sales_channel: text(order.order_place_id, 'order_place_id'),
    buyer_hash: buyerHash,
    extra: anomalies.extraJson({
      market_id: orNull(order.market_id),
      order_place_name: orNull(order.order_place_name),
      paid: orNull(order.paid),
      canceled: orNull(order.canceled),
      first_order: orNull(order.first_order),
      order_from_mobile: orNull(order.order_from_mobile),
      member_type: buyerHash === '' ? 'guest' : 'member',
      shipping_type: orNull(order.shipping_type),
      shipping_status: orNull(order.shipping_status),
      exchange_rate: orNull(order.exchange_rate),
      cancel_date: orNull(order.cancel_date),
    }),
    source_updated_at: sourceUpdatedAt,
    ...lineage,
  });
  for (const row of rows) out.push('order_items', row);
  return `${shopNo}:${orderId}`;
}

interface OrderFacts {
  orderId: string;
  shopNo: number;
  orderedAt: EpochText;
  paidAt: EpochText | null;
  sourceUpdatedAt: EpochText;
  lineage: Pick<OrderItemRow, 'fetched_at' | 'request_id' | 'kafka_partition' | 'kafka_offset'>;
  ctx: RecordContext;
}

function mapItem(item: Record<string, unknown>, index: number, facts: OrderFacts): { row: OrderItemRow; cents: number } {
  const at = `items[${index}].`;
  const quantity = integer(item.quantity, `${at}quantity`, { min: Number.MIN_SAFE_INTEGER });
  if (quantity < 0) throw new RecordRejectedError(`${at}quantity is negative (${quantity})`);
  if (quantity > MAX_PLAUSIBLE_QUANTITY) throw new RecordRejectedError(`${at}quantity ${quantity} is implausible (> ${MAX_PLAUSIBLE_QUANTITY})`);
  const unitCents = nonNegativeCents(item.product_price, `${at}product_price`) + nonNegativeCents(item.option_price, `${at}option_price`, 0);
  const discountCents = sumCents(item, ITEM_DISCOUNT_FIELDS, at);
  // payment_amount is null unless the shop enabled automatic discount calculation (reference §7.2): derive it.
  const computed = item.payment_amount === null || item.payment_amount === undefined;
  const paymentCents = computed ? Math.max(0, unitCents * quantity - discountCents) : nonNegativeCents(item.payment_amount, `${at}payment_amount`);
  const code = text(item.order_status, `${at}order_status`);
  const anomalies = new Anomalies(facts.ctx.scrubbed);
  const { window } = facts.ctx;
  return {
    cents: unitCents * quantity,
    row: {
      tenant_id: facts.ctx.tenantId,
      platform: 'cafe24',
      shop_no: facts.shopNo,
      order_id: facts.orderId,
      item_id: identifier(item.order_item_code, `${at}order_item_code`),
      ordered_at: facts.orderedAt,
      product_id: identifier(item.product_no, `${at}product_no`),
      variant_id: text(item.variant_code, `${at}variant_code`),
      product_name: text(item.product_name, `${at}product_name`),
      option_name: text(item.option_value, `${at}option_value`),
      quantity,
      unit_price: decimalText(unitCents),
      discount_amount: decimalText(discountCents),
      payment_amount: decimalText(paymentCents),
      status: itemStatus(code),
      source_status: code,
      paid_at: facts.paidAt,
      shipped_at: optionalTime(item.shipped_date, `${at}shipped_date`, window, anomalies),
      delivered_at: optionalTime(item.delivered_date, `${at}delivered_date`, window, anomalies),
      confirmed_at: optionalTime(item.purchaseconfirmation_date, `${at}purchaseconfirmation_date`, window, anomalies),
      cancelled_at: optionalTime(item.cancel_date, `${at}cancel_date`, window, anomalies),
      delivery_type: '',
      extra: anomalies.extraJson({
        item_no: orNull(item.item_no),
        product_code: orNull(item.product_code),
        status_code: orNull(item.status_code),
        claim_type: orNull(item.claim_type),
        supply_price: orNull(item.supply_price),
        product_tax_type: orNull(item.product_tax_type),
        ...(computed ? { payment_amount_derived: true } : {}),
      }),
      source_updated_at: facts.sourceUpdatedAt,
      ...facts.lineage,
    },
  };
}

function mapProduct(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const product = asObject(record, 'product');
  const productId = identifier(product.product_no, 'product_no');
  const shopNo = shopNoOf(product);
  const anomalies = new Anomalies(ctx.scrubbed);
  const updatedMs = parseSourceTime(product.updated_date, 'updated_date');
  const sourceUpdatedAt = updatedMs === null ? ctx.fetchedAt : epochText(requiredTime(product.updated_date, 'updated_date', ctx.window, anomalies));
  const variants = Array.isArray(product.variants) ? product.variants.filter(isObject) : undefined;
  const stocked = variants?.filter((v) => v.use_inventory !== 'F');
  const categories = Array.isArray(product.category) ? product.category.filter(isObject) : [];
  const selling = flag(product.selling, 1);
  const displayed = flag(product.display, 1);
  out.push('products', {
    tenant_id: ctx.tenantId,
    platform: 'cafe24',
    shop_no: shopNo,
    product_id: productId,
    product_code: text(product.custom_product_code, 'custom_product_code'),
    name: text(product.product_name, 'product_name'),
    category_id: categories[0] ? identifier(categories[0].category_no, 'category[0].category_no') : '',
    price: decimalText(nonNegativeCents(product.price, 'price')),
    list_price: product.retail_price === undefined || product.retail_price === null ? null : decimalText(nonNegativeCents(product.retail_price, 'retail_price')),
    supply_price: product.supply_price === undefined || product.supply_price === null ? null : decimalText(nonNegativeCents(product.supply_price, 'supply_price')),
    status: selling === 0 ? 'stopped' : displayed === 0 ? 'hidden' : flag(product.sold_out, 0) === 1 ? 'sold_out' : 'on_sale',
    is_displayed: displayed,
    stock_quantity: stocked && stocked.length > 0
      ? stocked.reduce((sum, v, i) => sum + integer(v.quantity, `variants[${i}].quantity`, { min: Number.MIN_SAFE_INTEGER, fallback: 0 }), 0)
      : null,
    created_at: optionalTime(product.created_date, 'created_date', ctx.window, anomalies),
    extra: anomalies.extraJson({
      product_code: orNull(product.product_code),
      selling: orNull(product.selling),
      sold_out: orNull(product.sold_out),
      product_condition: orNull(product.product_condition),
      tax_type: orNull(product.tax_type),
      brand_code: orNull(product.brand_code),
      model_name: orNull(product.model_name),
      variants: variants?.length ?? null,
    }),
    source_updated_at: sourceUpdatedAt,
    fetched_at: ctx.fetchedAt,
    request_id: ctx.requestId,
    kafka_partition: ctx.partition,
    kafka_offset: ctx.offset,
  });
  return `${shopNo}:${productId}`;
}

function mapCategory(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const category = asObject(record, 'category');
  const categoryId = identifier(category.category_no, 'category_no');
  const shopNo = shopNoOf(category);
  const parent = category.parent_category_no;
  const names = isObject(category.full_category_name) ? category.full_category_name : {};
  const path: string[] = [];
  for (const depth of ['1', '2', '3', '4']) if (typeof names[depth] === 'string') path.push(names[depth] as string);
  out.push('categories', {
    tenant_id: ctx.tenantId,
    platform: 'cafe24',
    shop_no: shopNo,
    category_id: categoryId,
    // parent_category_no 1 is Cafe24's root: a top-level category.
    parent_id: parent === undefined || parent === null || parent === 1 || parent === '1' ? '' : identifier(parent, 'parent_category_no'),
    name: text(category.category_name, 'category_name'),
    depth: integer(category.category_depth, 'category_depth', { min: 1, max: 255, fallback: 1 }),
    path,
    display_order: integer(category.display_order, 'display_order', { min: -2_147_483_648, max: 2_147_483_647, fallback: 0 }),
    is_displayed: flag(category.use_display, 1),
    extra: JSON.stringify({
      root_category_no: orNull(category.root_category_no),
      full_category_no: orNull(category.full_category_no),
      use_main: orNull(category.use_main),
      display_type: orNull(category.display_type),
    }),
    source_updated_at: ctx.fetchedAt,
    fetched_at: ctx.fetchedAt,
    request_id: ctx.requestId,
    kafka_partition: ctx.partition,
    kafka_offset: ctx.offset,
  });
  return `${shopNo}:${categoryId}`;
}

/** A report row kept in raw_records only (see the file comment); its id is its grain. */
function reportRow(...keys: readonly string[]): EntityMapper {
  const map: RecordMapper = (record) => {
    const row = asObject(record, 'report row');
    const parts = [String(shopNoOf(row))];
    for (const key of keys) {
      const value = row[key];
      if (value === undefined || value === null || value === '') throw new RecordRejectedError(`${key} is missing`);
      parts.push(String(value));
    }
    return parts.join(':');
  };
  return { map };
}

export const cafe24Mapper: PlatformMapper = {
  platform: 'cafe24',
  version: 1,
  entities: {
    orders: { map: mapOrder, reads: ORDER_FIELDS },
    products: { map: mapProduct, reads: PRODUCT_FIELDS },
    categories: { map: mapCategory, reads: CATEGORY_FIELDS },
    productsales: reportRow('collection_date', 'collection_hour', 'product_no', 'variants_code'),
    salesvolume: reportRow('collection_date', 'collection_hour', 'product_no', 'variants_code'),
    hourlysales: reportRow('collection_date', 'collection_hour'),
    dailysales: reportRow('date'),
    monthlysales: reportRow('month'),
  },
};
