/**
 * Product statistics per KST day and option (`/seller/business-insight/market-performance/option-stats-options/`).
 * Order figures are aggregated from the same order items the orders endpoint serves (by `ordered_at`, gross of
 * later claims, ◇), so they reconcile; views, cart adds and likes are drawn per (option, day) around them.
 * A day is reported from the goods' registration day up to today (today so far).
 */
import { DAY_MS, kstDateKey, kstStartOfDay } from '../cafe24/kst.js';
import { rngFor } from '../cafe24/seeded-random.js';
import type { Goods } from './goods.js';
import type { SellerData } from './seller-registry.js';

export interface OptionStatRow {
  date: string;
  goods_sno: number;
  goods_option_sno: number;
  view_count: number;
  order_count: number;
  sold_quantity: number;
  sales_amount: number;
  cart_count: number;
  like_count: number;
}

/** One row per option per day in [fromDayMs, toDayMs] (KST midnights), date ascending then option. */
export function optionStats(seed: number, seller: SellerData, goods: Goods, fromDayMs: number, toDayMs: number, nowMs: number): OptionStatRow[] {
  const firstDay = Math.max(fromDayMs, kstStartOfDay(goods.registeredAtMs));
  const lastDay = Math.min(toDayMs, kstStartOfDay(nowMs));
  const rows: OptionStatRow[] = [];
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    const totals = new Map<number, { orders: number; quantity: number; amount: number }>();
    for (const order of seller.orders.ordersPlacedBetween(day, day + DAY_MS - 1, nowMs)) {
      for (const item of order.items) {
        if (item.goods.sno !== goods.sno) continue;
        const t = totals.get(item.option.sno) ?? { orders: 0, quantity: 0, amount: 0 };
        t.orders += 1;
        t.quantity += item.ea;
        t.amount += item.exactAmount;
        totals.set(item.option.sno, t);
      }
    }
    const date = kstDateKey(day);
    for (const option of goods.options) {
      const t = totals.get(option.sno) ?? { orders: 0, quantity: 0, amount: 0 };
      const rng = rngFor(seed, seller.spec.sellerId, 'stat', option.sno, date);
      rows.push({
        date, goods_sno: goods.sno, goods_option_sno: option.sno,
        view_count: t.orders * rng.int(8, 30) + rng.int(0, 25),
        order_count: t.orders,
        sold_quantity: t.quantity,
        sales_amount: t.amount,
        cart_count: t.orders + rng.int(0, 6),
        like_count: rng.int(0, 4),
      });
    }
  }
  return rows;
}
