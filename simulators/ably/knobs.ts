/**
 * Fault and behaviour knobs, global and per seller, changeable while the simulator runs. Random decisions come
 * from a stream per (seed, seller or client IP), so a run with the same seed and call sequence repeats.
 * Knobs that act before the seller is known (login page drift, block storm on pages, challenge share) use the
 * global value.
 */
import { type Rng, rngFor } from '../cafe24/seeded-random.js';

export type SchemaDrift = false | 'rename' | 'missing';

export interface AblyKnobs {
  /** Delay before each API response (wall time): fixed, or log-normal with this median and 99th percentile. @default 0 */
  latencyMs?: number | { p50Ms: number; p99Ms: number };
  /** Share of API calls answered 502 or 503 (HTML gateway page). @default 0 */
  status5xxRate?: number;
  /** `per_page` above 500 answers 502 Bad Gateway (seen on reviews at busy hours). @default false */
  heavyPage502?: boolean;
  /** Share of API calls answered 200 `{"success":false,"message":…}`. @default 0 */
  errorIn200Rate?: number;
  /** The SPA renames its selectors (inputs, buttons, tables). @default false */
  layoutDrift?: boolean;
  /** One field per entity renamed or missing in API payloads. @default false */
  schemaDrift?: SchemaDrift;
  /** Share of requests answered as soft-blocked whatever the limits say (1 = every request). @default 0 */
  blockStormRate?: number;
  /** A soft-blocked API call answers 200 with the HTML block page instead of 403 JSON. @default false */
  blockedApiAsHtml?: boolean;
  /** Share of sellers (without a fixed `loginMode`) whose API login is refused with a challenge. Global only. @default 0.1 */
  challengeShare?: number;
  /** Lifetime of tokens issued from now on (simulated time). @default 12 h */
  tokenTtlMs?: number;
  /**
   * Every personal field of order items, cancels and reviews holds a unique `CANARY-<field>-<sno>` instead of a
   * realistic value (payloads.ts), for leak scans. @default false
   */
  canaries?: boolean;
}

export const DEFAULT_KNOBS: Required<AblyKnobs> = {
  latencyMs: 0, status5xxRate: 0, heavyPage502: false, errorIn200Rate: 0, layoutDrift: false, schemaDrift: false,
  blockStormRate: 0, blockedApiAsHtml: false, challengeShare: 0.1, tokenTtlMs: 12 * 3_600_000, canaries: false,
};

export class KnobBoard {
  private readonly global: AblyKnobs;
  private readonly perSeller = new Map<string, AblyKnobs>();
  private readonly rngs = new Map<string, Rng>();

  constructor(private readonly seed: number, initial: AblyKnobs = {}) {
    validate(initial);
    this.global = { ...initial };
  }

  /** Merges knobs into everyone's (no seller) or one seller's current knobs. */
  set(patch: AblyKnobs, sellerId?: string): void {
    validate(patch);
    if (sellerId === undefined) Object.assign(this.global, patch);
    else {
      if (patch.challengeShare !== undefined) throw new Error('challengeShare is global only; use the seller spec loginMode');
      this.perSeller.set(sellerId, { ...this.perSeller.get(sellerId), ...patch });
    }
  }

  /** Drops one seller's own knobs, or with no seller every knob back to the defaults. */
  clear(sellerId?: string): void {
    if (sellerId !== undefined) return void this.perSeller.delete(sellerId);
    for (const key of Object.keys(this.global)) delete this.global[key as keyof AblyKnobs];
    this.perSeller.clear();
  }

  get(sellerId?: string): Required<AblyKnobs> {
    const own = sellerId === undefined ? undefined : this.perSeller.get(sellerId);
    return { ...DEFAULT_KNOBS, ...this.global, ...own };
  }

  /** True with the given probability, from the stream of `key` (a seller id or a client IP). */
  roll(key: string, probability: number): boolean {
    return probability > 0 && this.rng(key).next() < probability;
  }

  /** A delay drawn for one response of the seller (or, before login, from the global knob). */
  latencyMs(sellerId?: string): number {
    const spec = this.get(sellerId).latencyMs;
    if (typeof spec === 'number') return spec;
    // Log-normal: median p50, and p99 at z = 2.326.
    const sigma = Math.log(spec.p99Ms / spec.p50Ms) / 2.326;
    const rng = this.rng(sellerId ?? '*');
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    return spec.p50Ms * Math.exp(sigma * z);
  }

  pick<T>(key: string, items: readonly T[]): T {
    return this.rng(key).pick(items);
  }

  private rng(key: string): Rng {
    let rng = this.rngs.get(key);
    if (!rng) {
      rng = rngFor(this.seed, key, 'knobs');
      this.rngs.set(key, rng);
    }
    return rng;
  }
}

function validate(knobs: AblyKnobs): void {
  for (const key of ['status5xxRate', 'errorIn200Rate', 'blockStormRate', 'challengeShare'] as const) {
    const value = knobs[key];
    if (value !== undefined && !(value >= 0 && value <= 1)) throw new RangeError(`${key} must be within 0..1, got ${value}`);
  }
  const latency = knobs.latencyMs;
  if (typeof latency === 'number' && !(latency >= 0)) throw new RangeError(`latencyMs must be >= 0, got ${latency}`);
  if (typeof latency === 'object' && !(latency.p50Ms > 0 && latency.p99Ms >= latency.p50Ms)) {
    throw new RangeError(`latencyMs must satisfy 0 < p50Ms <= p99Ms, got ${JSON.stringify(latency)}`);
  }
  if (knobs.tokenTtlMs !== undefined && !(knobs.tokenTtlMs >= 1000)) throw new RangeError(`tokenTtlMs must be >= 1000, got ${knobs.tokenTtlMs}`);
  if (knobs.schemaDrift !== undefined && ![false, 'rename', 'missing'].includes(knobs.schemaDrift)) {
    throw new RangeError(`schemaDrift must be false, 'rename' or 'missing', got ${String(knobs.schemaDrift)}`);
  }
}
