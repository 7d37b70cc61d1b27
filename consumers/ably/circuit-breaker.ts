/**
 * The platform's circuit breaker: when soft blocks spike, every Ably job pauses instead of each one burning its
 * retries against a wall (and deepening the block). A pure state machine on an injected clock:
 *   closed     calls pass; outcomes are counted over a sliding `windowMs`. When at least `minSamples` outcomes
 *              are in the window and the blocked share reaches `openAtBlockRate`, it opens.
 *   open       calls are refused with the time left (`retryAfterMs`) for `openMs`; then it is half open.
 *   half_open  one probe at a time is let through; a good probe closes the breaker (window cleared), a blocked
 *              one opens it again.
 * Each move is told on `events` (BREAKER_EVENTS), and so is each soft block it counts, so the state gauge
 * (otel/kernel-metrics.ts instrumentBreaker) changes when the breaker does. open → half_open happens by the clock
 * alone: it is told when the breaker is next asked (`allow`, `state`), which is why the gauge also reads the state
 * on a timer.
 */
import { EventEmitter } from 'node:events';
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

export const BREAKER_EVENTS = {
  TRANSITION: 'transition',
  /** A call (or login) the seller center soft-blocked was recorded. */
  BLOCKED: 'blocked',
} as const;

export interface BreakerEventMap {
  [BREAKER_EVENTS.TRANSITION]: [{ from: BreakerState; to: BreakerState }];
  [BREAKER_EVENTS.BLOCKED]: [];
}

export interface CircuitBreaker {
  allow(): BreakerDecision;
  /** The outcome of a call that was allowed (`probe` as allow() said). */
  record(outcome: 'ok' | 'blocked', probe?: boolean): void;
  readonly state: BreakerState;
  /** How many times it opened (tests, metrics). */
  readonly opened: number;
  readonly events: EventEmitter<BreakerEventMap>;
}

export function createCircuitBreaker({ windowMs = 60_000, minSamples = 10, openAtBlockRate = 0.5, openMs = 60_000, now = Date.now }: BreakerOptions = {}): CircuitBreaker {
  let state: BreakerState = 'closed';
  let openedAt = 0;
  let probing = false;
  let opened = 0;
  const outcomes: { at: number; blocked: boolean }[] = [];
  const events = new EventEmitter<BreakerEventMap>();

  const moveTo = (to: BreakerState) => {
    const from = state;
    state = to;
    if (from !== to) events.emit(BREAKER_EVENTS.TRANSITION, { from, to });
  };
  const open = () => {
    openedAt = now();
    probing = false;
    opened += 1;
    moveTo('open');
  };
  /** open → half_open once `openMs` has passed. */
  const cooled = (t: number) => {
    if (state === 'open' && t - openedAt >= openMs) moveTo('half_open');
  };

  function trim(t: number) {
    while (outcomes.length > 0 && (outcomes[0] as { at: number }).at <= t - windowMs) outcomes.shift();
  }

  return {
    events,
    allow() {
      const t = now();
      cooled(t);
      if (state === 'open') return { ok: false, retryAfterMs: openedAt + openMs - t };
      if (state === 'half_open') {
        if (probing) return { ok: false, retryAfterMs: Math.max(1_000, Math.floor(openMs / 4)) };
        probing = true;
        return { ok: true, probe: true };
      }
      return { ok: true, probe: false };
    },
    record(outcome, probe = false) {
      const t = now();
      if (outcome === 'blocked') events.emit(BREAKER_EVENTS.BLOCKED);
      if (state === 'half_open' && probe) {
        probing = false;
        if (outcome === 'ok') {
          outcomes.length = 0;
          moveTo('closed');
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
      cooled(now());
      return state;
    },
    get opened() {
      return opened;
    },
  };
}
