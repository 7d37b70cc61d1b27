/**
 * What a tier buys, as data: how often a tenant syncs and how hard a failed job is retried.
 * The scheduler reads the intervals; the platform consumers read the retry policies.
 */
import type { Tier } from '../contracts/fields.js';
import type { RetryPolicy } from '../retry.js';

export interface TierPolicy {
  /** Default time between two scheduled syncs of a tenant. */
  syncIntervalMinutes: number;
  retry: RetryPolicy;
}

export const TIER_POLICIES: Record<Tier, TierPolicy> = {
  paid: { syncIntervalMinutes: 15, retry: { initialMs: 30_000, maxMs: 10 * 60_000, multiplier: 2, jitter: 0.2, maxAttempts: 5 } },
  free: { syncIntervalMinutes: 6 * 60, retry: { initialMs: 60_000, maxMs: 30 * 60_000, multiplier: 3, jitter: 0.2, maxAttempts: 3 } },
};
