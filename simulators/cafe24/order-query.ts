/**
 * Which orders match a filter at a given time, in list order. Used by the orders endpoints and by the ground
 * truth the simulator hands to tests, so "what the API returns" and "what exists" come from one definition.
 *
 * List order is ascending order date (then order id). The real default sort is undocumented (§12.7); ascending
 * keeps offset paging stable while new orders arrive, which is what a connector paging a window needs to be
 * correct at all, and status-filtered pages still shift when orders change status, as they would for real.
 */
import type { OrderBook } from './order-book.js';
import { MAX_LIFECYCLE_MS } from './order-lifecycle.js';
import { datesOfType, type OrderDateType, orderStateAt } from './order-state.js';

export interface OrderFilter {
  shopNo: number;
  dateType: OrderDateType;
  /** [fromMs, toMs): the instants a `date_type` date must fall in. */
  range?: { fromMs: number; toMs: number };
  orderIds?: readonly string[];
  orderStatuses?: ReadonlySet<string>;
  paymentMethods?: ReadonlySet<string>;
  productNos?: ReadonlySet<number>;
  memberType?: '2' | '3';
  memberId?: string;
  orderPlaceIds?: ReadonlySet<string>;
  firstOrder?: 'T' | 'F';
}

export function matchingOrderIndices(book: OrderBook, filter: OrderFilter, nowMs: number): number[] {
  const existing = book.countAt(nowMs);
  let candidates: Iterable<number>;
  if (filter.orderIds) {
    const indices = filter.orderIds
      .map((id) => book.indexOfOrderId(id, nowMs))
      .filter((i): i is number => i !== undefined);
    candidates = [...new Set(indices)].sort((a, b) => a - b);
  } else {
    // Every event of an order happens within MAX_LIFECYCLE_MS after it is placed, so events in the range belong
    // to orders placed from that much earlier up to the end of the range.
    const range = filter.range ?? { fromMs: -Infinity, toMs: Infinity };
    const placedFrom = filter.dateType === 'order_date' ? range.fromMs : range.fromMs - MAX_LIFECYCLE_MS;
    const first = Number.isFinite(placedFrom) ? book.firstIndexAtOrAfter(placedFrom) : 0;
    const end = Number.isFinite(range.toMs) ? Math.min(existing, book.firstIndexAtOrAfter(range.toMs)) : existing;
    candidates = indexRange(first, end);
  }

  const needsState = filter.dateType !== 'order_date' || !!filter.orderStatuses || !!filter.paymentMethods;
  const needsCore = !!(filter.productNos || filter.memberType || filter.memberId || filter.orderPlaceIds || filter.firstOrder);
  const matches: number[] = [];
  for (const index of candidates) {
    if (index >= existing || book.shopNoOf(index) !== filter.shopNo) continue;
    if (filter.orderIds && filter.range && filter.dateType === 'order_date' && !placedIn(book, index, filter.range)) continue;
    if (needsState && !matchesState(book, index, filter, nowMs)) continue;
    if (needsCore && !matchesCore(book, index, filter)) continue;
    matches.push(index);
  }
  return matches;
}

function matchesState(book: OrderBook, index: number, filter: OrderFilter, nowMs: number): boolean {
  const skeleton = book.skeleton(index);
  if (filter.paymentMethods && !filter.paymentMethods.has(skeleton.paymentMethod)) return false;
  const state = orderStateAt(skeleton, nowMs);
  if (filter.orderStatuses && !state.items.some((item) => filter.orderStatuses?.has(item.status))) return false;
  if (filter.range && filter.dateType !== 'order_date') {
    const { fromMs, toMs } = filter.range;
    if (!datesOfType(state, filter.dateType).some((at) => at >= fromMs && at < toMs)) return false;
  }
  return true;
}

function matchesCore(book: OrderBook, index: number, filter: OrderFilter): boolean {
  const core = book.core(index);
  if (filter.productNos && !core.items.some((item) => filter.productNos?.has(item.product.productNo))) return false;
  if (filter.memberType === '2' && core.memberId === null) return false;
  if (filter.memberType === '3' && core.memberId !== null) return false;
  if (filter.memberId !== undefined && core.memberId !== filter.memberId) return false;
  if (filter.orderPlaceIds && !filter.orderPlaceIds.has(core.placeId)) return false;
  if (filter.firstOrder && (core.firstOrder ? 'T' : 'F') !== filter.firstOrder) return false;
  return true;
}

function placedIn(book: OrderBook, index: number, range: { fromMs: number; toMs: number }): boolean {
  const placed = book.orderDateOf(index);
  return placed >= range.fromMs && placed < range.toMs;
}

function* indexRange(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}
