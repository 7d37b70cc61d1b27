/**
 * What an Ably fault sets of its consumer (faults/ably/consumer-child.ts reads it from FAULT_OPTIONS). Everything
 * else is production's: the browser pool's defaults (4 pages, retire after 100, 1 GB), the session pool, the
 * login paths, the breaker's and the seller API's defaults unless a fault shortens them.
 */
import type { BreakerOptions } from '../../consumers/ably/circuit-breaker.js';
import type { SellerApiOptions } from '../../consumers/ably/seller-api.js';
import type { RetryPolicy } from '../../lib/retry.js';

export interface AblyChildOptions {
  /**
   * The pacer's rates. Production's (5 and 2 per second) suit one egress IP against the real seller center; the
   * simulator's limits are opened up for the faults (stage.ts), which are about failures, not pacing.
   */
  hostRatePerSec: number;
  accountRatePerSec: number;
  /**
   * The paid tier's retries. Production waits 30 s and more before a retry; the faults' retries start at 200 ms so
   * a chain of five attempts fits in seconds, with the same count of attempts (5).
   */
  paidRetry: RetryPolicy;
  /** A storm fault's breaker: fewer samples and a short open time, so it opens and closes within the fault. */
  breaker?: BreakerOptions;
  api?: Partial<Pick<SellerApiOptions, 'blockCoolDownMs'>>;
}

export const DEFAULT_CHILD_OPTIONS: AblyChildOptions = {
  hostRatePerSec: 200,
  accountRatePerSec: 100,
  paidRetry: { initialMs: 200, maxMs: 1_000, multiplier: 2, jitter: 0.2, maxAttempts: 5 },
};
