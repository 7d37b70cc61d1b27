/**
 * Leaky-bucket arithmetic, pure: no clock, no I/O. State is a level and the instant it was measured; time is
 * passed in. The same functions drive the request-count bucket (40 calls, draining 2/s, reference §4.1) and the
 * two usage meters (§4.2), which only differ in their capacity, drain rate and what a call costs.
 */
export interface BucketShape {
  /** What the bucket holds before it refuses (calls, or milliseconds of processing time for the time meter). */
  capacity: number;
  /** How much drains per second of (simulated) time. */
  leakPerSecond: number;
}

export interface BucketState {
  readonly level: number;
  readonly atMs: number;
}

/** Tolerance for float drift: 40 calls drained for exactly 0.5 s must leave exactly room for one more. */
const EPSILON = 1e-9;

export function emptyBucket(atMs: number): BucketState {
  return { level: 0, atMs };
}

/** The level at `nowMs` after draining. Time before `atMs` (a clock that went backwards) drains nothing. */
export function levelAt(state: BucketState, nowMs: number, leakPerSecond: number): number {
  const elapsedMs = Math.max(0, nowMs - state.atMs);
  return Math.max(0, state.level - (elapsedMs * leakPerSecond) / 1000);
}

export function drained(state: BucketState, nowMs: number, leakPerSecond: number): BucketState {
  return { level: levelAt(state, nowMs, leakPerSecond), atMs: Math.max(nowMs, state.atMs) };
}

/** Adds `amount` whatever the level (meters that keep counting past 100%). */
export function pour(state: BucketState, nowMs: number, leakPerSecond: number, amount: number): BucketState {
  const current = drained(state, nowMs, leakPerSecond);
  return { level: current.level + amount, atMs: current.atMs };
}

export interface AdmitResult {
  admitted: boolean;
  /** The state after the decision: `amount` added when admitted, only drained when refused. */
  state: BucketState;
}

/**
 * Admits `amount` when it fits under `limit` (default: the capacity). A refused call is not added (§4.3).
 * `limit` exists because the bucket is shared per mall while the call limit is per endpoint (§4.1: most GETs
 * 40, `financials/*` 1): an endpoint with a lower limit only fits into a nearly drained bucket.
 */
export function tryAdmit(
  state: BucketState,
  nowMs: number,
  shape: BucketShape,
  amount = 1,
  limit = shape.capacity,
): AdmitResult {
  const current = drained(state, nowMs, shape.leakPerSecond);
  if (current.level + amount > limit + EPSILON) return { admitted: false, state: current };
  return { admitted: true, state: { level: current.level + amount, atMs: current.atMs } };
}

/** Milliseconds until `amount` more would fit under `limit`, from a level measured now (0 when it fits now). */
export function msUntilRoom(level: number, shape: BucketShape, amount = 1, limit = shape.capacity): number {
  const excess = level + amount - limit;
  if (excess <= EPSILON) return 0;
  return (excess / shape.leakPerSecond) * 1000;
}

/** Milliseconds until the level is back under its capacity (0 when it already is). */
export function msUntilBelowCapacity(level: number, shape: BucketShape): number {
  return level < shape.capacity ? 0 : ((level - shape.capacity) / shape.leakPerSecond) * 1000;
}

/** Level as a share of capacity in percent, two decimals at most: `12.5`, `120.04` (the header format of §4.2). */
export function usagePercent(level: number, capacity: number): number {
  return Math.round((level / capacity) * 10_000) / 100;
}

/** The `used` half of `X-Api-Call-Limit: used/limit`: the level rounded up, never shown above the limit. */
export function callsUsed(level: number, limit: number): number {
  return Math.max(0, Math.min(limit, Math.ceil(level - EPSILON)));
}
