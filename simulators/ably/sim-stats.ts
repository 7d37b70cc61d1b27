/** Per-seller counters for tests and the bench: what reached the API and how it was answered. */
export interface SellerStats {
  calls: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
  rateLimited: number;
  blocked: number;
  injected: { status5xx: number; errorIn200: number; heavyPage: number; blockStorm: number };
}

/** Calls made before a seller is known (bad token, login of an unknown e-mail, blocked IP) count here. */
export const ANONYMOUS = '(anonymous)';

export class StatsBook {
  private readonly book = new Map<string, SellerStats>();

  of(sellerId: string): SellerStats {
    let stats = this.book.get(sellerId);
    if (!stats) {
      stats = { calls: 0, byStatus: {}, byRoute: {}, rateLimited: 0, blocked: 0, injected: { status5xx: 0, errorIn200: 0, heavyPage: 0, blockStorm: 0 } };
      this.book.set(sellerId, stats);
    }
    return stats;
  }

  record(sellerId: string, route: string, status: number): void {
    const stats = this.of(sellerId);
    stats.calls += 1;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  }

  snapshot(sellerId: string): SellerStats {
    return structuredClone(this.of(sellerId));
  }

  reset(sellerId?: string): void {
    if (sellerId === undefined) this.book.clear();
    else this.book.delete(sellerId);
  }
}
