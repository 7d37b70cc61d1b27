/**
 * Order items, cancels/returns and the dashboard summary (a.3 ✔ paths and shapes; b.3 ◇ dashboard).
 * `order_items`: `date_type` ordered_at | checked_at (default ordered_at), `start_date`/`end_date` required, at
 * most 92 days apart; `order` ±ordered_at | ±checked_at (default descending by the date type); optional
 * `processing_status[]`, `processing_sub_status[]`, `delivery_type[]`; per_page default 30.
 */
import { DAY_MS, kstDateKey, kstStartOfDay } from '../cafe24/kst.js';
import type { ApiContext, ApiResult } from './api-context.js';
import { BadRequest, numberList, paginate, timeRange } from './api-params.js';
import { stateAt } from './item-lifecycle.js';
import { orderCancelPayload, orderItemPayload } from './payloads.js';
import { drift } from './schema-drift.js';
import { type OrderDateType, selectClaims, selectOrderItems, stampOf } from './selection.js';
import { settlementPayload, settlementsOf } from './settlements.js';

export const RANGE_TOO_LONG = '조회 기간은 최대 3개월입니다';
export const MAX_ORDER_RANGE_DAYS = 92;
const DATE_TYPES: readonly OrderDateType[] = ['ordered_at', 'checked_at'];

export function listOrderItems(ctx: ApiContext): ApiResult {
  const { query, seller, nowMs } = ctx;
  const dateType = (query.get('date_type') ?? 'ordered_at') as OrderDateType;
  if (!DATE_TYPES.includes(dateType)) throw new BadRequest('date_type 값이 올바르지 않습니다');
  const order = query.get('order') ?? `-${dateType}`;
  const orderMatch = /^(-?)(ordered_at|checked_at)$/.exec(order);
  if (!orderMatch) throw new BadRequest('order 값이 올바르지 않습니다');
  const { fromMs, toMs } = timeRange(query, 'start_date', 'end_date', MAX_ORDER_RANGE_DAYS, RANGE_TOO_LONG);
  const paging = ctx.page(query.get('page'), query.get('per_page'), 30);
  const statuses = numberList(query, 'processing_status');
  const subStatuses = numberList(query, 'processing_sub_status');
  const deliveryTypes = [...query.getAll('delivery_type[]'), ...query.getAll('delivery_type')];
  let refs = selectOrderItems(seller, dateType, fromMs, toMs, nowMs).map((ref) => ({ ref, payload: orderItemPayload(ref.order, ref.item, nowMs, ctx.canaries) }));
  if (statuses) refs = refs.filter((r) => statuses.includes(r.payload.processing_status as number));
  if (subStatuses) refs = refs.filter((r) => subStatuses.includes(r.payload.processing_sub_status as number));
  if (deliveryTypes.length > 0) refs = refs.filter((r) => deliveryTypes.includes(r.payload.delivery_type as string));
  const sortBy = orderMatch[2] as OrderDateType;
  const sign = orderMatch[1] === '-' ? -1 : 1;
  refs.sort((a, b) => sign * (stampOf(a.ref, sortBy) - stampOf(b.ref, sortBy) || a.ref.item.sno - b.ref.item.sno));
  const { rows, ...page } = paginate(refs, paging);
  return {
    status: 200,
    json: {
      per_page: page.per_page, total_count: page.total_count, current_page: page.current_page,
      max_page_number: page.max_page_number, default_delivery_sno: 1,
      order_items: rows.map((r) => drift('order_item', r.payload, ctx.schemaDrift)),
    },
  };
}

export function orderItemDetail(ctx: ApiContext): ApiResult {
  const sno = Number(ctx.params.sno);
  const index = ctx.seller.orders.indexOfOrderSno(Math.floor(sno / 10));
  const order = index === undefined ? undefined : ctx.seller.orders.order(index);
  const item = order && order.orderedAtMs <= ctx.nowMs ? order.items.find((i) => i.sno === sno) : undefined;
  if (!order || !item) return { status: 404, json: { message: '주문 정보를 찾을 수 없습니다' } };
  return { status: 200, json: { order_item: drift('order_item', orderItemPayload(order, item, ctx.nowMs, ctx.canaries), ctx.schemaDrift) } };
}

/** `PUT /seller/order_items/rollback_to_prepare/` `{sno_list}`: accepted and not applied (the data is scripted). */
export function rollbackToPrepare(ctx: ApiContext): ApiResult {
  const list = (ctx.body as { sno_list?: unknown } | undefined)?.sno_list;
  if (!Array.isArray(list)) throw new BadRequest('sno_list는 필수 항목입니다');
  return { status: 200, json: { success: true, count: list.length } };
}

/** `cancel_type` cancel | return (required), `date_type=cancel_received_at`, `start_date`/`end_date` ≤ 92 days. */
export function listOrderCancels(ctx: ApiContext): ApiResult {
  const { query, seller, nowMs } = ctx;
  const type = query.get('cancel_type');
  if (type !== 'cancel' && type !== 'return') throw new BadRequest('cancel_type 값이 올바르지 않습니다 (cancel, return)');
  const dateType = query.get('date_type') ?? 'cancel_received_at';
  if (dateType !== 'cancel_received_at') throw new BadRequest('date_type 값이 올바르지 않습니다');
  const { fromMs, toMs } = timeRange(query, 'start_date', 'end_date', MAX_ORDER_RANGE_DAYS, RANGE_TOO_LONG);
  const paging = ctx.page(query.get('page'), query.get('per_page'), 30);
  const refs = selectClaims(seller, type, fromMs, toMs, nowMs);
  if ((query.get('order') ?? '-cancel_received_at').startsWith('-')) refs.reverse();
  const { rows, ...page } = paginate(refs, paging);
  return {
    status: 200,
    json: {
      order_cancels: rows.map((r) => drift('order_cancel', orderCancelPayload(r.order, r.item, nowMs, ctx.canaries), ctx.schemaDrift)),
      per_page: page.per_page, total_count: page.total_count, current_page: page.current_page, max_page_number: page.max_page_number,
    },
  };
}

/** `GET /seller/dashboard/summary/` (b.3 ◇): items of the last 30 days by current status, today's sales. */
export function dashboardSummary(ctx: ApiContext): ApiResult {
  const { seller, nowMs } = ctx;
  const counts = { paid: 0, preparing: 0, shipping: 0, delivered: 0, confirmed: 0, cancel_requested: 0, return_requested: 0, exchange_requested: 0 };
  let salesToday = 0;
  const today = kstStartOfDay(nowMs);
  for (const { order, item } of selectOrderItems(seller, 'ordered_at', nowMs - 30 * DAY_MS, nowMs, nowMs)) {
    const state = stateAt(item.lifecycle, nowMs);
    const key = state.status.toLowerCase() as keyof typeof counts;
    if (key in counts) counts[key] += 1;
    if (state.subStatus === 11) counts.cancel_requested += 1;
    if (state.subStatus === 41 || state.subStatus === 42) counts.return_requested += 1;
    if (state.subStatus === 51) counts.exchange_requested += 1;
    if (order.orderedAtMs >= today) salesToday += item.exactAmount;
  }
  const scheduled = settlementsOf(ctx.seed, seller, nowMs).filter((s) => s.status === 'SCHEDULED')
    .reduce((sum, s) => sum + (settlementPayload(s).settlement_amount as number), 0);
  return {
    status: 200,
    json: {
      date: kstDateKey(nowMs), order_counts: counts, unanswered_inquiries: seller.spec.sellerNo % 4,
      sales_amount: salesToday, settlement_scheduled_amount: scheduled,
    },
  };
}
