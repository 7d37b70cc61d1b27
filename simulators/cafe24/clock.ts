/**
 * Simulated time. Everything time-dependent in the simulator (token lifetimes, the leaky bucket, order status
 * evolution, report aggregation) reads one `SimClock`, so a test can move time forward instead of sleeping.
 * Latency and hanging responses are the only things on wall time: they are about the client's timers.
 */
export interface SimClock {
  /** Milliseconds since the Unix epoch, in simulated time. */
  now(): number;
}

export interface ManualClock extends SimClock {
  /** Moves simulated time forward; a negative step is refused because nothing in the service runs backwards. */
  advance(ms: number): void;
  /** Jumps to an absolute time (not earlier than now). */
  set(epochMs: number): void;
}

/** 2026-11-30T10:00:00+09:00: the default start of a manual clock, so tests read like the brief's examples. */
export const DEFAULT_MANUAL_START_MS = Date.UTC(2026, 10, 30, 1, 0, 0);

export function createManualClock(startMs: number = DEFAULT_MANUAL_START_MS): ManualClock {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance needs a finite ms >= 0, got ${ms}`);
      nowMs += ms;
    },
    set(epochMs: number) {
      if (!Number.isFinite(epochMs) || epochMs < nowMs) {
        throw new RangeError(`clock.set cannot move time backwards (${epochMs} < ${nowMs})`);
      }
      nowMs = epochMs;
    },
  };
}

export const systemClock: SimClock = { now: () => Date.now() };

/**
 * Wall time running `speed` times faster from `startMs`: for the demo, so orders visibly move through their
 * statuses within minutes. Token lifetimes and the bucket drain speed up by the same factor.
 */
export function createScaledClock({ startMs = Date.now(), speed }: { startMs?: number; speed: number }): SimClock {
  if (!(speed > 0)) throw new RangeError(`scaled clock speed must be > 0, got ${speed}`);
  const wallStart = Date.now();
  return { now: () => startMs + Math.floor((Date.now() - wallStart) * speed) };
}
