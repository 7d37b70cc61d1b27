/**
 * Ably seller-center records → the analytics model (lib/model/mapper.ts contract), so a seller reads Ably and
 * Cafe24 side by side. Field names follow reference/ably-seller-center.md a.3/b.4; times are KST wall-clock text
 * ("YYYY-MM-DD HH:MM:SS"); money comes as numbers or digit strings (parsed to exact cents).
 *
 * Orders. The API lists order LINES (`/seller/order_items/`, one `sno` per product order) and an order's lines
 * may sit on different pages. A header built per line would be wrong (one line's amounts) and a header built per
 * page would be replaced by a partial one, so the connector (connector.ts) groups the lines of a whole
 * `ordered_at` window by `order_sno` (an order's lines share its order time, so they share a window) and emits one
 * `orders` record per order: `{ order_sno, ordered_at, buyer_hash, order_items: [lines] }`. This mapper writes the
 * order's `orders` row from all its lines and one `order_items` row per line. Every fetch re-emits whole orders,
 * and ReplacingMergeTree keeps the newest fetch (orders have no update time: source_updated_at = fetch time).
 *
 * Other entities (mapping-catalog.ts): order_cancels → order_claims, goods → products, goods_option_stats →
 * product_daily_stats, balance_accounts → settlements, reviews → reviews. `extra` is built from a whitelist, never
 * by copying the record, so a new personal field in the API cannot leak into a typed table.
 */
import { RecordRejectedError } from '../../lib/model/errors.js';
import type { PlatformMapper, RecordContext } from '../../lib/model/mapper.js';
import type { RowWriter } from '../../lib/model/row-buffer.js';
import type { OrderItemRow } from '../../lib/model/tables.js';
import {
  Anomalies, asObject, decimalText, epochText, identifier, integer, nonNegativeCents, optionalTime, requiredTime, text,
} from '../../lib/model/values.js';
import { mapBalanceAccount, mapCancel, mapGoods, mapOptionStats, mapReview } from './mapping-catalog.js';

export const MAX_PLAUSIBLE_QUANTITY = 100_000;

/** Ably's order-line status (b.4; numeric processing_status where the text is absent) → the shared vocabulary. */
export function ablyStatus(status: unknown, processingStatus?: unknown): string {
  const named = typeof status === 'string' ? status.toUpperCase() : '';
  switch (named || String(processingStatus ?? '')) {
    case 'PAID': case '1': return 'paid';
    case 'PREPARING': case '2': return 'preparing';
    case 'SHIPPING': case '3': return 'shipping';
    case 'DELIVERED': case '4': return 'delivered';
    case 'CONFIRMED': case '5': return 'confirmed';
    case 'CANCELLED': case 'CANCELED': case '6': return 'cancelled';
    case 'RETURNED': case '7': return 'returned';
    case 'EXCHANGED': case '8': return 'exchanged';
    case 'CANCEL_REQUESTED': return 'cancel_requested';
    case 'RETURN_REQUESTED': return 'return_requested';
    case 'EXCHANGE_REQUESTED': return 'exchange_requested';
    default: return 'unknown';
  }
}

const FLOW = ['paid', 'preparing', 'shipping', 'delivered', 'confirmed', 'exchanged'];
const CLAIMS = ['cancel_requested', 'return_requested', 'exchange_requested'];

/** An order is as far as its least advanced live line; a claim in progress shows first; all ended ends it. */
export function orderStatusOf(statuses: readonly string[]): string {
  const claim = CLAIMS.find((c) => statuses.includes(c));
  if (claim) return claim;
  const live = statuses.filter((s) => s !== 'cancelled' && s !== 'returned');
  if (live.length === 0) return statuses.every((s) => s === 'cancelled') ? 'cancelled' : 'returned';
  let least = FLOW.length - 1;
  for (const status of live) least = Math.min(least, Math.max(0, FLOW.indexOf(status)));
  return FLOW[least] ?? 'unknown';
}

const lineageOf = (ctx: RecordContext) => ({ fetched_at: ctx.fetchedAt, request_id: ctx.requestId, kafka_partition: ctx.partition, kafka_offset: ctx.offset });
const orNull = (value: unknown) => (value === undefined ? null : value);

interface Line {
  row: OrderItemRow;
  grossCents: number;
  discountCents: number;
  paidCents: number;
}

function mapLine(item: Record<string, unknown>, at: string, orderId: string, orderedAt: string, ctx: RecordContext): Line {
  const anomalies = new Anomalies();
  const { window } = ctx;
  const quantity = integer(item.ea, `${at}ea`, { min: 0, max: MAX_PLAUSIBLE_QUANTITY });
  const unitCents = nonNegativeCents(item.price, `${at}price`);
  const discountCents = nonNegativeCents(item.exact_coupon_discount, `${at}exact_coupon_discount`, 0)
    + nonNegativeCents(item.exact_emoney_discount, `${at}exact_emoney_discount`, 0);
  const paidCents = nonNegativeCents(item.exact_amount, `${at}exact_amount`, Math.max(0, unitCents * quantity - discountCents));
  const source = text(item.status, `${at}status`) || String(item.processing_status ?? '');
  const status = ablyStatus(item.status, item.processing_status);
  const closedAt = status === 'cancelled' || status === 'returned' ? optionalTime(item.cancelled_at ?? item.cancel_completed_at, `${at}cancelled_at`, window, anomalies) : null;
  return {
    grossCents: unitCents * quantity,
    discountCents,
    paidCents,
    row: {
      tenant_id: ctx.tenantId,
      platform: 'ably',
      shop_no: 1,
      order_id: orderId,
      item_id: identifier(item.sno, `${at}sno`),
      ordered_at: orderedAt,
      product_id: identifier(item.goods_sno, `${at}goods_sno`),
      variant_id: item.goods_option_sno === undefined || item.goods_option_sno === null ? '' : identifier(item.goods_option_sno, `${at}goods_option_sno`),
      product_name: text(item.goods_name, `${at}goods_name`),
      option_name: text(item.option_info, `${at}option_info`),
      quantity,
      unit_price: decimalText(unitCents),
      discount_amount: decimalText(discountCents),
      payment_amount: decimalText(paidCents),
      status,
      source_status: source,
      paid_at: optionalTime(item.checked_at, `${at}checked_at`, window, anomalies),
      shipped_at: optionalTime(item.goods_sent_at, `${at}goods_sent_at`, window, anomalies),
      delivered_at: optionalTime(item.delivery_completed_at, `${at}delivery_completed_at`, window, anomalies),
      confirmed_at: optionalTime(item.purchase_confirmed_at, `${at}purchase_confirmed_at`, window, anomalies),
      cancelled_at: closedAt,
      delivery_type: text(item.delivery_type, `${at}delivery_type`),
      extra: anomalies.extraJson({
        processing_status: orNull(item.processing_status),
        processing_sub_status: orNull(item.processing_sub_status),
        goods_custom_code: orNull(item.goods_custom_code),
        goods_prepare_started_at: orNull(item.goods_prepare_started_at),
        balance_accounts_scheduled_at: orNull(item.balance_accounts_scheduled_at),
        delay_days: orNull(item.delay_days),
        is_delayed: orNull(item.is_delayed),
        coupon_amount_for_ably: orNull(item.coupon_amount_for_ably),
        emoney_amount_for_ably: orNull(item.emoney_amount_for_ably),
      }),
      source_updated_at: ctx.fetchedAt,
      ...lineageOf(ctx),
    },
  };
}

function mapOrder(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const order = asObject(record, 'order');
  const orderId = identifier(order.order_sno, 'order_sno');
  const items = order.order_items;
  if (!Array.isArray(items) || items.length === 0) throw new RecordRejectedError('order_items: expected a non-empty array of order lines');
  const anomalies = new Anomalies();
  const first = asObject(items[0], 'order_items[0]');
  const orderedAt = epochText(requiredTime(order.ordered_at ?? first.ordered_at, 'ordered_at', ctx.window, anomalies));
  const lines = items.map((item, i) => mapLine(asObject(item, `order_items[${i}]`), `order_items[${i}].`, orderId, orderedAt, ctx));
  const paidTimes = lines.map((l) => l.row.paid_at).filter((t): t is string => t !== null).sort((a, b) => Number(a) - Number(b));
  let gross = 0, discount = 0, paid = 0, refund = 0;
  for (const line of lines) {
    gross += line.grossCents;
    discount += line.discountCents;
    paid += line.paidCents;
    if (line.row.status === 'cancelled' || line.row.status === 'returned') refund += line.paidCents;
  }
  const statuses = lines.map((l) => l.row.status);
  out.push('orders', {
    tenant_id: ctx.tenantId,
    platform: 'ably',
    shop_no: 1,
    order_id: orderId,
    ordered_at: orderedAt,
    paid_at: paidTimes[0] ?? null,
    status: orderStatusOf(statuses),
    source_status: [...new Set(lines.map((l) => l.row.source_status))].sort().join(','),
    currency: 'KRW',
    item_count: lines.length,
    order_amount: decimalText(gross),
    discount_amount: decimalText(discount),
    shipping_fee: decimalText(nonNegativeCents(first.delivery_fee, 'order_items[0].delivery_fee', 0)),
    payment_amount: decimalText(paid),
    refund_amount: decimalText(refund),
    payment_method: text(first.pay_method_name, 'order_items[0].pay_method_name'),
    sales_channel: 'ably',
    buyer_hash: typeof order.buyer_hash === 'string' ? order.buyer_hash : '',
    extra: anomalies.extraJson({ delivery_types: [...new Set(lines.map((l) => l.row.delivery_type))].sort() }),
    source_updated_at: ctx.fetchedAt,
    ...lineageOf(ctx),
  });
  for (const line of lines) out.push('order_items', line.row);
  return orderId;
}

export const ablyMapper: PlatformMapper = {
  platform: 'ably',
  version: 1,
  entities: {
    orders: { map: mapOrder },
    order_cancels: { map: mapCancel },
    goods: { map: mapGoods },
    goods_option_stats: { map: mapOptionStats },
    balance_accounts: { map: mapBalanceAccount },
    reviews: { map: mapReview },
  },
};
