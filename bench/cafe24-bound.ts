/**
 * The lower bound of the Cafe24 benchmark: how fast could any client have done the same calls?
 *
 * Per mall, the API's own limits (simulator defaults, simulators/cafe24/rate-limit.ts, reference §4.1) set a
 * minimum time for its N calls, whatever the client:
 *   - latency: every call takes L ms (the simulator's fixed latency) and at most 2 are in flight per mall (our
 *     limiter's cap; more concurrency per mall would also trip the abnormal-traffic rule sooner), so
 *     t[i] ≥ t[i-2] + L;
 *   - abnormal traffic: the 10th call within any 1 s window is refused, so at most 9 calls start in any 1 s:
 *     t[i] ≥ t[i-9] + 1000 ms;
 *   - leaky bucket: a call is admitted when the level, draining 2 calls/s, is ≤ 39 (capacity 40), so with
 *     level ℓ measured at the previous call t[i-1]: t[i] ≥ t[i-1] + max(0, ℓ + 1 − 40) / 2 s.
 *   (The call-usage meter, 400 calls draining 2/s, never binds before the 40-call bucket; the time-usage meter
 *   allows ~9 full 1000-order pages per second, more than the other rules let through.)
 * Starting every call at the earliest time these allow is optimal (each constraint only gets easier when an
 * earlier call started earlier), so the greedy schedule's end, t[N-1] + L, is the mall's minimum time. For small
 * N it is ceil(N/2)·L; for large N it tends to (N − ~51)/2 s + ~5.7 s: the burst of 40 (+ what drains meanwhile)
 * at 9/s, then 2/s.
 * The bound ignores data dependencies between calls (a products page needs the previous page's last
 * product_no; an orders page needs the count of its window), which can only make the true minimum longer: it
 * is a lower bound, not an estimate. It also takes the server's time to build a page as zero beyond L.
 *
 * The run's API bound is the maximum over malls: with unlimited parallelism across malls (they have separate
 * budgets) the slowest mall still needs its own minimum. The CPU bound is the CPU time the pipeline spent
 * divided by the machine's cores: no schedule finishes before the work the pipeline did fits on them. The
 * benchmark's bound is the larger of the two.
 */

export interface ApiLimits {
  latencyMs: number;
  maxInFlight: number;
  /** Calls allowed to start within any 1 s window (10 is refused, so 9). */
  perSecond: number;
  capacity: number;
  leakPerSecond: number;
}

export const SIMULATOR_LIMITS: Omit<ApiLimits, 'latencyMs'> = { maxInFlight: 2, perSecond: 9, capacity: 40, leakPerSecond: 2 };

/** Minimum wall time (ms) for `calls` calls to one mall under `limits`. */
export function minMallTimeMs(calls: number, limits: ApiLimits): number {
  if (calls <= 0) return 0;
  const starts: number[] = [];
  let level = 0;
  let levelAt = 0;
  for (let i = 0; i < calls; i++) {
    let t = i === 0 ? 0 : starts[i - 1]!;
    if (i >= limits.maxInFlight) t = Math.max(t, starts[i - limits.maxInFlight]! + limits.latencyMs);
    if (i >= limits.perSecond) t = Math.max(t, starts[i - limits.perSecond]! + 1000);
    // Bucket: drained level at t must leave room for one more call.
    const over = level + 1 - limits.capacity;
    if (over > 0) t = Math.max(t, levelAt + (over / limits.leakPerSecond) * 1000);
    level = Math.max(0, level - ((t - levelAt) / 1000) * limits.leakPerSecond) + 1;
    levelAt = t;
    starts.push(t);
  }
  return starts[calls - 1]! + limits.latencyMs;
}

export interface Bound {
  /** max over malls of minMallTimeMs, seconds. */
  apiS: number;
  /** The mall that sets it, and its calls. */
  apiMall: string;
  apiMallCalls: number;
  /** Pipeline CPU seconds ÷ cores. */
  cpuS: number;
  /** max(apiS, cpuS). */
  boundS: number;
}

export function lowerBound(callsByMall: { mallId: string; calls: number }[], latencyMs: number, pipelineCpuS: number, cores: number): Bound {
  let apiMs = 0;
  let apiMall = '';
  let apiMallCalls = 0;
  for (const { mallId, calls } of callsByMall) {
    const ms = minMallTimeMs(calls, { ...SIMULATOR_LIMITS, latencyMs });
    if (ms > apiMs) [apiMs, apiMall, apiMallCalls] = [ms, mallId, calls];
  }
  const cpuS = pipelineCpuS / cores;
  return { apiS: apiMs / 1000, apiMall, apiMallCalls, cpuS, boundS: Math.max(apiMs / 1000, cpuS) };
}
