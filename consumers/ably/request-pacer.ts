/**
 * Paces calls to the seller center so a steady sync never meets a 429: a token bucket per egress host (all
 * sellers behind one IP share it) and one per seller account, a little random jitter before each call (so
 * sellers started together do not fire in lock-step), and pauses the source asked for (Retry-After on a 429, a
 * cool-down after a soft block) that hold every later call of that account or host. Reference c.5: ≤ 2 req/s per
 * account and ≤ 5 req/s per egress IP to start with, tuned down on any 429.
 *
 * A wait longer than `maxWaitMs` is not slept inside the job: it throws RateLimitedError with the wait, and the
 * job is retried at that time (the partition is never held for it).
 *
 * It tells observers (`events`, PACER_EVENTS) what it held back and each 429 the seller center answered, as the
 * Cafe24 rate limiter does; telemetry subscribes from the entry point (otel/kernel-metrics.ts instrumentRateLimiter).
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitedError } from '../../lib/errors.js';

export interface PacerPolicy {
  /** Calls per second per egress host, and the burst. @default 5 / 10 */
  hostRatePerSec: number;
  hostBurst: number;
  /** Calls per second per seller account, and the burst. @default 2 / 4 */
  accountRatePerSec: number;
  accountBurst: number;
  /** Random delay added before each call, up to this. @default 50 */
  jitterMs: number;
  /** Longest wait slept inside a job; longer ones hand the job back. @default 5_000 */
  maxWaitMs: number;
}

export const DEFAULT_PACER_POLICY: PacerPolicy = { hostRatePerSec: 5, hostBurst: 10, accountRatePerSec: 2, accountBurst: 4, jitterMs: 50, maxWaitMs: 5_000 };

interface Bucket {
  tokens: number;
  at: number;
  pausedUntil: number;
}

export const PACER_EVENTS = {
  /** A call was held back and then let through. */
  WAITED: 'waited',
  /** The seller center answered 429 (`pause` with reason 'throttled'). */
  THROTTLED: 'throttled',
} as const;

interface PacerEventMap {
  [PACER_EVENTS.WAITED]: [{ account: string; waitedMs: number }];
  [PACER_EVENTS.THROTTLED]: [{ account?: string; host?: string; ms: number }];
}

export interface RequestPacer {
  /** Resolves when a call of `account` through `host` may go; throws RateLimitedError when that is too far off. */
  acquire(host: string, account: string, signal: AbortSignal): Promise<void>;
  /** Holds every call of the account (or, with `host`, of everyone behind it) for `ms`; a 429's pause says 'throttled'. */
  pause(key: { account?: string; host?: string }, ms: number, reason?: 'throttled' | 'blocked'): void;
  readonly events: EventEmitter<PacerEventMap>;
}

export function createRequestPacer(policy: Partial<PacerPolicy> = {}, now: () => number = Date.now, random: () => number = Math.random): RequestPacer {
  const p = { ...DEFAULT_PACER_POLICY, ...policy };
  const buckets = new Map<string, Bucket>();
  const events = new EventEmitter<PacerEventMap>();

  /** The bucket of `key`, full as of `t` when new: read at the same instant as its refill, or a clock tick between
   * the two reads would leave a new bucket a fraction of a token short and hold its first call back. */
  const bucketOf = (key: string, burst: number, t: number) => {
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { tokens: burst, at: t, pausedUntil: 0 }));
    return bucket;
  };

  /** Ms until the bucket has a token (0 = now), after refilling it. */
  function waitOf(bucket: Bucket, rate: number, burst: number, t: number): number {
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * rate);
    bucket.at = t;
    const refill = bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / rate) * 1000);
    return Math.max(refill, bucket.pausedUntil - t);
  }

  return {
    events,
    async acquire(host, account, signal) {
      let waitedFrom: number | undefined;
      for (;;) {
        const t = now();
        const hostBucket = bucketOf(`h:${host}`, p.hostBurst, t);
        const accountBucket = bucketOf(`a:${account}`, p.accountBurst, t);
        const wait = Math.max(waitOf(hostBucket, p.hostRatePerSec, p.hostBurst, t), waitOf(accountBucket, p.accountRatePerSec, p.accountBurst, t));
        if (wait === 0) {
          hostBucket.tokens -= 1;
          accountBucket.tokens -= 1;
          if (waitedFrom !== undefined) events.emit(PACER_EVENTS.WAITED, { account, waitedMs: t - waitedFrom });
          if (p.jitterMs > 0) await sleep(Math.floor(random() * p.jitterMs), undefined, { signal });
          return;
        }
        if (wait > p.maxWaitMs) throw new RateLimitedError(`ably ${account}: paced for ${wait} ms`, wait, { context: { host, account } });
        waitedFrom ??= t;
        await sleep(wait, undefined, { signal });
      }
    },
    pause({ account, host }, ms, reason) {
      if (reason === 'throttled') events.emit(PACER_EVENTS.THROTTLED, { account, host, ms });
      const t = now();
      const until = t + ms;
      if (account !== undefined) {
        const b = bucketOf(`a:${account}`, p.accountBurst, t);
        b.pausedUntil = Math.max(b.pausedUntil, until);
      }
      if (host !== undefined) {
        const b = bucketOf(`h:${host}`, p.hostBurst, t);
        b.pausedUntil = Math.max(b.pausedUntil, until);
      }
    },
  };
}
