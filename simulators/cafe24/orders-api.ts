/**
 * GET /orders, /orders/count, /orders/{order_id}, /orders/{order_id}/items (reference §7.1–7.3).
 * Caps: `limit` 1..1000 (default 10), `offset` ≤ 15000, a `start_date`..`end_date` window of less than 3 months.
 * Stricter than the reference where it is silent (README): dates are date-only (`YYYY-MM-DD`, the doc's type),
 * and a list or count needs a date window unless `order_id` is given.
 */
import { type AdminRequest, type AdminResult, type AdminRoute, resolveShop } from './admin-route.js';
import { AdminApiError, ADMIN_MESSAGES, invalidParameter } from './errors.js';
import { addKstMonths, DAY_MS } from './kst.js';
import { ALL_ORDER_STATUS_CODES } from './order-lifecycle.js';
import { ORDER_EMBEDS, type OrderEmbed, orderPayload, itemPayload } from './order-payload.js';
import { matchingOrderIndices, type OrderFilter } from './order-query.js';
import type { OrderBook } from './order-book.js';
import { ORDER_DATE_TYPES, orderStateAt, type OrderState } from './order-state.js';
import { pageLinks, projectFields } from './query-params.js';

export const ORDERS_MAX_LIMIT = 1000;
export const ORDERS_DEFAULT_LIMIT = 10;
export const ORDERS_MAX_OFFSET = 15_000;
export const ORDERS_MAX_WINDOW_MONTHS = 3;

const SCOPE = 'mall.read_order';

/** The filter shared by the list and the count. */
export function readOrderFilter(request: AdminRequest): OrderFilter {
  const { query } = request;
  const shop = resolveShop(request);
  const orderIds = query.list('order_id');
  query.requirePair('start_date', 'end_date');
  const start = query.date('start_date');
  const end = query.date('end_date');
  if (start === undefined && !orderIds) {
    throw invalidParameter('start_date', 'start_date and end_date are required unless order_id is given.');
  }
  let range: OrderFilter['range'];
  if (start !== undefined && end !== undefined) {
    if (end < start) throw invalidParameter('end_date', 'end_date must not be earlier than start_date.');
    if (end >= addKstMonths(start, ORDERS_MAX_WINDOW_MONTHS)) {
      throw invalidParameter('end_date', `The search period cannot exceed ${ORDERS_MAX_WINDOW_MONTHS} months per call.`);
    }
    range = { fromMs: start, toMs: end + DAY_MS };
  }
  const asSet = <T>(values: T[] | undefined) => (values ? new Set(values) : undefined);
  return {
    shopNo: shop.shopNo,
    dateType: query.oneOf('date_type', ORDER_DATE_TYPES, 'order_date') as OrderFilter['dateType'],
    range,
    orderIds,
    orderStatuses: asSet(query.listOf('order_status', ALL_ORDER_STATUS_CODES)),
    paymentMethods: asSet(query.list('payment_method')),
    productNos: asSet(query.intList('product_no')),
    memberType: query.oneOf('member_type', ['2', '3'] as const),
    memberId: query.raw('member_id'),
    orderPlaceIds: asSet(query.list('order_place_id')),
    firstOrder: query.oneOf('first_order', ['T', 'F'] as const),
  };
}

function readEmbed(request: AdminRequest): OrderEmbed[] {
  return request.query.listOf('embed', ORDER_EMBEDS) ?? [];
}

function listOrders(request: AdminRequest): AdminResult {
  const filter = readOrderFilter(request);
  const limit = request.query.limit(ORDERS_MAX_LIMIT, ORDERS_DEFAULT_LIMIT);
  const offset = request.query.offset(ORDERS_MAX_OFFSET);
  const embed = readEmbed(request);
  const fields = request.query.list('fields');
  const { orders: book } = request.mall;
  const matches = matchingOrderIndices(book, filter, request.nowMs);
  const page = matches.slice(offset, offset + limit);
  const links = pageLinks(request.url, request.mallBaseUrl, { offset, limit, hasMore: offset + limit < matches.length });
  const itemRows = embed.includes('items') ? page.reduce((sum, i) => sum + book.skeleton(i).plan.items.length, 0) : 0;
  const rows = page.length + itemRows;
  if (fields) {
    const orders = page.map((index) => {
      const core = book.core(index);
      return projectFields(orderPayload(core, orderStateAt(core.skeleton, request.nowMs), embed, request.canaries), fields, embed);
    });
    return { body: { orders, links }, rows };
  }
  const orders = page.map((index) => orderJson(book, index, orderStateAt(book.skeleton(index), request.nowMs), embed, request.canaries));
  return { body: undefined, json: [LIST_HEAD, ...withCommas(orders), Buffer.from(`],"links":${JSON.stringify(links)}}`)], rows };
}

const LIST_HEAD = Buffer.from('{"orders":[');
const COMMA = Buffer.from(',');

function withCommas(parts: Buffer[]): Buffer[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [COMMA, part]));
}

/**
 * One order's JSON without a projection, as UTF-8: the same on every read until its status changes, so it is
 * memoized (order-book.ts) and a re-read window costs only its write instead of building and stringifying.
 */
export function orderJson(book: OrderBook, index: number, state: OrderState, embed: readonly OrderEmbed[], canaries: boolean): Buffer {
  const embedKey = [...embed].sort().join(',') + (canaries ? ':canaries' : '');
  return book.json(index, embedKey, state.lastChangedAtMs, () => Buffer.from(JSON.stringify(orderPayload(book.core(index), state, embed, canaries))));
}

function countOrders(request: AdminRequest): AdminResult {
  const filter = readOrderFilter(request);
  return { body: { count: matchingOrderIndices(request.mall.orders, filter, request.nowMs).length }, rows: 1 };
}

function findOrder(request: AdminRequest) {
  const shop = resolveShop(request);
  const orderId = request.params.order_id as string;
  const { orders: book } = request.mall;
  const index = book.indexOfOrderId(orderId, request.nowMs);
  if (index === undefined || book.shopNoOf(index) !== shop.shopNo) {
    throw new AdminApiError(404, ADMIN_MESSAGES.notFoundResource(`order_id ${orderId}`));
  }
  const core = book.core(index);
  return { core, state: orderStateAt(core.skeleton, request.nowMs) };
}

function getOrder(request: AdminRequest): AdminResult {
  const { core, state } = findOrder(request);
  const embed = readEmbed(request);
  const order = projectFields(orderPayload(core, state, embed, request.canaries), request.query.list('fields'), embed);
  return { body: { order }, rows: 1 + (embed.includes('items') ? core.items.length : 0) };
}

function getOrderItems(request: AdminRequest): AdminResult {
  const { core, state } = findOrder(request);
  const items = core.items.map((item, k) => itemPayload(core, item, state.items[k] as (typeof state.items)[number], state.atMs, request.canaries));
  return { body: { items }, rows: items.length };
}

export const ORDER_ROUTES: AdminRoute[] = [
  { path: '/orders', scope: SCOPE, handle: listOrders },
  { path: '/orders/count', scope: SCOPE, handle: countOrders },
  { path: '/orders/:order_id', scope: SCOPE, handle: getOrder },
  { path: '/orders/:order_id/items', scope: SCOPE, handle: getOrderItems },
];
