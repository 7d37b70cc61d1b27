/**
 * Sales reports (reference §7.8): /reports/hourlysales, /reports/productsales, /reports/salesvolume,
 * /financials/dailysales, /financials/monthlysales. They are aggregated from the same orders the orders API
 * serves, so a connector can reconcile the two.
 *
 * Reports are not real-time (§7.8: "aggregated periodically"): the simulator aggregates hourly, so a report
 * reflects the orders as they stood at the start of the current hour. Stricter than the reference where it is
 * silent (README): report ranges are limited to 3 months (12 for monthlysales), like the orders window.
 * Sales are attributed to the payment hour (salesvolume says "payment-date based"); the financials attribute
 * refunds to the refund day.
 */
import { type AdminRequest, type AdminResult, type AdminRoute, resolveShop } from './admin-route.js';
import { invalidParameter } from './errors.js';
import {
  addKstMonths, DAY_MS, formatKstMinute, HOUR_MS, kstDateKey, kstMonthKey, kstParts, parseKstMonth,
} from './kst.js';
import { formatMoney } from './money.js';
import type { OrderCore } from './order-core.js';
import { isCancelled, isReturned, MAX_LIFECYCLE_MS, reachedAt } from './order-lifecycle.js';
import { orderAmounts, orderStateAt, type OrderState } from './order-state.js';
import { pageLinks } from './query-params.js';

const SCOPE = 'mall.read_salesreport';
export const REPORTS_MAX_LIMIT = 1000;
export const REPORTS_MAX_OFFSET = 10_000;
const MAX_REPORT_MONTHS = 3;

/** Report data is as of the start of the current hour. */
export const reportAsOf = (nowMs: number) => Math.floor(nowMs / HOUR_MS) * HOUR_MS;

interface PaidOrder {
  core: OrderCore;
  state: OrderState;
  paidAtMs: number;
}

/** Date window `start_date`..`end_date` (both required, date-only, at most 3 months). */
function reportWindow(request: AdminRequest, maxMonths = MAX_REPORT_MONTHS): { fromMs: number; toMs: number } {
  const { query } = request;
  const start = query.date('start_date');
  const end = query.date('end_date');
  if (start === undefined) throw invalidParameter('start_date', 'start_date is required.');
  if (end === undefined) throw invalidParameter('end_date', 'end_date is required.');
  if (end < start) throw invalidParameter('end_date', 'end_date must not be earlier than start_date.');
  if (end >= addKstMonths(start, maxMonths)) {
    throw invalidParameter('end_date', `The search period cannot exceed ${maxMonths} months per call.`);
  }
  return { fromMs: start, toMs: end + DAY_MS };
}

/** Orders of the shop paid within [fromMs, toMs) and by the report time, in payment order. */
function paidOrders(request: AdminRequest, shopNo: number, fromMs: number, toMs: number): PaidOrder[] {
  const asOf = reportAsOf(request.nowMs);
  const book = request.mall.orders;
  // A payment follows its order within the lifecycle bound, so earlier orders cannot be paid in the window.
  const first = book.firstIndexAtOrAfter(fromMs - MAX_LIFECYCLE_MS);
  const end = Math.min(book.firstIndexAtOrAfter(toMs), book.countAt(asOf));
  const result: PaidOrder[] = [];
  for (let index = first; index < end; index++) {
    if (book.shopNoOf(index) !== shopNo) continue;
    const paidAtMs = book.skeleton(index).plan.paidAtMs;
    if (paidAtMs === null || paidAtMs < fromMs || paidAtMs >= toMs || paidAtMs > asOf) continue;
    const core = book.core(index);
    result.push({ core, state: orderStateAt(core.skeleton, asOf), paidAtMs });
  }
  return result.sort((a, b) => a.paidAtMs - b.paidAtMs);
}

const hourKey = (ms: number) => `${kstDateKey(ms)} ${String(kstParts(ms).hour).padStart(2, '0')}`;

function collectionHourFilter(request: AdminRequest): string | undefined {
  const hour = request.query.int('collection_hour', { min: 0, max: 23 });
  return hour === undefined ? undefined : String(hour).padStart(2, '0');
}

function paged(request: AdminRequest, rows: Record<string, unknown>[], defaultLimit: number, key: string): AdminResult {
  const limit = request.query.limit(REPORTS_MAX_LIMIT, defaultLimit);
  const offset = request.query.offset(REPORTS_MAX_OFFSET);
  const page = rows.slice(offset, offset + limit);
  return {
    body: { [key]: page, links: pageLinks(request.url, request.mallBaseUrl, { offset, limit, hasMore: offset + limit < rows.length }) },
    rows: page.length,
  };
}

function hourlySales(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const { fromMs, toMs } = reportWindow(request);
  const onlyHour = collectionHourFilter(request);
  const buckets = new Map<string, { date: string; hour: string; orders: number; items: number; price: number; shipping: number; coupon: number; paid: number; refund: number; points: number }>();
  for (const { core, state, paidAtMs } of paidOrders(request, shop.shopNo, fromMs, toMs)) {
    const key = hourKey(paidAtMs);
    const [date, hour] = key.split(' ') as [string, string];
    if (onlyHour !== undefined && hour !== onlyHour) continue;
    const bucket = buckets.get(key) ?? { date, hour, orders: 0, items: 0, price: 0, shipping: 0, coupon: 0, paid: 0, refund: 0, points: 0 };
    const { initial, actual } = orderAmounts(core, state);
    bucket.orders += 1;
    bucket.items += core.items.reduce((sum, i) => sum + i.quantity, 0);
    bucket.price += initial.orderPriceCents;
    bucket.shipping += initial.shippingFeeCents;
    bucket.coupon += initial.couponCents;
    bucket.paid += initial.totalDueCents;
    bucket.refund += initial.totalDueCents - actual.totalDueCents;
    bucket.points += initial.pointsCents;
    buckets.set(key, bucket);
  }
  // Newest hour first, as in the documented sample.
  const rows = [...buckets.entries()].sort(([a], [b]) => (a < b ? 1 : -1)).map(([, b]) => ({
    shop_no: shop.shopNo,
    collection_date: b.date,
    collection_hour: b.hour,
    order_count: b.orders,
    item_count: b.items,
    order_price_amount: formatMoney(b.price),
    shipping_fee: formatMoney(b.shipping),
    order_sale_price: formatMoney(b.coupon),
    coupon_discount_price: formatMoney(b.coupon),
    actual_order_amount: formatMoney(b.paid),
    refund_amount: formatMoney(b.refund),
    sales: formatMoney(b.paid - b.refund),
    used_points: formatMoney(b.points),
    used_credits: '0.00',
    used_naver_points: '0.00',
    used_naver_cash: '0.00',
    refund_points: '0.00',
    refund_credits: '0.00',
    refund_naver_points: '0.00',
    refund_naver_cash: '0.00',
  }));
  return paged(request, rows, 744, 'hourlysales');
}

interface VariantCounts {
  date: string; hour: string; productNo: number; variantCode: string; unitCents: number; optionCents: number;
  settled: number; cancelled: number; returned: number;
}

/** Quantities per (payment hour, variant): settled, and of those cancelled or returned by the report time. */
function variantCounts(request: AdminRequest, shopNo: number, fromMs: number, toMs: number, onlyHour?: string): VariantCounts[] {
  const rows = new Map<string, VariantCounts>();
  for (const { core, state, paidAtMs } of paidOrders(request, shopNo, fromMs, toMs)) {
    const [date, hour] = hourKey(paidAtMs).split(' ') as [string, string];
    if (onlyHour !== undefined && hour !== onlyHour) continue;
    core.items.forEach((item, k) => {
      const key = `${date} ${hour} ${item.variant.variantCode}`;
      const row = rows.get(key) ?? {
        date, hour, productNo: item.product.productNo, variantCode: item.variant.variantCode,
        unitCents: item.unitPriceCents, optionCents: item.optionPriceCents, settled: 0, cancelled: 0, returned: 0,
      };
      const status = state.items[k]?.status;
      row.settled += item.quantity;
      if (status && isCancelled(status)) row.cancelled += item.quantity;
      if (status && isReturned(status)) row.returned += item.quantity;
      rows.set(key, row);
    });
  }
  return [...rows.values()].sort((a, b) => (`${a.date}${a.hour}` < `${b.date}${b.hour}` ? 1 : `${a.date}${a.hour}` > `${b.date}${b.hour}` ? -1 : a.variantCode.localeCompare(b.variantCode)));
}

function productSales(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const { fromMs, toMs } = reportWindow(request);
  const rows = variantCounts(request, shop.shopNo, fromMs, toMs, collectionHourFilter(request)).map((r) => ({
    shop_no: shop.shopNo,
    collection_date: r.date,
    collection_hour: r.hour,
    product_no: r.productNo,
    variants_code: r.variantCode,
    product_price: formatMoney(r.unitCents),
    settle_count: r.settled,
    refund_count: r.cancelled + r.returned,
    sale_count: r.settled - r.cancelled - r.returned,
    exchange_product_count: 0,
    cancel_product_count: r.cancelled,
    return_product_count: r.returned,
    total_sale_count: r.settled,
    total_cancel_count: r.cancelled,
  }));
  return paged(request, rows, 100, 'productsales');
}

function salesVolume(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const productNos = request.query.intList('product_no');
  const variantCodes = request.query.list('variants_code');
  if (!productNos && !variantCodes) {
    throw invalidParameter('product_no', 'Either product_no or variants_code is required.');
  }
  const { fromMs, toMs } = reportWindow(request);
  const updated = formatKstMinute(reportAsOf(request.nowMs));
  const rows = variantCounts(request, shop.shopNo, fromMs, toMs)
    .filter((r) => (productNos?.includes(r.productNo) ?? false) || (variantCodes?.includes(r.variantCode) ?? false))
    .map((r) => ({
      // This report writes shop_no and the counts as strings (documented sample, §7.8).
      shop_no: String(shop.shopNo),
      collection_date: r.date,
      collection_hour: r.hour,
      product_price: formatMoney(r.unitCents),
      product_option_price: formatMoney(r.optionCents),
      settle_count: String(r.settled),
      exchane_product_count: '0',
      cancel_product_count: String(r.cancelled),
      return_product_count: String(r.returned),
      updated_date: updated,
      product_no: r.productNo,
      variants_code: r.variantCode,
      total_sales: String(r.settled - r.cancelled - r.returned),
    }));
  return { body: { salesvolume: rows }, rows: rows.length };
}

/** Payments per payment day and refunds per refund day, for the financials endpoints. */
function dailyMoney(request: AdminRequest, shopNo: number, fromMs: number, toMs: number, bucketOf: (ms: number) => string) {
  const asOf = reportAsOf(request.nowMs);
  const buckets = new Map<string, { paid: number; refund: number; count: number }>();
  const bucket = (key: string) => buckets.get(key) ?? buckets.set(key, { paid: 0, refund: 0, count: 0 }).get(key)!;
  // Refunds in the window may belong to orders paid up to the lifecycle bound before it.
  for (const { core, state, paidAtMs } of paidOrders(request, shopNo, fromMs - MAX_LIFECYCLE_MS, toMs)) {
    const { initial, actual } = orderAmounts(core, state);
    if (paidAtMs >= fromMs) {
      const b = bucket(bucketOf(paidAtMs));
      b.paid += initial.totalDueCents;
      b.count += 1;
    }
    const refundCents = initial.totalDueCents - actual.totalDueCents;
    if (refundCents > 0) {
      const refundedAt = Math.max(...state.items.map((i) => reachedAt(i.script, 'C40', asOf) ?? reachedAt(i.script, 'R40', asOf) ?? -Infinity));
      if (refundedAt >= fromMs && refundedAt < toMs) bucket(bucketOf(refundedAt)).refund += refundCents;
    }
  }
  return [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

function dailySales(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const { fromMs, toMs } = reportWindow(request);
  const rows = dailyMoney(request, shop.shopNo, fromMs, toMs, kstDateKey).map(([date, b]) => ({
    shop_no: shop.shopNo, date, payment_amount: formatMoney(b.paid), refund_amount: formatMoney(b.refund), sales_count: b.count,
  }));
  return { body: { dailysales: rows }, rows: rows.length };
}

function monthlySales(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const { query } = request;
  const parseMonth = (name: string) => {
    const text = query.raw(name);
    if (text === undefined) throw invalidParameter(name, `${name} is required.`);
    const value = parseKstMonth(text);
    if (value === undefined) throw invalidParameter(name, `${name} must be a month in YYYY-MM format.`);
    return value;
  };
  const fromMs = parseMonth('start_month');
  const endMonth = parseMonth('end_month');
  if (endMonth < fromMs) throw invalidParameter('end_month', 'end_month must not be earlier than start_month.');
  if (endMonth >= addKstMonths(fromMs, 12)) throw invalidParameter('end_month', 'The search period cannot exceed 12 months per call.');
  const rows = dailyMoney(request, shop.shopNo, fromMs, addKstMonths(endMonth, 1), kstMonthKey).map(([month, b]) => ({
    shop_no: shop.shopNo, month, payment_amount: formatMoney(b.paid), refund_amount: formatMoney(b.refund), sales_count: b.count,
  }));
  return { body: { monthlysales: rows }, rows: rows.length };
}

export const REPORT_ROUTES: AdminRoute[] = [
  { path: '/reports/hourlysales', scope: SCOPE, handle: hourlySales },
  { path: '/reports/productsales', scope: SCOPE, handle: productSales },
  { path: '/reports/salesvolume', scope: SCOPE, handle: salesVolume },
  // The per-endpoint call limit of the financials is listed as 1 (§4.1, meaning unclear [U]): the simulator
  // admits them only into a fully drained bucket.
  { path: '/financials/dailysales', scope: SCOPE, callLimit: 1, handle: dailySales },
  { path: '/financials/monthlysales', scope: SCOPE, callLimit: 1, handle: monthlySales },
];
