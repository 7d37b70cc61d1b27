/**
 * The world one Cafe24 fault runs in: the harness's stage (topics, credentials, children, run events) with the
 * Cafe24 simulator in this process (on wall time, so its rate limits drain, plus whatever a fault moves it
 * ahead), a tenant per mall with its grant sealed on `credentials`, the Cafe24 consumer as a child
 * (consumer-child.ts), and the reconciliation against the simulator's truth (truth.ts).
 */
import type { SyncRequest } from '../../lib/contracts/sync-request.js';
import { addDays, kstDay } from '../../consumers/cafe24/order-windows.js';
import { connectCafe24 } from '../../producers/tenant-admin.js';
import type { SimClock } from '../../simulators/cafe24/clock.js';
import type { ShopSpec } from '../../simulators/cafe24/shop-spec.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';
import type { FaultKnobs } from '../../simulators/cafe24/faults.js';
import type { FaultContext, FaultReport } from '../harness/fault.js';
import type { Holdings } from '../harness/reconcile.js';
import { openStage as openHarnessStage, TERMINAL, type FaultChild, type Stage as HarnessStage } from '../harness/stage.js';
import { CAFE24_TABLES, reconcile, simulatorTruth, type TenantTruth } from './truth.js';

/** The consumer's first sync reaches this far back (consumer-child.ts: initialDays). */
const INITIAL_DAYS = 90;

export interface StageOptions {
  shops: ShopSpec[];
  /** Admin API latency per call. @default { minMs: 50, maxMs: 150 } */
  latencyMs?: FaultKnobs['latencyMs'];
  /** Tenants whose mall id is not a simulator mall (hostile ids): tenant id → mall id. */
  extraTenants?: { tenantId: string; mallId: string }[];
  /** Brokers other than the shared ones (a fault's own broker). */
  brokers?: string[];
  /** The Admin API base the consumer uses. @default the simulator's */
  apiBaseTemplate?: string;
}

export interface Tenant { tenantId: string; mallId: string }

/** Wall time plus an offset a fault can move forward (statuses progress, tokens expire, orders arrive). */
export interface ShiftedClock extends SimClock {
  readonly offsetMs: number;
  advance(ms: number): void;
}

function shiftedClock(): ShiftedClock {
  let offsetMs = 0;
  return { now: () => Date.now() + offsetMs, get offsetMs() { return offsetMs; }, advance: (ms) => void (offsetMs += ms) };
}

export interface Stage extends Omit<HarnessStage, 'publish'> {
  readonly sim: Cafe24Simulator;
  readonly clock: ShiftedClock;
  readonly tenants: Tenant[];
  startConsumer(env?: Record<string, string>): FaultChild;
  /** A manual sync request per tenant (all when none named). */
  publish(tenantIds?: string[], extra?: Partial<SyncRequest>): Promise<SyncRequest[]>;
  /** ClickHouse against the simulator for the given tenants (default: every simulator tenant). */
  reconcile(report: FaultReport, opts?: { tenants?: Tenant[]; statuses?: boolean }): Promise<Holdings>;
}

export async function openStage(ctx: FaultContext, name: string, options: StageOptions): Promise<Stage> {
  const base = await openHarnessStage(ctx, name, { platform: 'cafe24', brokers: options.brokers });
  const clock = shiftedClock();
  const sim = await startCafe24Simulator({ seed: ctx.seed, clock, shops: options.shops, latencyMs: options.latencyMs ?? { minMs: 50, maxMs: 150 } });
  const tenants = options.shops.map((s) => ({ tenantId: `t-${s.mallId}`, mallId: s.mallId }));
  for (const t of tenants) await connectCafe24(base.credentials, t.tenantId, t.mallId, (await sim.issueTokens(t.mallId)).response);
  for (const t of options.extraTenants ?? []) {
    // A grant as a compromised or buggy install flow would store it: a hostile mall id with a working token.
    const { response } = await sim.issueTokens(tenants[0]!.mallId);
    await connectCafe24(base.credentials, t.tenantId, t.mallId, { ...(response as object), mall_id: t.mallId });
  }
  const windowStart = () => `${addDays(kstDay(Date.now()), -INITIAL_DAYS)}T00:00:00+09:00`;

  return {
    ...base, sim, clock, tenants,
    startConsumer(env = {}) {
      return base.spawnConsumer(new URL('./consumer-child.ts', import.meta.url), {
        INSTANCE_ID: 'fault-consumer-0', CAFE24_API_BASE_TEMPLATE: options.apiBaseTemplate ?? sim.apiBaseTemplate,
        CAFE24_CLIENT_ID: sim.app.clientId, CAFE24_CLIENT_SECRET: sim.app.clientSecret, ...env,
      });
    },
    publish: (tenantIds = tenants.map((t) => t.tenantId), extra = {}) => base.publish(tenantIds, extra),
    async reconcile(report, { tenants: which = tenants, statuses = false } = {}) {
      const holdings = await base.holdings(CAFE24_TABLES);
      // Orders keep arriving: those placed before the tenant's last sync chain started must be there, none placed
      // after it ended may be; the connector reads up to the end of today (KST) on its own clock.
      const endOfToday = Date.parse(`${addDays(kstDay(Date.now()), 1)}T00:00:00+09:00`);
      const truths: TenantTruth[] = which.map((t) => {
        const chain = lastChain(base, t.tenantId);
        const at = (ms: number) => Math.min(ms + clock.offsetMs, endOfToday);
        return simulatorTruth(sim, t.tenantId, t.mallId, { since: windowStart(), from: at(chain.startMs), to: at(chain.endMs) });
      });
      reconcile(truths, holdings, report, { committedRecords: base.committedRecords(), statuses });
      base.checkRunsOnce(report);
      return holdings;
    },
    async close(report) {
      await base.close(report);
      await sim.close();
    },
  };
}

/** When the tenant's last sync chain (the runs after its previous final run, up to its last success) ran. */
function lastChain({ runs }: HarnessStage, tenantId: string): { startMs: number; endMs: number } {
  const own = runs.filter((r) => r.tenantId === tenantId);
  const last = own.map((r) => r.status).lastIndexOf('succeeded');
  if (last < 0) return { startMs: 0, endMs: 0 };
  let first = last;
  while (first > 0 && !TERMINAL.has(own[first - 1]!.status)) first -= 1;
  const end = own[last]!;
  return { startMs: Date.parse(own[first]!.startedAt), endMs: Date.parse(end.startedAt) + end.durationMs };
}
