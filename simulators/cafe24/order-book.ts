/**
 * A mall's orders as a function of their index, never stored in full.
 *
 * Order `i` is placed at `historyStart + (i + jitter_i) × spacing`: strictly increasing in `i`, so a date range is
 * an index range found by arithmetic, and new orders keep arriving at the same rate after the data anchor as the
 * clock runs. Everything else about order `i` (buyer, items, amounts, status script) comes from a random stream
 * seeded by (seed, mall, i), so any single order can be built alone, cheaply and identically every time.
 */
import { buildOrderCore, buildOrderSkeleton, type OrderCore, type OrderSkeleton } from './order-core.js';
import type { Catalog } from './catalog.js';
import { DAY_MS, kstCompactDate, kstStartOfDay, parseKstDate } from './kst.js';
import type { ShopInfo } from './multi-shop.js';
import { hashSeed } from './seeded-random.js';
import type { ResolvedShopSpec } from './shop-spec.js';

/** A bounded memo (an LRU in practice) shared by all malls; keys carry the mall and its data generation. */
export interface MemoCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
}

export interface OrderCaches {
  skeletons: MemoCache<OrderSkeleton>;
  cores: MemoCache<OrderCore>;
  /** Serialized order payloads (UTF-8). */
  json: MemoCache<Buffer>;
}

export class OrderBook {
  readonly historyStartMs: number;
  /** Average time between two orders; Infinity for a mall that never sells. */
  readonly spacingMs: number;

  constructor(
    private readonly seed: number,
    readonly spec: ResolvedShopSpec,
    readonly anchorMs: number,
    private readonly catalog: Catalog,
    private readonly shops: ShopInfo[],
    private readonly caches: OrderCaches,
    /** Distinguishes this mall's data from an earlier size of it in the shared caches. */
    private readonly cacheKeyPrefix: string,
  ) {
    this.historyStartMs = anchorMs - spec.historyDays * DAY_MS;
    this.spacingMs = spec.orders > 0 && catalog.products.length > 0 ? (spec.historyDays * DAY_MS) / spec.orders : Infinity;
  }

  orderDateOf(index: number): number {
    const jitter = hashSeed(this.seed, this.spec.mallId, 'order-date', index) / 4_294_967_296;
    return this.historyStartMs + Math.floor((index + jitter) * this.spacingMs);
  }

  /** The smallest index placed at or after `atMs` (which may not exist yet). */
  firstIndexAtOrAfter(atMs: number): number {
    if (!Number.isFinite(this.spacingMs)) return 0;
    let index = Math.max(0, Math.floor((atMs - this.historyStartMs) / this.spacingMs));
    // The estimate is exact but for float rounding at a boundary; these loops settle that in a step at most.
    while (index > 0 && this.orderDateOf(index - 1) >= atMs) index--;
    while (this.orderDateOf(index) < atMs) index++;
    return index;
  }

  /** How many orders exist at `nowMs` (indices 0..count-1). */
  countAt(nowMs: number): number {
    if (!Number.isFinite(this.spacingMs)) return 0;
    return this.firstIndexAtOrAfter(nowMs + 1);
  }

  shopNoOf(index: number): number {
    if (this.shops.length === 1) return 1;
    const roll = hashSeed(this.seed, this.spec.mallId, 'order-shop', index) % 100;
    // Nine in ten orders go to the default shop; the rest spread over the foreign shops.
    return roll < 90 ? 1 : 2 + (roll % (this.shops.length - 1));
  }

  /** `YYYYMMDD-NNNNNNN`: the KST order day and the order's sequence within that day across the mall. */
  orderIdOf(index: number): string {
    const placedAt = this.orderDateOf(index);
    const sequence = index - this.firstIndexAtOrAfter(kstStartOfDay(placedAt)) + 1;
    return `${kstCompactDate(placedAt)}-${String(sequence).padStart(7, '0')}`;
  }

  /** The index of an order id that exists at `nowMs`, or undefined. */
  indexOfOrderId(orderId: string, nowMs: number): number | undefined {
    const match = /^(\d{4})(\d{2})(\d{2})-(\d{7})$/.exec(orderId);
    if (!match) return undefined;
    const dayStart = parseKstDate(`${match[1]}-${match[2]}-${match[3]}`);
    const sequence = Number(match[4]);
    if (dayStart === undefined || sequence < 1) return undefined;
    const index = this.firstIndexAtOrAfter(dayStart) + sequence - 1;
    if (index >= this.countAt(nowMs) || this.orderDateOf(index) >= dayStart + DAY_MS) return undefined;
    return index;
  }

  /**
   * The order's JSON as built by `build`, memoized under a key that changes whenever the payload can: the
   * order's last status change (status changes happen in time order, so nothing else moves the payload) and
   * the embedded resources.
   */
  json(index: number, variant: string, lastChangedAtMs: number, build: () => Buffer): Buffer {
    const key = `${this.cacheKeyPrefix}:j${index}:${variant}:${lastChangedAtMs}`;
    const cached = this.caches.json.get(key);
    if (cached !== undefined) return cached;
    const built = build();
    this.caches.json.set(key, built);
    return built;
  }

  skeleton(index: number): OrderSkeleton {
    const key = `${this.cacheKeyPrefix}:s${index}`;
    const cached = this.caches.skeletons.get(key);
    if (cached) return cached;
    const built = buildOrderSkeleton(this.seed, this.spec.mallId, index, this.orderDateOf(index), this.shopNoOf(index));
    this.caches.skeletons.set(key, built);
    return built;
  }

  core(index: number): OrderCore {
    const key = `${this.cacheKeyPrefix}:c${index}`;
    const cached = this.caches.cores.get(key);
    if (cached) return cached;
    const skeleton = this.skeleton(index);
    const built = buildOrderCore({
      seed: this.seed, mallId: this.spec.mallId, skeleton, orderId: this.orderIdOf(index),
      shop: this.shops[skeleton.shopNo - 1] as ShopInfo, catalog: this.catalog,
      memberPoolSize: Math.max(20, Math.round(this.spec.orders / 3)),
    });
    this.caches.cores.set(key, built);
    return built;
  }
}
