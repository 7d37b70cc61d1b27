/**
 * The end of every fault: ClickHouse against the source's truth, per tenant and table. Platform-neutral: a
 * platform's faults say which tables they reconcile (with each table's natural key) and what the source holds;
 * the Cafe24 faults add payments and item statuses (faults/cafe24/truth.ts).
 * - Holdings (`warehouseHoldings`, run inside the sink's process, which owns the engine): per table FINAL, plain
 *   count() (merges are stopped, so a duplicate insert stays visible) and uniqExact on the natural key; raw_records
 *   rows; Σ orders.payment_amount and each order's item statuses (the shared model's, whatever the platform).
 * - Truth: a range per table, since a source may take orders while a fault runs: `low` must all be there, nothing
 *   beyond `high` may be.
 * Lost = truth the warehouse lacks; duplicated = rows beyond it: FINAL above uniqExact or above the truth, and
 * raw_records rows beyond the records the committed runs reported (each committed record lands once).
 */
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import type { FaultReport } from './fault.js';

/** A table to reconcile and its natural key (the columns uniqExact counts), within a tenant. */
export interface HoldingTable { table: string; key: string }

export interface TableHolding { final: number; plain: number; uniq: number }

export interface TenantHoldings {
  tables: Record<string, TableHolding>;
  /** Σ orders.payment_amount (FINAL) in cents. */
  paymentCents: number;
  rawRecords: number;
  /** order_id → the order's item statuses, sorted and joined. */
  statuses: Record<string, string>;
}

export type Holdings = Record<string, TenantHoldings>;

const NONE: TableHolding = { final: 0, plain: 0, uniq: 0 };

/** What the warehouse holds per tenant (every query FINAL unless it is the plain count). */
export async function warehouseHoldings(warehouse: Warehouse, tables: HoldingTable[]): Promise<Holdings> {
  const out: Holdings = {};
  const tenant = (id: string) => (out[id] ??= {
    tables: Object.fromEntries(tables.map(({ table }) => [table, { ...NONE }])), paymentCents: 0, rawRecords: 0, statuses: {},
  });
  for (const { table, key } of tables) {
    const finals = await warehouse.query<{ t: string; final: string; uniq: string }>(
      `SELECT tenant_id AS t, count() AS final, uniqExact(${key}) AS uniq FROM ${table} FINAL GROUP BY tenant_id`);
    for (const r of finals) Object.assign(tenant(r.t).tables[table]!, { final: Number(r.final), uniq: Number(r.uniq) });
    const plains = await warehouse.query<{ t: string; plain: string }>(`SELECT tenant_id AS t, count() AS plain FROM ${table} GROUP BY tenant_id`);
    for (const r of plains) tenant(r.t).tables[table]!.plain = Number(r.plain);
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

/** What the source holds of one tenant, per table: `low` rows must all be there, none beyond `high` may be. */
export interface CountTruth {
  tenantId: string;
  low: Record<string, number>;
  high: Record<string, number>;
}

/**
 * Adds each table's lost and duplicated rows, and raw_records against `committedRecords` (what each tenant's
 * committed runs reported fetching), to the report.
 */
export function reconcileCounts(truths: CountTruth[], holdings: Holdings, report: FaultReport, committedRecords: Record<string, number>): void {
  for (const truth of truths) {
    const held = holdings[truth.tenantId];
    for (const [table, low] of Object.entries(truth.low)) {
      const high = truth.high[table] ?? low;
      const h = held?.tables[table] ?? NONE;
      report.lost += Math.max(0, low - h.uniq);
      report.duplicated += Math.max(0, h.final - h.uniq) + Math.max(0, h.uniq - high);
      if (h.uniq < low || h.uniq > high || h.final !== h.uniq) {
        report.failures.push(`${truth.tenantId} ${table}: ${h.uniq} in ClickHouse (FINAL ${h.final}), ${low === high ? low : `${low}-${high}`} at the source`);
      }
    }
    const raw = held?.rawRecords ?? 0;
    const committed = committedRecords[truth.tenantId] ?? 0;
    if (raw !== committed) {
      report.failures.push(`${truth.tenantId} raw_records: ${raw} rows, ${committed} records in committed runs`);
      if (raw > committed) report.duplicated += raw - committed;
      else report.lost += committed - raw;
    }
  }
}
