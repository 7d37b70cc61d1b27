/**
 * The end of every fault: ClickHouse against the source's truth, per tenant and entity.
 * - Truth: the simulator's own selection (`expectedCounts`, `expectedOrders`): the orders of the synced window,
 *   their items, payments (cents) and item statuses; the catalog per multi-shop. Orders keep arriving, so the
 *   truth is a range: every order placed before the tenant's last sync started must be there, and none placed
 *   after it ended; statuses are compared for the orders that have not changed since that sync started.
 * - Holdings (`warehouseHoldings`, run inside the sink's process, which owns the engine): per table FINAL, plain
 *   count() (merges are stopped, so a duplicate insert stays visible) and uniqExact on the natural key.
 * Lost = truth the warehouse lacks; duplicated = rows beyond it: FINAL above uniqExact or above the truth, and
 * raw_records rows beyond the records the committed runs reported (each committed record lands once).
 */
import type { Warehouse } from '../lib/warehouse/warehouse.js';
import type { Cafe24Simulator } from '../simulators/cafe24/simulator.js';
import type { FaultReport } from './fault.js';

const ENTITY_TABLES = {
  orders: { table: 'orders', key: 'order_id' },
  order_items: { table: 'order_items', key: 'order_id, item_id' },
  products: { table: 'products', key: 'shop_no, product_id' },
  categories: { table: 'categories', key: 'shop_no, category_id' },
} as const;
type Entity = keyof typeof ENTITY_TABLES;
const ENTITIES = Object.keys(ENTITY_TABLES) as Entity[];

export interface TableHolding { final: number; plain: number; uniq: number }

export interface TenantHoldings {
  tables: Record<Entity, TableHolding>;
  /** Σ orders.payment_amount (FINAL) in cents. */
  paymentCents: number;
  rawRecords: number;
  /** order_id → the order's item statuses, sorted and joined. */
  statuses: Record<string, string>;
}

export type Holdings = Record<string, TenantHoldings>;

/** What the warehouse holds per tenant (every query FINAL unless it is the plain count). */
export async function warehouseHoldings(warehouse: Warehouse): Promise<Holdings> {
  const out: Holdings = {};
  const tenant = (id: string) => (out[id] ??= {
    tables: Object.fromEntries(ENTITIES.map((e) => [e, { final: 0, plain: 0, uniq: 0 }])) as Record<Entity, TableHolding>,
    paymentCents: 0, rawRecords: 0, statuses: {},
  });
  for (const entity of ENTITIES) {
    const { table, key } = ENTITY_TABLES[entity];
    const finals = await warehouse.query<{ t: string; final: string; uniq: string }>(
      `SELECT tenant_id AS t, count() AS final, uniqExact(${key}) AS uniq FROM ${table} FINAL GROUP BY tenant_id`);
    for (const r of finals) Object.assign(tenant(r.t).tables[entity], { final: Number(r.final), uniq: Number(r.uniq) });
    const plains = await warehouse.query<{ t: string; plain: string }>(`SELECT tenant_id AS t, count() AS plain FROM ${table} GROUP BY tenant_id`);
    for (const r of plains) tenant(r.t).tables[entity].plain = Number(r.plain);
  }
  for (const r of await warehouse.query<{ t: string; cents: string }>(
    'SELECT tenant_id AS t, toString(toInt64(sum(payment_amount) * 100)) AS cents FROM orders FINAL GROUP BY tenant_id')) {
    tenant(r.t).paymentCents = Number(r.cents);
  }
  for (const r of await warehouse.query<{ t: string; n: string }>('SELECT tenant_id AS t, count() AS n FROM raw_records GROUP BY tenant_id')) {
    tenant(r.t).rawRecords = Number(r.n);
  }
  for (const r of await warehouse.query<{ t: string; o: string; s: string }>(
    "SELECT tenant_id AS t, order_id AS o, arrayStringConcat(arraySort(groupArray(source_status)), ',') AS s FROM order_items FINAL GROUP BY tenant_id, order_id")) {
    tenant(r.t).statuses[r.o] = r.s;
  }
  return out;
}

interface TruthAt {
  counts: Record<Entity, number>;
  paymentCents: number;
}

export interface TenantTruth {
  tenantId: string;
  mallId: string;
  /** Orders placed before the last sync started: all must be there. */
  low: TruthAt;
  /** Orders placed before it ended: none beyond may be. */
  high: TruthAt;
  /** Item statuses of the orders unchanged since the last sync started. */
  statuses: Record<string, string>;
}

/**
 * The simulator's truth for a tenant's mall: orders placed in [since, from) and [since, to) (simulator time), the
 * catalog once per multi-shop.
 */
export function simulatorTruth(sim: Cafe24Simulator, tenantId: string, mallId: string, window: { since: string; from: number; to: number }): TenantTruth {
  const at = (until: number) => {
    const counts = sim.expectedCounts(mallId, { since: window.since, until });
    const orders = sim.expectedOrders(mallId, { since: window.since, until });
    return {
      orders,
      truth: {
        counts: { orders: counts.orders, order_items: counts.items, products: counts.products * counts.shops, categories: counts.categories * counts.shops },
        paymentCents: orders.reduce((sum, o) => sum + o.paymentCents, 0),
      },
    };
  };
  const low = at(window.from);
  return {
    tenantId, mallId, low: low.truth, high: at(window.to).truth,
    statuses: Object.fromEntries(low.orders.filter((o) => o.lastChangedAtMs < window.from).map((o) => [o.orderId, [...o.itemStatuses].sort().join(',')])),
  };
}

export interface ReconcileOptions {
  /** Records each tenant's committed runs reported fetching (raw_records must hold exactly these). */
  committedRecords: Record<string, number>;
  /** Compare item statuses (after an incremental sync). */
  statuses?: boolean;
}

/** Adds the reconciliation's lost, duplicated and mismatches to the report. */
export function reconcile(truths: TenantTruth[], holdings: Holdings, report: FaultReport, { committedRecords, statuses = false }: ReconcileOptions): void {
  let staleStatuses = 0;
  let paymentOff = 0;
  for (const truth of truths) {
    const held = holdings[truth.tenantId];
    for (const entity of ENTITIES) {
      const h = held?.tables[entity] ?? { final: 0, plain: 0, uniq: 0 };
      const [low, high] = [truth.low.counts[entity], truth.high.counts[entity]];
      report.lost += Math.max(0, low - h.uniq);
      report.duplicated += Math.max(0, h.final - h.uniq) + Math.max(0, h.uniq - high);
      if (h.uniq < low || h.uniq > high || h.final !== h.uniq) {
        report.failures.push(`${truth.tenantId} ${entity}: ${h.uniq} in ClickHouse (FINAL ${h.final}), ${low === high ? low : `${low}-${high}`} at the source`);
      }
    }
    const raw = held?.rawRecords ?? 0;
    const committed = committedRecords[truth.tenantId] ?? 0;
    if (raw !== committed) {
      report.failures.push(`${truth.tenantId} raw_records: ${raw} rows, ${committed} records in committed runs`);
      if (raw > committed) report.duplicated += raw - committed;
      else report.lost += committed - raw;
    }
    // The payments of the orders present: the low truth's, or the high one's when an order arrived mid-sync.
    const orders = held?.tables.orders.uniq ?? 0;
    const want = orders === truth.high.counts.orders ? truth.high.paymentCents : truth.low.paymentCents;
    if ((held?.paymentCents ?? 0) !== want) {
      paymentOff += 1;
      report.failures.push(`${truth.tenantId} payments: ${(held?.paymentCents ?? 0) / 100} in ClickHouse, ${want / 100} at the source`);
    }
    if (statuses) {
      for (const [orderId, want] of Object.entries(truth.statuses)) if (held?.statuses[orderId] !== undefined && held.statuses[orderId] !== want) staleStatuses += 1;
    }
  }
  report.details.tenants = truths.length;
  report.details.orders = truths.reduce((n, t) => n + t.low.counts.orders, 0);
  report.details.items = truths.reduce((n, t) => n + t.low.counts.order_items, 0);
  if (paymentOff > 0) report.details.payment_mismatches = paymentOff;
  if (statuses) {
    report.details.stale_statuses = staleStatuses;
    if (staleStatuses > 0) report.failures.push(`${staleStatuses} order(s) whose item statuses differ from the source after the incremental sync`);
  }
}
