/**
 * What a tier buys, as data, and the one owner of it: how often a tenant syncs (the scheduler plans its slots
 * from `syncIntervalMinutes`, producers/scheduler/policy.ts) and how hard a failed job is retried (the platform
 * consumers read `retry`). Which topic a tier's requests go to (paid → high, free → low) is the contract's
 * `priorityOf`, since it names topics.
 *
 * Defaults (issue 11): paid hourly with 5 attempts, free every 6 h with 2. Paid used to be every 15 min, four
 * times what the sellers asked for, which made one paid tenant cost 24 free ones. Settings `tiers.*` override
 * the period and the attempts (`tierPolicies()`). Retries back off exponentially with full jitter, never sooner than
 * the source's own Retry-After (lib/sync/job-outcome.ts), and after the last attempt go to sync.dlq with every
 * attempt's error.
 */
import type { Tier } from '../contracts/fields.js';
import type { RetryPolicy } from '../retry.js';

export interface TierPolicy {
  /** Default time between two scheduled syncs of a tenant (a tenant record may override it). */
  syncIntervalMinutes: number;
  retry: RetryPolicy;
}

export const TIER_POLICIES: Record<Tier, TierPolicy> = {
  paid: { syncIntervalMinutes: 60, retry: { initialMs: 30_000, maxMs: 10 * 60_000, multiplier: 2, jitter: 'full', maxAttempts: 5 } },
  free: { syncIntervalMinutes: 6 * 60, retry: { initialMs: 60_000, maxMs: 30 * 60_000, multiplier: 3, jitter: 'full', maxAttempts: 2 } },
};

/** What configuration may change of a tier (lib/config.ts `tiers`). */
export interface TierOverride {
  intervalMinutes?: number;
  maxAttempts?: number;
}

/** TIER_POLICIES with the configured periods and attempts. */
export function tierPolicies(overrides: Partial<Record<Tier, TierOverride>> = {}): Record<Tier, TierPolicy> {
  const apply = (tier: Tier): TierPolicy => {
    const base = TIER_POLICIES[tier];
    const o = overrides[tier] ?? {};
    return {
      syncIntervalMinutes: o.intervalMinutes ?? base.syncIntervalMinutes,
      retry: { ...base.retry, maxAttempts: o.maxAttempts ?? base.retry.maxAttempts },
    };
  };
  return { paid: apply('paid'), free: apply('free') };
}
