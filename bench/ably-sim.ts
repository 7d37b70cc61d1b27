/**
 * The Ably benchmark's simulator process (bench/ably.ts starts one per measured run: fresh limits, tokens and
 * stats, the same seed and clock, so both runs meet the same sellers and data). It plays the seller center, which
 * in production is not ours, so its page building never competes with the pipeline's event loop and its CPU is
 * counted apart.
 */
import { startAblySimulator, type AblySellerAccount, type AblySimulator } from '../simulators/ably/index.js';
import { serve } from './cafe24-ipc.js';

let sim: AblySimulator | undefined;

export interface AblySimStart {
  sellers: number;
  seed: number;
  challengeShare: number;
  latencyMs: number;
  goods: number;
  ordersPerDay: number;
  historyDays: number;
}

export interface AblySimInfo {
  apiUrl: string;
  webUrl: string;
  /** The simulated clock (manual: it stands still for the whole run). */
  nowMs: number;
  accounts: AblySellerAccount[];
}

export interface AblyTruthTotals {
  orders: number;
  orderItems: number;
  goods: number;
  claims: number;
  reviews: number;
  settlements: number;
}

const id = (i: number) => `ably${String(i + 1).padStart(4, '0')}`;

serve({
  async start(o: AblySimStart): Promise<AblySimInfo> {
    sim = await startAblySimulator({
      seed: o.seed,
      sellers: Array.from({ length: o.sellers }, (_, i) => ({ sellerId: id(i), goods: o.goods, ordersPerDay: o.ordersPerDay, historyDays: o.historyDays })),
      knobs: { challengeShare: o.challengeShare, latencyMs: o.latencyMs },
      // Every seller behind one egress IP: the per-IP bucket is raised as for a fleet of sticky proxies.
      limits: { perIp: [{ ratePerSec: 5_000, burst: 5_000 }] },
    });
    return { apiUrl: sim.apiUrl, webUrl: sim.webUrl, nowMs: sim.clock.now(), accounts: sim.sellers.map((s) => ({ ...s })) };
  },
  truth(): AblyTruthTotals {
    const totals: AblyTruthTotals = { orders: 0, orderItems: 0, goods: 0, claims: 0, reviews: 0, settlements: 0 };
    for (const seller of sim!.sellers) {
      const t = sim!.truth(seller.sellerId);
      totals.orders += t.orders;
      totals.orderItems += t.orderItems;
      totals.goods += t.goods;
      totals.claims += t.cancels + t.returns;
      totals.reviews += t.reviews;
      totals.settlements += t.settlements;
    }
    return totals;
  },
  stats() {
    let calls = 0, logins = 0, challengeLogins = 0, rateLimited = 0, blocked = 0;
    for (const seller of sim!.sellers) {
      const s = sim!.stats(seller.sellerId);
      calls += s.calls;
      logins += s.login.logins;
      challengeLogins += s.login.challengeLogins;
      rateLimited += s.rateLimited;
      blocked += s.blocked;
    }
    return { calls, logins, challengeLogins, rateLimited, blocked };
  },
  async close() {
    await sim?.stop();
  },
});
