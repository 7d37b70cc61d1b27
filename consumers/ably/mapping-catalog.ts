/**
 * The Ably entities besides orders (mapping.ts holds the file-level notes): claims, goods, per-day option stats,
 * settlements and reviews. Each writes typed rows from a whitelist of fields and returns the record's natural id.
 */
import { RecordRejectedError } from '../../lib/model/errors.js';
import type { RecordContext } from '../../lib/model/mapper.js';
import type { RowWriter } from '../../lib/model/row-buffer.js';
import {
  Anomalies, asObject, cents, decimalText, epochText, identifier, integer, isObject, nonNegativeCents, optionalTime,
  parseSourceTime, requiredTime, text,
} from '../../lib/model/values.js';

const lineageOf = (ctx: RecordContext) => ({ fetched_at: ctx.fetchedAt, request_id: ctx.requestId, kafka_partition: ctx.partition, kafka_offset: ctx.offset });
const orNull = (value: unknown) => (value === undefined ? null : value);
const optionalCount = (value: unknown, field: string) => (value === undefined || value === null ? null : integer(value, field));

/** A source update time when the record has one, else the fetch time (a later fetch is newer). */
function updatedAt(value: unknown, field: string, ctx: RecordContext, anomalies: Anomalies): string {
  return parseSourceTime(value, field) === null ? ctx.fetchedAt : epochText(requiredTime(value, field, ctx.window, anomalies));
}

/** Claim progress (processing_status text or code) → requested, in_progress, completed, rejected, withdrawn. */
export function claimStatus(value: unknown): string {
  const code = String(value ?? '').toUpperCase();
  if (/COMPLETE|DONE|FINISH|^(3|4)$/.test(code)) return 'completed';
  if (/REJECT|DENIED/.test(code)) return 'rejected';
  if (/WITHDRAW|CANCELLED_BY_BUYER/.test(code)) return 'withdrawn';
  if (/PROGRESS|COLLECT|PICKUP|^2$/.test(code)) return 'in_progress';
  return 'requested';
}

export function mapCancel(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const claim = asObject(record, 'order_cancel');
  const claimId = identifier(claim.sno ?? claim.order_cancel_sno, 'sno');
  const claimType = text(claim.cancel_type, 'cancel_type') || 'cancel';
  const anomalies = new Anomalies();
  const requestedAt = epochText(requiredTime(claim.cancel_received_at ?? claim.requested_at, 'cancel_received_at', ctx.window, anomalies));
  const completedAt = optionalTime(claim.cancel_completed_at ?? claim.completed_at, 'cancel_completed_at', ctx.window, anomalies);
  const sourceStatus = text(claim.status ?? claim.processing_status, 'status');
  const items = Array.isArray(claim.order_items) ? claim.order_items : [];
  if (items.length === 0) throw new RecordRejectedError('order_items: a claim without lines');
  const sourceUpdatedAt = updatedAt(claim.updated_at, 'updated_at', ctx, anomalies);
  items.forEach((entry, i) => {
    const item = asObject(entry, `order_items[${i}]`);
    const at = `order_items[${i}].`;
    out.push('order_claims', {
      tenant_id: ctx.tenantId,
      platform: 'ably',
      shop_no: 1,
      claim_id: claimId,
      item_id: identifier(item.sno ?? item.order_item_sno, `${at}sno`),
      order_id: claim.order_sno === undefined && item.order_sno === undefined ? '' : identifier(claim.order_sno ?? item.order_sno, 'order_sno'),
      claim_type: claimType === 'return' ? 'return' : claimType === 'exchange' ? 'exchange' : 'cancel',
      status: claimStatus(claim.status ?? claim.processing_status),
      source_status: `${sourceStatus}${claim.processing_sub_status === undefined ? '' : `/${String(claim.processing_sub_status)}`}`,
      requested_at: requestedAt,
      completed_at: completedAt,
      product_id: item.goods_sno === undefined ? '' : identifier(item.goods_sno, `${at}goods_sno`),
      product_name: text(item.goods_name, `${at}goods_name`),
      option_name: text(item.option_info, `${at}option_info`),
      quantity: integer(item.ea, `${at}ea`, { max: 100_000 }),
      refund_amount: decimalText(nonNegativeCents(item.refund_amount ?? item.exact_amount, `${at}refund_amount`, 0)),
      return_shipping_fee: decimalText(nonNegativeCents(item.return_delivery_fee, `${at}return_delivery_fee`, 0)),
      reason: text(item.cancel_reason ?? claim.cancel_reason, `${at}cancel_reason`).slice(0, 200),
      extra: anomalies.extraJson({ processing_sub_status: orNull(claim.processing_sub_status), requested_by: orNull(claim.requested_by) }),
      source_updated_at: sourceUpdatedAt,
      ...lineageOf(ctx),
    });
  });
  return claimId;
}

export function mapGoods(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const goods = asObject(record, 'goods');
  const productId = identifier(goods.sno, 'sno');
  const anomalies = new Anomalies();
  const options = Array.isArray(goods.options) ? goods.options.filter(isObject) : [];
  const stocked = options.filter((o) => o.use_stock === true);
  const saleStatus = text(goods.sale_status, 'sale_status').toUpperCase();
  const displayed = goods.is_display === false ? 0 : 1;
  out.push('products', {
    tenant_id: ctx.tenantId,
    platform: 'ably',
    shop_no: 1,
    product_id: productId,
    product_code: text(goods.custom_code, 'custom_code'),
    name: text(goods.name, 'name'),
    category_id: text(goods.category_sno ?? goods.category_name, 'category'),
    price: decimalText(nonNegativeCents(goods.price, 'price')),
    list_price: goods.original_price === undefined || goods.original_price === null ? null : decimalText(nonNegativeCents(goods.original_price, 'original_price')),
    supply_price: null,
    status: saleStatus === 'SOLD_OUT' ? 'sold_out' : saleStatus === 'SUSPENDED' || saleStatus === 'STOPPED' ? 'stopped' : displayed === 0 ? 'hidden' : 'on_sale',
    is_displayed: displayed,
    stock_quantity: stocked.length > 0 ? stocked.reduce((sum, o, i) => sum + integer(o.stock, `options[${i}].stock`, { min: Number.MIN_SAFE_INTEGER, fallback: 0 }), 0) : null,
    created_at: optionalTime(goods.created_at, 'created_at', ctx.window, anomalies),
    extra: anomalies.extraJson({
      sale_status: orNull(goods.sale_status), category_name: orNull(goods.category_name), registered_at: orNull(goods.registered_at), options: options.length,
    }),
    source_updated_at: updatedAt(goods.updated_at, 'updated_at', ctx, anomalies),
    ...lineageOf(ctx),
  });
  return productId;
}

/** One option of one product on one day: the connector adds `stat_date` and `goods_sno` to the API's option row. */
export function mapOptionStats(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const row = asObject(record, 'option stats');
  const statDate = text(row.stat_date ?? row.date, 'stat_date');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(statDate)) throw new RecordRejectedError(`stat_date: expected YYYY-MM-DD, got ${JSON.stringify(statDate).slice(0, 30)}`);
  const productId = identifier(row.goods_sno, 'goods_sno');
  const variantId = row.goods_option_sno === undefined && row.sno === undefined ? '' : identifier(row.goods_option_sno ?? row.sno, 'goods_option_sno');
  out.push('product_daily_stats', {
    tenant_id: ctx.tenantId,
    platform: 'ably',
    stat_date: statDate,
    shop_no: 1,
    product_id: productId,
    variant_id: variantId,
    order_count: integer(row.order_count, 'order_count', { fallback: 0 }),
    sold_quantity: integer(row.sold_quantity, 'sold_quantity', { fallback: 0 }),
    sales_amount: decimalText(nonNegativeCents(row.sales_amount, 'sales_amount', 0)),
    view_count: optionalCount(row.view_count, 'view_count'),
    cart_count: optionalCount(row.cart_count, 'cart_count'),
    like_count: optionalCount(row.like_count, 'like_count'),
    cancel_count: null,
    return_count: null,
    exchange_count: null,
    extra: JSON.stringify({ option_name: orNull(row.option_name ?? row.option_info) }),
    source_updated_at: ctx.fetchedAt,
    ...lineageOf(ctx),
  });
  return `${statDate}:${productId}:${variantId}`;
}

const DAY = /^(\d{4}-\d{2}-\d{2})/;
function dayOf(value: unknown, field: string): string {
  const match = typeof value === 'string' ? DAY.exec(value) : null;
  if (!match) throw new RecordRejectedError(`${field}: expected a date, got ${JSON.stringify(value)?.slice(0, 30)}`);
  return match[1] as string;
}

/**
 * A month's amounts: from its detail CSV lines when the record carries them (what the payout is made of, a.3),
 * else the history's own fields. A history whose own settlement amount disagrees with its lines keeps it in
 * `extra.list_settlement_amount`.
 */
function settlementAmounts(account: Record<string, unknown>) {
  const lines = account.detail_lines;
  if (!Array.isArray(lines)) {
    return {
      from: 'history', count: integer(account.order_count, 'order_count', { fallback: 0 }), sales: cents(account.sales_amount, 'sales_amount'),
      commission: cents(account.commission_amount, 'commission_amount', 0), fee: cents(account.payment_fee, 'payment_fee', 0),
      adjustment: cents(account.adjustment, 'adjustment', 0), settlement: cents(account.settlement_amount, 'settlement_amount'),
    };
  }
  const sum = { from: 'csv', count: lines.length, sales: 0, commission: 0, fee: 0, adjustment: 0, settlement: 0 };
  lines.forEach((value, i) => {
    const line = asObject(value, `detail_lines[${i}]`);
    sum.sales += cents(line.payment, `detail_lines[${i}].payment`);
    sum.commission += cents(line.commission, `detail_lines[${i}].commission`, 0);
    sum.fee += cents(line.payment_fee, `detail_lines[${i}].payment_fee`, 0);
    sum.adjustment += cents(line.coupon_for_ably, `detail_lines[${i}].coupon_for_ably`, 0) + cents(line.emoney_for_ably, `detail_lines[${i}].emoney_for_ably`, 0);
    sum.settlement += cents(line.settlement, `detail_lines[${i}].settlement`);
  });
  return sum;
}

export function mapBalanceAccount(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const account = asObject(record, 'balance account');
  const settlementId = identifier(account.sno, 'sno');
  const anomalies = new Anomalies();
  const status = text(account.status, 'status').toUpperCase();
  const amounts = settlementAmounts(account);
  const listed = amounts.from === 'csv' ? cents(account.settlement_amount, 'settlement_amount', amounts.settlement) : amounts.settlement;
  out.push('settlements', {
    tenant_id: ctx.tenantId,
    platform: 'ably',
    shop_no: 1,
    settlement_id: settlementId,
    period_start: dayOf(account.period_start, 'period_start'),
    period_end: dayOf(account.period_end, 'period_end'),
    scheduled_at: optionalTime(account.scheduled_at, 'scheduled_at', ctx.window, anomalies),
    paid_at: optionalTime(account.paid_at, 'paid_at', ctx.window, anomalies),
    status: status === 'PAID' ? 'paid' : status === 'HELD' ? 'held' : 'scheduled',
    currency: 'KRW',
    order_count: amounts.count,
    sales_amount: decimalText(amounts.sales),
    commission_amount: decimalText(amounts.commission),
    payment_fee: decimalText(amounts.fee),
    deduction_amount: decimalText(cents(account.ad_deduction, 'ad_deduction', 0)),
    adjustment_amount: decimalText(amounts.adjustment),
    settlement_amount: decimalText(amounts.settlement),
    extra: anomalies.extraJson({
      source_status: orNull(account.status), amounts_from: amounts.from,
      ...(listed !== amounts.settlement ? { list_settlement_amount: decimalText(listed) } : {}),
    }),
    source_updated_at: updatedAt(account.paid_at ?? account.updated_at, 'paid_at', ctx, anomalies),
    ...lineageOf(ctx),
  });
  return settlementId;
}

export function mapReview(record: unknown, ctx: RecordContext, out: RowWriter): string {
  const review = asObject(record, 'review');
  const reviewId = identifier(review.sno, 'sno');
  const goods = isObject(review.goods) ? review.goods : {};
  const anomalies = new Anomalies();
  const rating = review.rating === undefined || review.rating === null ? null : integer(review.rating, 'rating', { min: 1, max: 5 });
  const content = text(review.contents, 'contents');
  out.push('reviews', {
    tenant_id: ctx.tenantId,
    platform: 'ably',
    shop_no: 1,
    review_id: reviewId,
    product_id: identifier(goods.sno ?? review.goods_sno, 'goods.sno'),
    product_name: text(goods.name, 'goods.name'),
    item_id: review.order_item_sno === undefined || review.order_item_sno === null ? '' : identifier(review.order_item_sno, 'order_item_sno'),
    rating,
    satisfaction: review.satisfaction === undefined || review.satisfaction === null ? '' : String(review.satisfaction),
    status: text(review.status, 'status'),
    content,
    image_count: Array.isArray(review.images) ? Math.min(review.images.length, 65_535) : 0,
    has_reply: isObject(review.reply) ? 1 : 0,
    created_at: epochText(requiredTime(review.created_at, 'created_at', ctx.window, anomalies)),
    extra: anomalies.extraJson({ size: orNull(review.size), content_length: content.length }),
    source_updated_at: updatedAt(review.updated_at, 'updated_at', ctx, anomalies),
    ...lineageOf(ctx),
  });
  return reviewId;
}
