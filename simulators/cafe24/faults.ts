/**
 * Fault knobs, global and per mall, changeable while the simulator runs. Every random decision comes from a
 * stream seeded by (seed, mall), so a run with the same seed and the same call sequence fails the same way.
 */
import type { PartialPolicy } from './rate-limit.js';
import { type Rng, rngFor } from './seeded-random.js';

/** A fixed delay, or one drawn uniformly from [minMs, maxMs]. */
export type LatencySpec = number | { minMs: number; maxMs: number };

export interface FaultKnobs {
  /** Delay before each response (wall time). @default 0 */
  latencyMs?: LatencySpec;
  /** Share of admitted calls answered 500 or 503 instead of their result. @default 0 */
  status5xxRate?: number;
  /** Share of calls that never get an answer: the request hangs until the client gives up. @default 0 */
  timeoutRate?: number;
  /** Share of successful responses whose body is broken: cut short mid-transfer, or invalid JSON. @default 0 */
  malformedRate?: number;
  /** Which breakage `malformedRate` injects. @default 'mixed' */
  malformedKind?: 'truncated' | 'invalid-json' | 'mixed';
  /** Share of calls refused with 429 whatever the bucket says (a 429 storm). @default 0 */
  forced429Rate?: number;
  /** Rate-limit overrides for this mall, e.g. `{ bucket: { capacity: 5 } }` to shrink the bucket during a storm. */
  rateLimit?: PartialPolicy;
  /** Admin API routes (as declared, e.g. '/shops') answered 404 like an unknown path: a mall that does not serve them. @default [] */
  unavailableEndpoints?: string[];
  /**
   * Every personal field of an order holds a unique `CANARY-<field>-<id>`, and every order carries all the
   * personal embeds (buyer, receivers, return, cancellation, exchange) even unasked (canaries.ts). @default false
   */
  canaries?: boolean;
}

export type FaultTarget = string | '*';

export class FaultBoard {
  private readonly global: FaultKnobs;
  private readonly perMall = new Map<string, FaultKnobs>();
  private readonly rngs = new Map<string, Rng>();
  /** Calls left in a counted 429 storm, per mall. */
  private readonly forced429Calls = new Map<string, number>();

  constructor(private readonly seed: number, initial: FaultKnobs = {}) {
    validate(initial);
    this.global = { ...initial };
  }

  /** Merges knobs into a mall's (or, with '*', everyone's) current knobs. */
  set(target: FaultTarget, patch: FaultKnobs): void {
    validate(patch);
    if (target === '*') Object.assign(this.global, patch);
    else this.perMall.set(target, { ...this.perMall.get(target), ...patch });
  }

  /** Removes a mall's own knobs (or, with '*' or nothing, every knob and storm). */
  clear(target: FaultTarget = '*'): void {
    if (target === '*') {
      for (const key of Object.keys(this.global)) delete this.global[key as keyof FaultKnobs];
      this.perMall.clear();
      this.forced429Calls.clear();
    } else {
      this.perMall.delete(target);
      this.forced429Calls.delete(target);
    }
  }

  /** The knobs in force for a mall: its own over the global ones. */
  get(mallId: string): FaultKnobs {
    const own = this.perMall.get(mallId);
    if (!own) return { ...this.global };
    return {
      ...this.global, ...own,
      rateLimit: this.global.rateLimit || own.rateLimit ? mergeRateLimit(this.global.rateLimit, own.rateLimit) : undefined,
    };
  }

  /** The next `calls` calls to the mall are refused with 429. */
  storm(mallId: string, calls: number): void {
    this.forced429Calls.set(mallId, (this.forced429Calls.get(mallId) ?? 0) + calls);
  }

  /** Consumes one call of a counted storm, or rolls `forced429Rate`. */
  shouldForce429(mallId: string): boolean {
    const left = this.forced429Calls.get(mallId) ?? 0;
    if (left > 0) {
      this.forced429Calls.set(mallId, left - 1);
      return true;
    }
    return this.roll(mallId, this.get(mallId).forced429Rate);
  }

  /** True with the given probability, from the mall's own stream. */
  roll(mallId: string, probability: number | undefined): boolean {
    if (!probability || probability <= 0) return false;
    return this.rng(mallId).next() < probability;
  }

  latencyMs(mallId: string): number {
    const spec = this.get(mallId).latencyMs ?? 0;
    if (typeof spec === 'number') return spec;
    return spec.minMs + this.rng(mallId).next() * (spec.maxMs - spec.minMs);
  }

  /** Which breakage to inject this time. */
  malformedKind(mallId: string): 'truncated' | 'invalid-json' {
    const kind = this.get(mallId).malformedKind ?? 'mixed';
    if (kind !== 'mixed') return kind;
    return this.rng(mallId).next() < 0.5 ? 'truncated' : 'invalid-json';
  }

  /** 500 or 503, alternating at random: both documented as "retry later" (§5). */
  serverErrorStatus(mallId: string): 500 | 503 {
    return this.rng(mallId).next() < 0.5 ? 500 : 503;
  }

  private rng(mallId: string): Rng {
    let rng = this.rngs.get(mallId);
    if (!rng) {
      rng = rngFor(this.seed, mallId, 'faults');
      this.rngs.set(mallId, rng);
    }
    return rng;
  }
}

function mergeRateLimit(base: PartialPolicy | undefined, own: PartialPolicy | undefined): PartialPolicy {
  return {
    bucket: { ...base?.bucket, ...own?.bucket },
    callUsage: { ...base?.callUsage, ...own?.callUsage },
    timeUsage: { ...base?.timeUsage, ...own?.timeUsage },
    abnormalCallsPerSecond: own?.abnormalCallsPerSecond ?? base?.abnormalCallsPerSecond,
  };
}

function validate(knobs: FaultKnobs): void {
  for (const key of ['status5xxRate', 'timeoutRate', 'malformedRate', 'forced429Rate'] as const) {
    const value = knobs[key];
    if (value !== undefined && !(value >= 0 && value <= 1)) throw new RangeError(`${key} must be within 0..1, got ${value}`);
  }
  const latency = knobs.latencyMs;
  if (typeof latency === 'number' && !(latency >= 0)) throw new RangeError(`latencyMs must be >= 0, got ${latency}`);
  if (typeof latency === 'object' && !(latency.minMs >= 0 && latency.maxMs >= latency.minMs)) {
    throw new RangeError(`latencyMs range must satisfy 0 <= minMs <= maxMs, got ${JSON.stringify(latency)}`);
  }
}
