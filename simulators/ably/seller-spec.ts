/**
 * Who the simulated sellers are and how big their shops are. A seller's identity and credentials come from
 * (seed, sellerId) alone, so a test, the consumer and the bench all see the same accounts for the same seed.
 *
 * Which sellers need the browser login ('challenge') is decided by the `challengeShare` knob over the seller's
 * position, spread so that any run of sellers gets the share rounded (1 in 10 at 0.1), with a seed-dependent
 * offset; a spec's own `loginMode` wins.
 */
import { hashSeed, randomToken, rngFor } from '../cafe24/seeded-random.js';

export type LoginMode = 'api' | 'challenge';

export interface AblySellerSpec {
  sellerId: string;
  /** Products in the catalog. @default 20 */
  goods?: number;
  /** Orders placed per simulated day (each holds 1–3 items). @default 8 */
  ordersPerDay?: number;
  /** Days of order history before the data anchor. @default 90 */
  historyDays?: number;
  /** Overrides the `challengeShare` knob for this seller. */
  loginMode?: LoginMode;
  /** @default derived from the seed */
  password?: string;
  /** @default `${sellerId}@seller.ably-sim.test` */
  email?: string;
}

export interface ResolvedSellerSpec {
  /** 1-based position, the prefix of every number (sno) the seller's data carries. */
  sellerNo: number;
  sellerId: string;
  email: string;
  password: string;
  goods: number;
  ordersPerDay: number;
  historyDays: number;
  fixedLoginMode?: LoginMode;
}

/** What `sim.sellers` lists: enough to log in. */
export interface AblySellerAccount {
  sellerId: string;
  email: string;
  password: string;
  loginMode: LoginMode;
}

export function resolveSellerSpec(seed: number, spec: AblySellerSpec, sellerNo: number): ResolvedSellerSpec {
  if (!/^[a-z0-9][a-z0-9_-]{1,40}$/.test(spec.sellerId)) throw new Error(`sellerId must be lower-case [a-z0-9_-], got ${spec.sellerId}`);
  const rng = rngFor(seed, spec.sellerId, 'account');
  const resolved: ResolvedSellerSpec = {
    sellerNo,
    sellerId: spec.sellerId,
    email: spec.email ?? `${spec.sellerId}@seller.ably-sim.test`,
    password: spec.password ?? `${randomToken(rng, 10)}!${rng.int(10, 99)}`,
    goods: positive(spec.goods ?? 20, 'goods', 1, 5_000),
    ordersPerDay: positive(spec.ordersPerDay ?? 8, 'ordersPerDay', 0.01, 5_000),
    historyDays: positive(spec.historyDays ?? 90, 'historyDays', 1, 730),
  };
  if (spec.loginMode) resolved.fixedLoginMode = spec.loginMode;
  return resolved;
}

/** `ably0001`, `ably0002`, …: the default fleet. */
export function defaultSellerSpecs(count: number, prefix = 'ably'): AblySellerSpec[] {
  return Array.from({ length: count }, (_, i) => ({ sellerId: `${prefix}${String(i + 1).padStart(4, '0')}` }));
}

export function loginModeOf(seed: number, seller: ResolvedSellerSpec, challengeShare: number): LoginMode {
  if (seller.fixedLoginMode) return seller.fixedLoginMode;
  if (challengeShare <= 0) return 'api';
  const position = seller.sellerNo - 1 + (hashSeed(seed, 'challenge-offset') % 1000);
  return Math.floor((position + 1) * challengeShare) > Math.floor(position * challengeShare) ? 'challenge' : 'api';
}

function positive(value: number, name: string, min: number, max: number): number {
  if (!(value >= min && value <= max)) throw new RangeError(`${name} must be within ${min}..${max}, got ${value}`);
  return value;
}
