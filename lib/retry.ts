/**
 * Exponential backoff with jitter, as a pure function of the attempt number and a policy.
 * delay(attempt) = min(initial × multiplier^(attempt-1), max), then scaled by a random factor in [1-jitter, 1+jitter],
 * or with `jitter: 'full'` drawn uniformly from [0, delay] ("full jitter", AWS Architecture Blog: it spreads the
 * retries of many tenants failing together the most, at the price of some early ones; callers that must not
 * retry before a source's own hint take the larger of the two, lib/sync/job-outcome.ts).
 */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0.2 spreads each delay over ±20 %, so retries of many tenants do not arrive together; 'full': over [0, delay]. */
  jitter: number | 'full';
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 300, maxMs: 30_000, multiplier: 2, jitter: 0.2, maxAttempts: 5 };

export function backoff(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.initialMs * policy.multiplier ** Math.max(0, attempt - 1), policy.maxMs);
  const factor = policy.jitter === 'full' ? random() : 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(base * factor);
}

/** Whether another attempt follows `attempt` under the policy. */
export function hasAttemptsLeft(attempt: number, policy: RetryPolicy): boolean {
  return attempt < policy.maxAttempts;
}
