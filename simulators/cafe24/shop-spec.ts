/**
 * What a simulated mall looks like before any data exists: its id and sizes. Data is generated from the spec,
 * the simulator seed and the data anchor, lazily, the first time the mall is touched.
 */
import { rngFor } from './seeded-random.js';

export interface ShopSpec {
  /** Cafe24 mall id: lowercase letters and digits, 4 to 16 characters (it is a DNS label in production). */
  mallId: string;
  /** Products in the catalog. @default 50 */
  products?: number;
  /** Orders placed during the history window before the data anchor; new ones keep arriving at the same rate. @default 300 */
  orders?: number;
  /** Length of that history window in days. @default 180 */
  historyDays?: number;
  /** Multi-shops under this mall id (`shop_no` 1..n, at most 15 per §8); shop 2 onwards sell in USD. @default 1 */
  shopCount?: number;
}

export type ResolvedShopSpec = Required<ShopSpec>;

export const DEFAULT_SHOP_SIZE = { products: 50, orders: 300, historyDays: 180, shopCount: 1 } as const;

const MALL_ID = /^[a-z0-9]{4,16}$/;

export function resolveShopSpec(spec: ShopSpec): ResolvedShopSpec {
  if (!MALL_ID.test(spec.mallId)) {
    throw new RangeError(`mallId '${spec.mallId}' must be 4-16 lowercase letters or digits, like a real Cafe24 mall id`);
  }
  const resolved = { ...DEFAULT_SHOP_SIZE, ...stripUndefined(spec) } as ResolvedShopSpec;
  for (const key of ['products', 'orders'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) throw new RangeError(`${key} must be an integer >= 0 for ${spec.mallId}`);
  }
  if (!(resolved.historyDays > 0)) throw new RangeError(`historyDays must be > 0 for ${spec.mallId}`);
  if (!Number.isInteger(resolved.shopCount) || resolved.shopCount < 1 || resolved.shopCount > 15) {
    throw new RangeError(`shopCount must be 1..15 for ${spec.mallId}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Size classes for a fleet of malls: [share of malls, products range, orders range]. */
export const FLEET_SIZE_CLASSES = [
  { name: 'small', share: 0.8, products: [10, 80], orders: [30, 600] },
  { name: 'medium', share: 0.17, products: [150, 800], orders: [1_500, 8_000] },
  { name: 'large', share: 0.03, products: [1_000, 3_000], orders: [20_000, 60_000] },
] as const;

/**
 * Specs for `count` malls named `{prefix}0001`...: most small, some medium, a few large, drawn from the seed so
 * the same seed always describes the same fleet (the 1,000-shop benchmark).
 */
export function fleetSpecs({ count, seed, prefix = 'shop', multiShopShare = 0.05 }: {
  count: number; seed: number; prefix?: string; multiShopShare?: number;
}): ShopSpec[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const mallId = `${prefix}${String(i + 1).padStart(width, '0')}`;
    const rng = rngFor(seed, mallId, 'fleet');
    const sizeClass = rng.weighted(FLEET_SIZE_CLASSES.map((c) => [c, c.share] as const));
    return {
      mallId,
      products: rng.int(sizeClass.products[0], sizeClass.products[1]),
      orders: rng.int(sizeClass.orders[0], sizeClass.orders[1]),
      shopCount: rng.chance(multiShopShare) ? 2 : 1,
    };
  });
}
