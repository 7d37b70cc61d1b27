/**
 * Which records a query matches, shared by the API handlers and `truth()` so the ground truth is exactly what a
 * complete sync through the API can find. Bounds are inclusive at both ends, to the second, as the API reads
 * `start_date`/`end_date`.
 */
import type { ClaimType } from './item-lifecycle.js';
import type { ItemPlan, OrderPlan } from './order-flow.js';
import type { SellerData } from './seller-registry.js';

export interface ItemRef {
  order: OrderPlan;
  item: ItemPlan;
}

export type OrderDateType = 'ordered_at' | 'checked_at';

/** Order items whose `date_type` stamp lies in [fromMs, toMs], oldest first by that stamp. */
export function selectOrderItems(seller: SellerData, dateType: OrderDateType, fromMs: number, toMs: number, nowMs: number): ItemRef[] {
  // checked_at trails ordered_at by at most 6 h (bank transfers), so widen the placement window by that.
  const widen = dateType === 'checked_at' ? 6 * 3_600_000 : 0;
  const out: ItemRef[] = [];
  for (const order of seller.orders.ordersPlacedBetween(fromMs - widen, toMs, nowMs)) {
    const stamp = dateType === 'ordered_at' ? order.orderedAtMs : order.checkedAtMs;
    if (stamp < fromMs || stamp > toMs || stamp > nowMs) continue;
    for (const item of order.items) out.push({ order, item });
  }
  return out.sort((a, b) => stampOf(a, dateType) - stampOf(b, dateType) || a.item.sno - b.item.sno);
}

export function stampOf(ref: ItemRef, dateType: OrderDateType): number {
  return dateType === 'ordered_at' ? ref.order.orderedAtMs : ref.order.checkedAtMs;
}

/** Claims of one type (cancel / return) received within [fromMs, toMs] and by now, oldest first. */
export function selectClaims(seller: SellerData, type: Exclude<ClaimType, 'exchange'>, fromMs: number, toMs: number, nowMs: number): ItemRef[] {
  const out: ItemRef[] = [];
  for (const order of seller.orders.ordersTouching(fromMs, toMs, nowMs)) {
    for (const item of order.items) {
      const claim = item.lifecycle.claim;
      if (!claim || claim.type !== type) continue;
      if (claim.receivedAtMs >= fromMs && claim.receivedAtMs <= toMs && claim.receivedAtMs <= nowMs) out.push({ order, item });
    }
  }
  return out.sort((a, b) => receivedAt(a) - receivedAt(b) || a.item.sno - b.item.sno);
}

const receivedAt = (ref: ItemRef) => ref.item.lifecycle.claim?.receivedAtMs ?? 0;
const reviewAt = (ref: ItemRef) => ref.item.lifecycle.reviewAtMs ?? 0;

/** Reviews written within [fromMs, toMs] and by now, newest first (`order_by=LATEST`). */
export function selectReviews(seller: SellerData, fromMs: number, toMs: number, nowMs: number): ItemRef[] {
  const from = Math.max(fromMs, seller.orders.historyStartMs);
  const out: ItemRef[] = [];
  for (const order of seller.orders.ordersTouching(from, toMs, nowMs)) {
    for (const item of order.items) {
      const at = item.lifecycle.reviewAtMs;
      if (at !== undefined && at >= fromMs && at <= toMs && at <= nowMs) out.push({ order, item });
    }
  }
  return out.sort((a, b) => reviewAt(b) - reviewAt(a) || b.item.sno - a.item.sno);
}

/** Items confirmed within [fromMs, toMs) and by now: the lines of one settlement period. */
export function selectConfirmed(seller: SellerData, fromMs: number, toMs: number, nowMs: number): ItemRef[] {
  const out: ItemRef[] = [];
  for (const order of seller.orders.ordersTouching(fromMs, toMs, nowMs)) {
    for (const item of order.items) {
      const at = item.lifecycle.confirmedAtMs;
      if (at !== undefined && at >= fromMs && at < toMs && at <= nowMs) out.push({ order, item });
    }
  }
  return out.sort((a, b) => (a.item.lifecycle.confirmedAtMs ?? 0) - (b.item.lifecycle.confirmedAtMs ?? 0) || a.item.sno - b.item.sno);
}
