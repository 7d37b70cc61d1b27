/**
 * A client-side model of Cafe24's per-mall limits, so a sync stays clear of 429 instead of discovering them
 * (reference §4): the request-count leaky bucket (capacity from `X-Api-Call-Limit`, draining 2 calls/s), the
 * "abnormal traffic" rule (10+ calls to one mall within a second), usage blocks (`X-Cafe24-*-Remain`), and a
 * cap on calls in flight per mall. The math is pure (`delayBeforeCall`, `recordCall`, `observe`); `acquire`
 * sleeps for short waits and throws RateLimitedError for long ones, so a job never holds its slot for minutes.
 * It tells observers (`events`, RATE_LIMITER_EVENTS) what it held back and what the mall refused; telemetry
 * subscribes from the entry point (otel/kernel-metrics.ts instrumentRateLimiter), this file imports no otel/.
 */
import { EventEmitter } from 'node:events';
import { RateLimitedError } from '../../lib/errors.js';

export interface RateLimitPolicy {
  /** Bucket capacity until a response says otherwise. @default 40 */
  capacity: number;
  /** Calls the bucket drains per second. @default 2 */
  leakPerSecond: number;
  /** Slots left free for the mall's other apps and for our own estimation error. @default 3 */
  headroom: number;
  /** Calls started within any one second; Cafe24 flags 10 as abnormal. @default 8 */
  maxPerSecond: number;
  /** Calls in flight per mall. @default 2 */
  maxInFlight: number;
  /** Longer waits are not slept: the job gives up with RateLimitedError and is retried later. @default 5_000 */
  maxWaitMs: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  capacity: 40, leakPerSecond: 2, headroom: 3, maxPerSecond: 8, maxInFlight: 2, maxWaitMs: 5_000,
};

export interface MallRateState {
  capacity: number;
  /** Estimated bucket level at `levelAt`. */
  level: number;
  levelAt: number;
  /** Start times of calls within the last second, oldest first. */
  recent: number[];
  inFlight: number;
  /** No call before this time (a usage block or a 429). */
  blockedUntil: number;
}

export const freshState = (policy: RateLimitPolicy, now: number): MallRateState =>
  ({ capacity: policy.capacity, level: 0, levelAt: now, recent: [], inFlight: 0, blockedUntil: 0 });

const levelNow = (s: MallRateState, now: number, policy: RateLimitPolicy) =>
  Math.max(0, s.level - ((now - s.levelAt) / 1000) * policy.leakPerSecond);

/** How long to wait before the next call may start; 0 means now. Infinity while the in-flight cap is reached. */
export function delayBeforeCall(s: MallRateState, now: number, policy: RateLimitPolicy): number {
  if (s.inFlight >= policy.maxInFlight) return Infinity;
  let wait = Math.max(0, s.blockedUntil - now);
  // Calls in flight will land in the bucket too: count them as already poured.
  const room = s.capacity - policy.headroom - s.inFlight;
  const over = levelNow(s, now, policy) + 1 - room;
  if (over > 0) wait = Math.max(wait, Math.ceil((over / policy.leakPerSecond) * 1000));
  const window = s.recent.filter((t) => t > now - 1000);
  if (window.length >= policy.maxPerSecond) wait = Math.max(wait, window[window.length - policy.maxPerSecond]! + 1000 - now);
  return wait;
}

export function recordCall(s: MallRateState, now: number, policy: RateLimitPolicy): void {
  s.level = levelNow(s, now, policy) + 1;
  s.levelAt = now;
  s.recent = [...s.recent.filter((t) => t > now - 1000), now];
  s.inFlight++;
}

/** Re-aligns the model with what the mall reported (`X-Api-Call-Limit: used/cap`, usage `*-Remain` seconds). */
export function observe(s: MallRateState, now: number, headers: Record<string, string | string[] | undefined>, status: number): void {
  const limit = header(headers, 'x-api-call-limit')?.match(/^(\d+)\/(\d+)$/);
  if (limit) {
    s.capacity = Number(limit[2]);
    s.level = Number(limit[1]);
    s.levelAt = now;
  }
  const remainSeconds = Math.max(Number(header(headers, 'x-cafe24-call-remain') ?? 0), Number(header(headers, 'x-cafe24-time-remain') ?? 0));
  if (remainSeconds > 0) s.blockedUntil = Math.max(s.blockedUntil, now + remainSeconds * 1000);
  if (status === 429) {
    // Refused: without the mall's own count, assume the bucket is full; either way pause a second at least.
    if (!limit) {
      s.level = s.capacity;
      s.levelAt = now;
    }
    s.blockedUntil = Math.max(s.blockedUntil, now + 1000);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export const RATE_LIMITER_EVENTS = {
  /** A call waited for its slot and then started (`waitedMs` in all; a wait too long to sleep throws instead). */
  WAITED: 'waited',
  /** The mall refused a call with 429. */
  THROTTLED: 'throttled',
} as const;

export interface RateLimiterEventMap {
  [RATE_LIMITER_EVENTS.WAITED]: [{ mallId: string; waitedMs: number }];
  [RATE_LIMITER_EVENTS.THROTTLED]: [{ mallId: string; status: number }];
}

export interface RateLimiter {
  /** Waits for a call slot for the mall; returns the function that ends the call with its response. */
  acquire(mallId: string, signal: AbortSignal): Promise<(status: number, headers: Record<string, string | string[] | undefined>) => void>;
  readonly events: EventEmitter<RateLimiterEventMap>;
}

export function createRateLimiter(policy: RateLimitPolicy = DEFAULT_RATE_LIMIT_POLICY, now: () => number = Date.now): RateLimiter {
  const malls = new Map<string, MallRateState>();
  const waiters = new Map<string, (() => void)[]>();
  const events = new EventEmitter<RateLimiterEventMap>();

  const wake = (mallId: string) => {
    for (const w of waiters.get(mallId)?.splice(0) ?? []) w();
  };

  return {
    events,
    async acquire(mallId, signal) {
      let state = malls.get(mallId);
      if (!state) malls.set(mallId, (state = freshState(policy, now())));
      let waitedFrom: number | undefined;
      for (;;) {
        signal.throwIfAborted();
        const wait = delayBeforeCall(state, now(), policy);
        if (wait === 0) break;
        if (Number.isFinite(wait) && wait > policy.maxWaitMs) {
          throw new RateLimitedError(`cafe24 mall ${mallId} needs ${wait} ms before the next call`, wait, { context: { mallId } });
        }
        waitedFrom ??= now();
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
          const onAbort = () => {
            clearTimeout(timer);
            reject(signal.reason);
          };
          const timer = Number.isFinite(wait) ? setTimeout(done, wait) : undefined;
          signal.addEventListener('abort', onAbort, { once: true });
          let list = waiters.get(mallId);
          if (!list) waiters.set(mallId, (list = []));
          list.push(done);
        });
      }
      recordCall(state, now(), policy);
      if (waitedFrom !== undefined) events.emit(RATE_LIMITER_EVENTS.WAITED, { mallId, waitedMs: now() - waitedFrom });
      const s = state;
      return (status, headers) => {
        s.inFlight--;
        observe(s, now(), headers, status);
        if (status === 429) events.emit(RATE_LIMITER_EVENTS.THROTTLED, { mallId, status });
        wake(mallId);
      };
    },
  };
}
