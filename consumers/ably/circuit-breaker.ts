/**
 * The platform's circuit breaker: when soft blocks spike, every Ably job pauses instead of each one burning its
 * retries against a wall (and deepening the block). A pure state machine on an injected clock:
 *   closed     calls pass; outcomes are counted over a sliding `windowMs`. When at least `minSamples` outcomes
 *              are in the window and the blocked share reaches `openAtBlockRate`, it opens.
 *   open       calls are refused with the time left (`retryAfterMs`) for `openMs`; then it is half open.
 *   half_open  one probe at a time is let through; a good probe closes the breaker (window cleared), a blocked
 *              one opens it again.
 */
import { RateLimitedError } from '../../lib/errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * A job the open breaker held back: it never reached the seller center, so it is handed back for when the
 * breaker may let it through without using up one of its attempts (lib/sync/job-outcome.ts).
 */
export class BreakerOpenError extends RateLimitedError {
  override readonly code: string = 'BREAKER_OPEN';
  constructor(retryAfterMs: number) {
    super(`ably circuit breaker open: every Ably job waits ${retryAfterMs} ms`, retryAfterMs, { spendsAttempt: false, context: { breaker: 'open' } });
  }
}

export interface BreakerOptions {
  /** @default 60_000 */ windowMs?: number;
  /** @default 10 */ minSamples?: number;
  /** @default 0.5 */ openAtBlockRate?: number;
  /** @default 60_000 */ openMs?: number;
  now?: () => number;
}

export type BreakerDecision = { ok: true; probe: boolean } | { ok: false; retryAfterMs: number };

export interface CircuitBreaker {
  allow(): BreakerDecision;
  /** The outcome of a call that was allowed (`probe` as allow() said). */
  record(outcome: 'ok' | 'blocked', probe?: boolean): void;
  readonly state: BreakerState;
  /** How many times it opened (tests, metrics). */
  readonly opened: number;
}

export function createCircuitBreaker({ windowMs = 60_000, minSamples = 10, openAtBlockRate = 0.5, openMs = 60_000, now = Date.now }: BreakerOptions = {}): CircuitBreaker {
  let state: BreakerState = 'closed';
  let openedAt = 0;
  let probing = false;
  let opened = 0;
  const outcomes: { at: number; blocked: boolean }[] = [];

  const open = () => {
    state = 'open';
    openedAt = now();
    probing = false;
    opened += 1;
  };

  function trim(t: number) {
    while (outcomes.length > 0 && (outcomes[0] as { at: number }).at <= t - windowMs) outcomes.shift();
  }

  return {
    allow() {
      const t = now();
      if (state === 'open') {
        const left = openedAt + openMs - t;
        if (left > 0) return { ok: false, retryAfterMs: left };
        state = 'half_open';
      }
      if (state === 'half_open') {
        if (probing) return { ok: false, retryAfterMs: Math.max(1_000, Math.floor(openMs / 4)) };
        probing = true;
        return { ok: true, probe: true };
      }
      return { ok: true, probe: false };
    },
    record(outcome, probe = false) {
      const t = now();
      if (state === 'half_open' && probe) {
        probing = false;
        if (outcome === 'ok') {
          state = 'closed';
          outcomes.length = 0;
        } else open();
        return;
      }
      if (state !== 'closed') return;
      outcomes.push({ at: t, blocked: outcome === 'blocked' });
      trim(t);
      const blocked = outcomes.filter((o) => o.blocked).length;
      if (outcomes.length >= minSamples && blocked / outcomes.length >= openAtBlockRate) open();
    },
    get state() {
      if (state === 'open' && now() - openedAt >= openMs) return 'half_open';
      return state;
    },
    get opened() {
      return opened;
    },
  };
}
