/**
 * What happened per mall, for tests and the benchmark: calls by status, why calls were refused, what the fault
 * injector did, and how tokens were issued.
 */
import type { RefusalReason } from './rate-limit.js';

export interface MallStats {
  /** Admin API calls received (every status). */
  calls: number;
  byStatus: Record<string, number>;
  byEndpoint: Record<string, number>;
  /** 429s, with their reason. */
  rateLimited: number;
  refusals: Partial<Record<RefusalReason, number>>;
  injected: { serverErrors: number; timeouts: number; malformed: number };
  /** Token endpoint outcomes. */
  tokensIssued: number;
  refreshes: number;
  tokenErrors: number;
}

export function emptyStats(): MallStats {
  return {
    calls: 0, byStatus: {}, byEndpoint: {}, rateLimited: 0, refusals: {},
    injected: { serverErrors: 0, timeouts: 0, malformed: 0 },
    tokensIssued: 0, refreshes: 0, tokenErrors: 0,
  };
}

export class StatsBook {
  private readonly byMall = new Map<string, MallStats>();

  of(mallId: string): MallStats {
    let stats = this.byMall.get(mallId);
    if (!stats) {
      stats = emptyStats();
      this.byMall.set(mallId, stats);
    }
    return stats;
  }

  /** A copy, so callers can keep a snapshot while the simulator keeps counting. */
  snapshot(mallId: string): MallStats {
    return structuredClone(this.of(mallId));
  }

  reset(mallId?: string): void {
    if (mallId) this.byMall.delete(mallId);
    else this.byMall.clear();
  }

  recordCall(mallId: string, endpoint: string, status: number): void {
    const stats = this.of(mallId);
    stats.calls += 1;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
  }

  recordRefusal(mallId: string, reason: RefusalReason): void {
    const stats = this.of(mallId);
    stats.rateLimited += 1;
    stats.refusals[reason] = (stats.refusals[reason] ?? 0) + 1;
  }
}
