/**
 * The world one Ably fault runs in: the harness's stage (topics, credentials, children, run events) with the
 * Ably simulator in this process (its clock kept still, so its truth cannot move under a fault; its limits opened
 * up, so only what a fault turns on refuses), a tenant per seller with its password sealed on `credentials`, the
 * Ably consumer as a child (consumer-child.ts) that launches its own Chromium, and the reconciliation of every
 * seller's tables against `sim.truth()`.
 */
import { join } from 'node:path';
import type { AblySecret } from '../../consumers/ably/login.js';
import type { SyncRequest } from '../../lib/contracts/sync-request.js';
import type { SyncRun } from '../../lib/contracts/sync-run.js';
import { liveInGroup } from '../../lib/testing/processes.js';
import { waitFor } from '../../lib/wait-for.js';
import { startAblySimulator, type AblySellerSpec, type AblySimulator } from '../../simulators/ably/index.js';
import type { FaultContext, FaultReport } from '../harness/fault.js';
import { reconcileCounts, type HoldingTable, type Holdings } from '../harness/reconcile.js';
import { openStage as openHarnessStage, TERMINAL, type FaultChild, type Stage as HarnessStage } from '../harness/stage.js';
import { DEFAULT_CHILD_OPTIONS, type AblyChildOptions } from './options.js';

/** The tables an Ably sync fills that the simulator's truth counts, with their natural keys. */
export const ABLY_TABLES: HoldingTable[] = [
  { table: 'orders', key: 'order_id' },
  { table: 'order_items', key: 'order_id, item_id' },
  { table: 'products', key: 'shop_no, product_id' },
  { table: 'order_claims', key: 'claim_id, item_id' },
  { table: 'reviews', key: 'review_id' },
  { table: 'settlements', key: 'settlement_id' },
];

const OPEN_LIMITS = [{ ratePerSec: 500, burst: 1000 }];

export const tenantOf = (sellerId: string) => `t-${sellerId}`;

/** A small seller: a few goods, 20 days of history, four orders a day (about 80 orders, 160 items). */
export const smallSeller = (sellerId: string, loginMode: 'api' | 'challenge' = 'api'): AblySellerSpec => ({ sellerId, loginMode, goods: 3, historyDays: 20, ordersPerDay: 4 });

export interface AblyStageOptions {
  sellers: AblySellerSpec[];
  /** Per seller, what of its stored secret differs from the simulator's account (a wrong password). */
  secrets?: Record<string, Partial<AblySecret>>;
}

export interface Stage extends Omit<HarnessStage, 'publish'> {
  readonly sim: AblySimulator;
  /** Where the consumer stores drift evidence (in the fault's work directory). */
  readonly evidenceDir: string;
  startConsumer(options?: Partial<AblyChildOptions>): FaultChild;
  /** A manual sync request per seller (all when none named). */
  publish(sellerIds?: string[]): Promise<SyncRequest[]>;
  runsOf(requestId: string): SyncRun[];
  /** The last run of each request, once every one of them ended (succeeded, dead, needs_reauth). */
  ended(requests: SyncRequest[], deadlineMs?: number): Promise<SyncRun[]>;
  /**
   * ClickHouse against the simulator: every seller in `synced` holds exactly its truth, every seller in `empty`
   * (its job failed for good) holds nothing; raw_records match the committed runs; no run event twice.
   */
  reconcile(report: FaultReport, sellers: { synced: string[]; empty?: string[] }): Promise<Holdings>;
}

export async function openStage(ctx: FaultContext, name: string, { sellers, secrets = {} }: AblyStageOptions): Promise<Stage> {
  const base = await openHarnessStage(ctx, name, { platform: 'ably' });
  const sim = await startAblySimulator({ seed: ctx.seed, sellers, limits: { perIp: OPEN_LIMITS, perAccount: OPEN_LIMITS } });
  for (const seller of sim.sellers) {
    await base.credentials.put(tenantOf(seller.sellerId), 'ably', { email: seller.email, password: seller.password, ...secrets[seller.sellerId] } satisfies AblySecret);
  }
  const evidenceDir = join(ctx.workDir, 'evidence');
  const runsOf = (requestId: string) => base.runs.filter((r) => r.requestId === requestId);

  return {
    ...base, sim, evidenceDir, runsOf,
    startConsumer(options = {}) {
      return base.spawnConsumer(new URL('./consumer-child.ts', import.meta.url), {
        INSTANCE_ID: 'fault-ably-0', ABLY_API_BASE_URL: sim.apiUrl, ABLY_WEB_URL: sim.webUrl, ABLY_EVIDENCE_DIR: evidenceDir,
        SIM_NOW_MS: String(sim.clock.now()), FAULT_OPTIONS: JSON.stringify({ ...DEFAULT_CHILD_OPTIONS, ...options }),
      });
    },
    publish: (sellerIds = sim.sellers.map((s) => s.sellerId)) => base.publish(sellerIds.map(tenantOf)),
    ended: (requests, deadlineMs = 120_000) => waitFor(() => {
      const last = requests.map((r) => runsOf(r.requestId).at(-1));
      return last.every((run) => run !== undefined && TERMINAL.has(run.status)) ? (last as SyncRun[]) : undefined;
    }, { deadlineMs, intervalMs: 50, description: 'every request to end' }),
    async reconcile(report, { synced, empty = [] }) {
      const holdings = await base.holdings(ABLY_TABLES);
      const truthOf = (sellerId: string) => {
        const t = sim.truth(sellerId);
        const counts = { orders: t.orders, order_items: t.orderItems, products: t.goods, order_claims: t.cancels + t.returns, reviews: t.reviews, settlements: t.settlements };
        return { tenantId: tenantOf(sellerId), low: counts, high: counts };
      };
      const zero = Object.fromEntries(ABLY_TABLES.map(({ table }) => [table, 0]));
      const nothing = (sellerId: string) => ({ tenantId: tenantOf(sellerId), low: zero, high: zero });
      reconcileCounts([...synced.map(truthOf), ...empty.map(nothing)], holdings, report, base.committedRecords());
      base.checkRunsOnce(report);
      report.details.sellers = synced.length + empty.length;
      report.details.items = synced.reduce((n, id) => n + sim.truth(id).orderItems, 0);
      return holdings;
    },
    async close(report) {
      await base.close(report);
      await sim.stop();
      // Whatever the fault did, no process of any Chromium a consumer launched may outlive the consumer.
      const browsers = base.consumers.flatMap((c) => c.events.filter((e) => e.event === 'browser' && e.data.kind === 'browserLaunched').map((e) => e.data.pid as number));
      await waitFor(() => browsers.every((pid) => liveInGroup(pid).length === 0), { deadlineMs: 10_000, intervalMs: 100, description: 'every browser gone' }).catch(() => {
        const left = browsers.flatMap((pid) => liveInGroup(pid));
        report.failures.push(`${left.length} Chromium process(es) left after the consumer stopped: ${left.map((p) => `${p.pid} ${p.comm} ${p.state}`).join(', ')}`);
      });
    },
  };
}
