/**
 * Ground truth for reconciliation: what a complete sync of a seller through the API finds, computed with the
 * same selection code the handlers use. Bounds are instants, inclusive at both ends, like the API's.
 */
import { DAY_MS, kstStartOfDay } from '../cafe24/kst.js';
import { stateAt, type ItemStatus } from './item-lifecycle.js';
import { optionStats } from './option-stats.js';
import { selectClaims, selectOrderItems, selectReviews, type OrderDateType } from './selection.js';
import type { SellerData } from './seller-registry.js';
import { settlementPayload, settlementsOf } from './settlements.js';

export interface TruthQuery {
  /** Inclusive lower bound (Date, epoch ms or ISO text). @default the start of the seller's history */
  since?: Date | number | string;
  /** Inclusive upper bound. @default now */
  until?: Date | number | string;
  /** Which stamp bounds order items. @default 'ordered_at' */
  dateType?: OrderDateType;
}

export interface AblyTruth {
  orderItems: number;
  orders: number;
  itemsByStatus: Record<ItemStatus, number>;
  /** Σ exact_amount of the order items. */
  orderItemAmount: number;
  /** Claims by `cancel_received_at` within the bounds. */
  cancels: number;
  returns: number;
  /** Reviews by `created_at` within the bounds. */
  reviews: number;
  goods: number;
  options: number;
  /** Option-stat rows over every goods and day within the bounds (one per option per day), and their sums. */
  statRows: number;
  statOrderCount: number;
  statSoldQuantity: number;
  statSalesAmount: number;
  /** Closed months (the whole history, the bounds do not apply), their CSV lines and Σ settlement_amount. */
  settlements: number;
  settlementLines: number;
  settlementAmount: number;
  /** Order items with their current status and when it last changed: for look-back checks. */
  items: Array<{ sno: number; orderSno: number; status: ItemStatus; orderedAtMs: number; lastChangedAtMs: number }>;
}

const toMs = (value: Date | number | string | undefined, fallback: number) =>
  value === undefined ? fallback : value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);

export function truthOf(seed: number, seller: SellerData, nowMs: number, query: TruthQuery = {}): AblyTruth {
  const fromMs = toMs(query.since, seller.orders.historyStartMs);
  const toMsValue = Math.min(toMs(query.until, nowMs), nowMs);
  const refs = selectOrderItems(seller, query.dateType ?? 'ordered_at', fromMs, toMsValue, nowMs);
  const itemsByStatus = { PAID: 0, PREPARING: 0, SHIPPING: 0, DELIVERED: 0, CONFIRMED: 0, CANCELLED: 0, RETURNED: 0, EXCHANGED: 0 };
  const items = refs.map(({ order, item }) => {
    const state = stateAt(item.lifecycle, nowMs);
    itemsByStatus[state.status] += 1;
    return { sno: item.sno, orderSno: order.orderSno, status: state.status, orderedAtMs: order.orderedAtMs, lastChangedAtMs: state.lastChangedAtMs };
  });
  let statRows = 0;
  let statOrderCount = 0;
  let statSoldQuantity = 0;
  let statSalesAmount = 0;
  const firstDay = kstStartOfDay(Math.max(fromMs, seller.orders.historyStartMs - 30 * DAY_MS));
  for (const goods of seller.goods) {
    for (const row of optionStats(seed, seller, goods, firstDay, kstStartOfDay(toMsValue), nowMs)) {
      statRows += 1;
      statOrderCount += row.order_count;
      statSoldQuantity += row.sold_quantity;
      statSalesAmount += row.sales_amount;
    }
  }
  const settlements = settlementsOf(seed, seller, nowMs);
  return {
    orderItems: refs.length,
    orders: new Set(refs.map((r) => r.order.orderSno)).size,
    itemsByStatus,
    orderItemAmount: refs.reduce((sum, r) => sum + r.item.exactAmount, 0),
    cancels: selectClaims(seller, 'cancel', fromMs, toMsValue, nowMs).length,
    returns: selectClaims(seller, 'return', fromMs, toMsValue, nowMs).length,
    reviews: selectReviews(seller, fromMs, toMsValue, nowMs).length,
    goods: seller.goods.length,
    options: seller.goods.reduce((sum, g) => sum + g.options.length, 0),
    statRows, statOrderCount, statSoldQuantity, statSalesAmount,
    settlements: settlements.length,
    settlementLines: settlements.reduce((sum, s) => sum + s.lines.length, 0),
    settlementAmount: settlements.reduce((sum, s) => sum + (settlementPayload(s).settlement_amount as number), 0),
    items,
  };
}
