/**
 * The order flow of one seller: order `i` is placed at `historyStart + (i + jitter) × spacing` (jitter in [0, 1)
 * from the order's own random stream), so a time window is an index range found by arithmetic and orders keep
 * arriving after the data anchor as simulated time moves. Each order holds 1–3 items, and every item carries its
 * whole future up front: the lifecycle script in item-lifecycle.ts. What a payload shows is that script read at
 * "now", so statuses of recent items move on as the clock advances and old items stay put.
 */
import type { LRUCache } from 'lru-cache';
import { makePerson, type Person } from '../cafe24/people.js';
import { SHIPPING_MESSAGES } from '../cafe24/korean-words.js';
import { DAY_MS } from '../cafe24/kst.js';
import { type Rng, rngFor } from '../cafe24/seeded-random.js';
import type { Goods, GoodsOption } from './goods.js';
import { type ItemLifecycle, planLifecycle, MAX_LIFECYCLE_MS } from './item-lifecycle.js';
import type { ResolvedSellerSpec } from './seller-spec.js';

export interface ItemPlan {
  sno: number;
  goods: Goods;
  option: GoodsOption;
  ea: number;
  /** Unit price at order time (goods price + option surcharge). */
  price: number;
  couponDiscount: number;
  emoneyDiscount: number;
  /** The parts of the discounts Ably pays for (reimbursed in the settlement). */
  couponForAbly: number;
  emoneyForAbly: number;
  /** What the buyer paid for the line: price × ea − discounts. */
  exactAmount: number;
  lifecycle: ItemLifecycle;
}

export interface OrderPlan {
  index: number;
  orderSno: number;
  orderedAtMs: number;
  checkedAtMs: number;
  buyer: Person;
  receiver: Person;
  memo: string;
  payMethodName: string;
  items: ItemPlan[];
}

const PAY_METHODS = [['카드', 55], ['카카오페이', 15], ['네이버페이', 12], ['토스페이', 8], ['무통장입금', 10]] as const;

export class OrderFlow {
  readonly spacingMs: number;
  /** Goods by registration time: an order only buys what was on sale then. */
  private readonly byRegistration: Goods[];

  constructor(
    private readonly seed: number,
    readonly seller: ResolvedSellerSpec,
    goods: Goods[],
    readonly historyStartMs: number,
    private readonly cache: LRUCache<string, OrderPlan>,
    private readonly cacheKey: string,
  ) {
    this.spacingMs = DAY_MS / seller.ordersPerDay;
    this.byRegistration = [...goods].sort((a, b) => a.registeredAtMs - b.registeredAtMs);
  }

  /** Order numbers are `sellerNo × 1 000 000 + i + 1`; item numbers append the line (`× 10 + j`). */
  orderSnoOf(index: number): number {
    return this.seller.sellerNo * 1_000_000 + index + 1;
  }

  indexOfOrderSno(orderSno: number): number | undefined {
    const index = orderSno - this.seller.sellerNo * 1_000_000 - 1;
    return index >= 0 && index < 1_000_000 ? index : undefined;
  }

  order(index: number): OrderPlan {
    const key = `${this.cacheKey}:${index}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const plan = this.build(index);
    this.cache.set(key, plan);
    return plan;
  }

  /** Orders placed within [fromMs, toMs] and not after `nowMs`, oldest first. */
  ordersPlacedBetween(fromMs: number, toMs: number, nowMs: number): OrderPlan[] {
    const upper = Math.min(toMs, nowMs);
    if (upper < this.historyStartMs || fromMs > upper) return [];
    const lo = Math.max(0, Math.floor((fromMs - this.historyStartMs) / this.spacingMs) - 1);
    const hi = Math.floor((upper - this.historyStartMs) / this.spacingMs) + 1;
    const out: OrderPlan[] = [];
    for (let i = lo; i <= hi; i++) {
      const order = this.order(i);
      if (order.orderedAtMs >= fromMs && order.orderedAtMs <= upper) out.push(order);
    }
    return out;
  }

  /**
   * Orders whose items can have an event (payment, claim, confirmation, review) within [fromMs, toMs]: every
   * event happens within MAX_LIFECYCLE_MS of the order, so this is the look-back a filter on a later date needs.
   */
  ordersTouching(fromMs: number, toMs: number, nowMs: number): OrderPlan[] {
    return this.ordersPlacedBetween(fromMs - MAX_LIFECYCLE_MS, toMs, nowMs);
  }

  private build(index: number): OrderPlan {
    const rng = rngFor(this.seed, this.seller.sellerId, 'order', index);
    const orderedAtMs = Math.floor(this.historyStartMs + (index + rng.next()) * this.spacingMs);
    const payMethodName = rng.weighted(PAY_METHODS);
    // A card is approved in seconds; a bank transfer is deposited within hours (checked_at = paid).
    const checkedAtMs = orderedAtMs + (payMethodName === '무통장입금' ? rng.int(600_000, 6 * 3_600_000) : rng.int(2_000, 90_000));
    const buyer = makePerson(rng);
    const receiver = rng.chance(0.7) ? buyer : makePerson(rng);
    const orderSno = this.orderSnoOf(index);
    const lines = rng.weighted([[1, 70], [2, 22], [3, 8]] as const);
    const items = Array.from({ length: lines }, (_, j) => this.item(rng, orderSno * 10 + j + 1, checkedAtMs));
    return { index, orderSno, orderedAtMs, checkedAtMs, buyer, receiver, memo: rng.pick(SHIPPING_MESSAGES), payMethodName, items };
  }

  private item(rng: Rng, sno: number, checkedAtMs: number): ItemPlan {
    const onSale = this.byRegistration.filter((g) => g.registeredAtMs <= checkedAtMs);
    const goods = rng.pick(onSale.length > 0 ? onSale : this.byRegistration.slice(0, 1));
    const option = rng.pick(goods.options);
    const ea = rng.weighted([[1, 85], [2, 12], [3, 3]] as const);
    const price = goods.price + option.additionalPrice;
    const couponDiscount = rng.chance(0.3) ? Math.round((price * ea * 0.1) / 10) * 10 : 0;
    const emoneyDiscount = rng.chance(0.2) ? rng.int(1, 20) * 100 : 0;
    const couponForAbly = rng.chance(0.5) ? couponDiscount : 0;
    const emoneyForAbly = emoneyDiscount;
    return {
      sno, goods, option, ea, price, couponDiscount, emoneyDiscount, couponForAbly, emoneyForAbly,
      exactAmount: price * ea - couponDiscount - emoneyDiscount,
      lifecycle: planLifecycle(rng, checkedAtMs, option.deliveryType),
    };
  }
}
