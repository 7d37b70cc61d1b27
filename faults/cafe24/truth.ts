/**
 * The Cafe24 side of a reconciliation (faults/harness/reconcile.ts does the counting):
 * - Truth: the simulator's own selection (`expectedCounts`, `expectedOrders`): the orders of the synced window,
 *   their items, payments (cents) and item statuses; the catalog per multi-shop. Orders keep arriving, so the
 *   truth is a range: every order placed before the tenant's last sync started must be there, and none placed
 *   after it ended; statuses are compared for the orders that have not changed since that sync started.
 * - Beyond the counts: the payments of the orders present to the cent, and (after an incremental sync) each
 *   order's item statuses.
 */
import type { Cafe24Simulator } from '../../simulators/cafe24/simulator.js';
import type { FaultReport } from '../harness/fault.js';
import { reconcileCounts, type HoldingTable, type Holdings } from '../harness/reconcile.js';

/** The tables a Cafe24 sync fills, with their natural keys. */
export const CAFE24_TABLES: HoldingTable[] = [
  { table: 'orders', key: 'order_id' },
  { table: 'order_items', key: 'order_id, item_id' },
  { table: 'products', key: 'shop_no, product_id' },
  { table: 'categories', key: 'shop_no, category_id' },
];

interface TruthAt {
  counts: Record<'orders' | 'order_items' | 'products' | 'categories', number>;
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
  reconcileCounts(truths.map((t) => ({ tenantId: t.tenantId, low: t.low.counts, high: t.high.counts })), holdings, report, committedRecords);
  let staleStatuses = 0;
  let paymentOff = 0;
  for (const truth of truths) {
    const held = holdings[truth.tenantId];
    // The payments of the orders present: the low truth's, or the high one's when an order arrived mid-sync.
    const orders = held?.tables.orders?.uniq ?? 0;
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
