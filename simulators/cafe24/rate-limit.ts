/**
 * Per-mall throttling as the reference describes it, built on the pure bucket math:
 * - the request-count leaky bucket (§4.1): capacity = the endpoint's call limit (40 for the GETs here), drains
 *   2 calls/s, shown in `X-Api-Call-Limit`, keyed per mall (all apps and endpoints share it: the stricter of the
 *   keyings the reference leaves open, §12.2);
 * - the usage meters (§4.2): call usage and processing-time usage in percent, with `*-Remain` seconds only while
 *   at or above 100%. Every call, refused ones included, feeds the call-usage meter, because the docs say that
 *   calling while blocked pushes usage past 100% and lengthens the wait;
 * - the abnormal-traffic rule (§4.1): 10 or more calls within one second to one mall from one IP may be flagged
 *   even inside the bucket. The simulator flags it (stricter than "may").
 * State lives in a `MallMeters` value; `decide` and `charge` are pure functions of it and the time.
 */
import {
  type BucketShape, type BucketState, callsUsed, emptyBucket, levelAt, msUntilBelowCapacity, pour, tryAdmit,
  usagePercent,
} from './leaky-bucket.js';

export interface RateLimitPolicy {
  /** Request-count bucket: capacity (the default endpoint call limit) and drain. @default {capacity: 40, leakPerSecond: 2} */
  bucket: BucketShape;
  /** Call-usage allowance, in calls; the window is undocumented (§4.2, [U]). @default {capacity: 400, leakPerSecond: 2} */
  callUsage: BucketShape;
  /** Processing-time allowance, in ms of server time; undocumented too. @default {capacity: 30000, leakPerSecond: 1000} */
  timeUsage: BucketShape;
  /** Calls within any 1 s window at which a mall's traffic counts as abnormal; 0 turns the rule off. @default 10 */
  abnormalCallsPerSecond: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  bucket: { capacity: 40, leakPerSecond: 2 },
  callUsage: { capacity: 400, leakPerSecond: 2 },
  timeUsage: { capacity: 30_000, leakPerSecond: 1000 },
  abnormalCallsPerSecond: 10,
};

export interface MallMeters {
  bucket: BucketState;
  callUsage: BucketState;
  timeUsage: BucketState;
  /** Arrival times of the calls in the last second, oldest first (for the abnormal-traffic rule). */
  recentCallsMs: number[];
}

export type RefusalReason = 'bucket' | 'call-usage' | 'time-usage' | 'abnormal-traffic' | 'forced';

export interface RateDecision {
  admitted: boolean;
  reason?: RefusalReason;
  meters: MallMeters;
}

export function freshMeters(nowMs: number): MallMeters {
  return { bucket: emptyBucket(nowMs), callUsage: emptyBucket(nowMs), timeUsage: emptyBucket(nowMs), recentCallsMs: [] };
}

/**
 * Decides one call. `endpointLimit` is the endpoint's call limit (the bucket's effective capacity for this call);
 * `forceRefusal` is the fault injector's 429 storm.
 */
export function decide(
  meters: MallMeters,
  nowMs: number,
  policy: RateLimitPolicy,
  { endpointLimit = policy.bucket.capacity, forceRefusal = false }: { endpointLimit?: number; forceRefusal?: boolean } = {},
): RateDecision {
  const callUsageBefore = levelAt(meters.callUsage, nowMs, policy.callUsage.leakPerSecond);
  const timeUsageBefore = levelAt(meters.timeUsage, nowMs, policy.timeUsage.leakPerSecond);
  const recentCallsMs = [...meters.recentCallsMs.filter((at) => at > nowMs - 1000), nowMs];
  const counted: MallMeters = {
    ...meters,
    callUsage: pour(meters.callUsage, nowMs, policy.callUsage.leakPerSecond, 1),
    recentCallsMs,
  };
  const refuse = (reason: RefusalReason): RateDecision => ({ admitted: false, reason, meters: counted });

  if (forceRefusal) return refuse('forced');
  if (callUsageBefore >= policy.callUsage.capacity) return refuse('call-usage');
  if (timeUsageBefore >= policy.timeUsage.capacity) return refuse('time-usage');
  if (policy.abnormalCallsPerSecond > 0 && recentCallsMs.length >= policy.abnormalCallsPerSecond) {
    return refuse('abnormal-traffic');
  }
  const bucket = tryAdmit(meters.bucket, nowMs, policy.bucket, 1, Math.min(endpointLimit, policy.bucket.capacity));
  if (!bucket.admitted) return { ...refuse('bucket'), meters: { ...counted, bucket: bucket.state } };
  return { admitted: true, meters: { ...counted, bucket: bucket.state } };
}

/** Charges the processing time an admitted call used to the time-usage meter. */
export function chargeProcessingTime(meters: MallMeters, nowMs: number, policy: RateLimitPolicy, costMs: number): MallMeters {
  return { ...meters, timeUsage: pour(meters.timeUsage, nowMs, policy.timeUsage.leakPerSecond, costMs) };
}

/** Whole seconds, rounded up, as the `*-Remain` headers carry them (§4.2 example: `32`, `7`). */
const remainSeconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/** The rate headers for a response at `nowMs`: `X-Api-Call-Limit` always, the usage pair, `*-Remain` past 100%. */
export function rateLimitHeaders(
  meters: MallMeters,
  nowMs: number,
  policy: RateLimitPolicy,
  endpointLimit = policy.bucket.capacity,
): Record<string, string> {
  const limit = Math.min(endpointLimit, policy.bucket.capacity);
  const bucketLevel = levelAt(meters.bucket, nowMs, policy.bucket.leakPerSecond);
  const callLevel = levelAt(meters.callUsage, nowMs, policy.callUsage.leakPerSecond);
  const timeLevel = levelAt(meters.timeUsage, nowMs, policy.timeUsage.leakPerSecond);
  const callPercent = usagePercent(callLevel, policy.callUsage.capacity);
  const timePercent = usagePercent(timeLevel, policy.timeUsage.capacity);
  const headers: Record<string, string> = {
    'X-Api-Call-Limit': `${callsUsed(bucketLevel, limit)}/${limit}`,
    'X-Cafe24-Call-Usage': String(callPercent),
    'X-Cafe24-Time-Usage': String(timePercent),
  };
  if (callPercent >= 100) headers['X-Cafe24-Call-Remain'] = remainSeconds(msUntilBelowCapacity(callLevel, policy.callUsage));
  if (timePercent >= 100) headers['X-Cafe24-Time-Remain'] = remainSeconds(msUntilBelowCapacity(timeLevel, policy.timeUsage));
  return headers;
}

/** Merges a partial policy (per-shop knobs) over a base, field by field. */
export function mergePolicy(base: RateLimitPolicy, patch: PartialPolicy | undefined): RateLimitPolicy {
  if (!patch) return base;
  return {
    bucket: { ...base.bucket, ...patch.bucket },
    callUsage: { ...base.callUsage, ...patch.callUsage },
    timeUsage: { ...base.timeUsage, ...patch.timeUsage },
    abnormalCallsPerSecond: patch.abnormalCallsPerSecond ?? base.abnormalCallsPerSecond,
  };
}

export interface PartialPolicy {
  bucket?: Partial<BucketShape>;
  callUsage?: Partial<BucketShape>;
  timeUsage?: Partial<BucketShape>;
  abnormalCallsPerSecond?: number;
}
