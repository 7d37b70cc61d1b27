/**
 * Request limits per client IP and per seller account (b.5, all ◇ and configurable): token buckets (default
 * 10 req/s with a burst of 20, and 300 req/min) whose refusals answer 429 with `Retry-After`, and a soft block
 * for sustained abuse: when a key's attempts within `windowMs` exceed `abuseFactor` × what its buckets allow in
 * that window, every request of the key is refused for `coolDownMs`. Refused attempts count, so a client that
 * ignores 429s walks into the block; one that honours `Retry-After` never does.
 * Runs on its own clock (wall time by default): limits are about the client's pacing, not the data's time.
 */
import type { SimClock } from '../cafe24/clock.js';

export interface BucketSpec {
  ratePerSec: number;
  burst: number;
}

export interface LimitPolicy {
  perIp: BucketSpec[];
  perAccount: BucketSpec[];
  /** `false` turns soft blocks off. */
  softBlock: { windowMs: number; abuseFactor: number; coolDownMs: number } | false;
}

export const DEFAULT_LIMIT_POLICY: LimitPolicy = {
  perIp: [{ ratePerSec: 10, burst: 20 }, { ratePerSec: 5, burst: 300 }],
  perAccount: [{ ratePerSec: 10, burst: 20 }, { ratePerSec: 5, burst: 300 }],
  softBlock: { windowMs: 300_000, abuseFactor: 3, coolDownMs: 900_000 },
};

export type LimitDecision =
  | { ok: true }
  | { ok: false; kind: 'rate-limited'; retryAfterSec: number }
  | { ok: false; kind: 'blocked'; untilMs: number };

interface KeyState {
  tokens: number[];
  refilledAtMs: number;
  /** Attempts per slot of windowMs / 10, keyed by slot number. */
  slots: Map<number, number>;
  blockedUntilMs: number;
}

export class Limiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly clock: SimClock, private policy: LimitPolicy) {}

  setPolicy(policy: LimitPolicy): void {
    this.policy = policy;
    this.keys.clear();
  }

  /** Takes one request of `key` (`ip:…` or `acct:…`) through its buckets and abuse window. */
  take(key: string, buckets: BucketSpec[]): LimitDecision {
    const now = this.clock.now();
    const state = this.state(key, buckets, now);
    if (state.blockedUntilMs > now) return { ok: false, kind: 'blocked', untilMs: state.blockedUntilMs };
    if (this.countAttempt(state, buckets, now)) return { ok: false, kind: 'blocked', untilMs: state.blockedUntilMs };
    const elapsedSec = (now - state.refilledAtMs) / 1000;
    state.refilledAtMs = now;
    buckets.forEach((b, i) => { state.tokens[i] = Math.min(b.burst, (state.tokens[i] ?? b.burst) + elapsedSec * b.ratePerSec); });
    const short = buckets.findIndex((_, i) => (state.tokens[i] ?? 0) < 1);
    if (short >= 0) {
      const b = buckets[short] as BucketSpec;
      return { ok: false, kind: 'rate-limited', retryAfterSec: Math.max(1, Math.ceil((1 - (state.tokens[short] ?? 0)) / b.ratePerSec)) };
    }
    buckets.forEach((_, i) => { state.tokens[i] = (state.tokens[i] ?? 0) - 1; });
    return { ok: true };
  }

  /** Soft-blocks a key now, as sustained abuse would (the block storm and `sim.block()`). */
  block(key: string, forMs: number): void {
    const state = this.state(key, [], this.clock.now());
    state.blockedUntilMs = this.clock.now() + forMs;
  }

  blockedUntil(key: string): number | undefined {
    const until = this.keys.get(key)?.blockedUntilMs ?? 0;
    return until > this.clock.now() ? until : undefined;
  }

  unblockAll(): void {
    for (const state of this.keys.values()) state.blockedUntilMs = 0;
  }

  /** Records the attempt; true when it tips the key into a soft block. */
  private countAttempt(state: KeyState, buckets: BucketSpec[], now: number): boolean {
    const rule = this.policy.softBlock;
    if (!rule || buckets.length === 0) return false;
    const slotMs = rule.windowMs / 10;
    const slot = Math.floor(now / slotMs);
    state.slots.set(slot, (state.slots.get(slot) ?? 0) + 1);
    let attempts = 0;
    for (const [s, count] of state.slots) {
      if (s <= slot - 10) state.slots.delete(s);
      else attempts += count;
    }
    const allowed = Math.min(...buckets.map((b) => b.burst + (b.ratePerSec * rule.windowMs) / 1000));
    if (attempts <= rule.abuseFactor * allowed) return false;
    state.blockedUntilMs = now + rule.coolDownMs;
    state.slots.clear();
    return true;
  }

  private state(key: string, buckets: BucketSpec[], now: number): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { tokens: buckets.map((b) => b.burst), refilledAtMs: now, slots: new Map(), blockedUntilMs: 0 };
      this.keys.set(key, state);
    }
    return state;
  }
}
