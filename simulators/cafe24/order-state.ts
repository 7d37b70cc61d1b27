/**
 * An order as it stands at one instant: each item's current status, the order-level flags derived from them
 * (`paid`, `canceled`, `shipping_status`) and the dates reached so far; plus, given the full core, the amounts
 * after refunds.
 * Cafe24 orders carry no `updated_date` (the order field list behind reference §7.1 has none, and §11 notes there
 * is no such filter): a status change shows in the item statuses and item dates, which is what a connector sees.
 * `lastChangedAtMs` is the simulator's ground truth for tests, never sent.
 */
import type { OrderCore, OrderSkeleton } from './order-core.js';
import {
  isCancelled, isRefundedOut, type OrderStatus, reachedAt, type StatusChange, statusAt,
} from './order-lifecycle.js';

/** `date_type` values of GET /orders (§7.1). */
export const ORDER_DATE_TYPES = [
  'order_date', 'pay_date', 'shipbegin_date', 'shipend_date', 'cancel_date', 'place_date', 'cancel_request_date',
  'cancel_accept_date', 'cancel_complete_date', 'exchange_request_date', 'exchange_accept_date',
  'exchange_complete_date', 'return_request_date', 'return_accept_date', 'return_complete_date',
  'purchaseconfirmation_date',
] as const;
export type OrderDateType = (typeof ORDER_DATE_TYPES)[number];

/** Which item status marks each item-level date type. Exchanges are not simulated, so theirs match nothing. */
const DATE_TYPE_STATUSES: Partial<Record<OrderDateType, readonly OrderStatus[]>> = {
  shipbegin_date: ['N30'],
  shipend_date: ['N40'],
  cancel_date: ['C40', 'C47', 'C48'],
  place_date: ['N20'],
  cancel_request_date: ['C00'],
  cancel_accept_date: ['C10'],
  cancel_complete_date: ['C40'],
  return_request_date: ['R00'],
  return_accept_date: ['R10'],
  return_complete_date: ['R40'],
  purchaseconfirmation_date: ['N50'],
};

export interface ItemState {
  status: OrderStatus;
  changedAtMs: number;
  script: readonly StatusChange[];
}

export interface OrderState {
  skeleton: OrderSkeleton;
  atMs: number;
  items: ItemState[];
  paid: 'T' | 'F';
  canceled: 'T' | 'F' | 'M';
  shippingStatus: 'F' | 'M' | 'T';
  paymentDateMs: number | null;
  cancelDateMs: number | null;
  lastChangedAtMs: number;
}

export function orderStateAt(skeleton: OrderSkeleton, atMs: number): OrderState {
  const items: ItemState[] = skeleton.plan.items.map((script) => {
    const current = statusAt(script, atMs) as StatusChange;
    return { status: current.status, changedAtMs: current.atMs, script };
  });
  const cancelledCount = items.filter((i) => isCancelled(i.status)).length;
  const cancelDates = items.filter((i) => isCancelled(i.status)).map((i) => i.changedAtMs);
  const paidAt = skeleton.plan.paidAtMs;
  return {
    skeleton, atMs, items,
    paid: paidAt !== null && paidAt <= atMs ? 'T' : 'F',
    canceled: cancelledCount === 0 ? 'F' : cancelledCount === items.length ? 'T' : 'M',
    shippingStatus: items.some((i) => i.status === 'N30')
      ? 'M'
      : items.some((i) => reachedAt(i.script, 'N40', atMs) !== null) ? 'T' : 'F',
    paymentDateMs: paidAt !== null && paidAt <= atMs ? paidAt : null,
    cancelDateMs: cancelDates.length > 0 ? Math.max(...cancelDates) : null,
    lastChangedAtMs: Math.max(...items.map((i) => i.changedAtMs)),
  };
}

/** The instants at which the order matches a `date_type` (up to the view time). */
export function datesOfType(state: OrderState, dateType: OrderDateType): number[] {
  if (dateType === 'order_date') return [state.skeleton.orderDateMs];
  if (dateType === 'pay_date') return state.paymentDateMs === null ? [] : [state.paymentDateMs];
  const statuses = DATE_TYPE_STATUSES[dateType] ?? [];
  const dates: number[] = [];
  for (const item of state.items) {
    for (const status of statuses) {
      const at = reachedAt(item.script, status, state.atMs);
      if (at !== null) dates.push(at);
    }
  }
  return dates;
}

export interface OrderAmounts {
  orderPriceCents: number;
  shippingFeeCents: number;
  couponCents: number;
  pointsCents: number;
  totalDueCents: number;
}

/** `initial_order_amount` and `actual_order_amount`: refunded lines leave the actual amount with their coupon share. */
export function orderAmounts(core: OrderCore, state: OrderState): { initial: OrderAmounts; actual: OrderAmounts } {
  const lineCents = (k: number) => {
    const item = core.items[k];
    return item ? (item.unitPriceCents + item.optionPriceCents) * item.quantity : 0;
  };
  const all = core.items.map((_, k) => k);
  const kept = all.filter((k) => !isRefundedOut((state.items[k] as ItemState).status));
  const sum = (ks: number[], f: (k: number) => number) => ks.reduce((total, k) => total + f(k), 0);
  const initial = totals(sum(all, lineCents), core.shippingFeeCents, core.couponCents, core.pointsCents);
  if (kept.length === all.length) return { initial, actual: initial };
  if (kept.length === 0) return { initial, actual: totals(0, 0, 0, 0) };
  const keptPrice = sum(kept, lineCents);
  const keptCoupon = sum(kept, (k) => core.items[k]?.couponCents ?? 0);
  return {
    initial,
    actual: totals(keptPrice, core.shippingFeeCents, keptCoupon, Math.min(core.pointsCents, keptPrice - keptCoupon)),
  };
}

function totals(orderPriceCents: number, shippingFeeCents: number, couponCents: number, pointsCents: number): OrderAmounts {
  return {
    orderPriceCents, shippingFeeCents, couponCents, pointsCents,
    totalDueCents: orderPriceCents + shippingFeeCents - couponCents - pointsCents,
  };
}
