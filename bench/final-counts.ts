/** What each sink table holds as a query sees it (FINAL): how the benchmarks check that every row landed once. */
import { TABLES } from '../lib/model/tables.js';
import type { Warehouse } from '../lib/warehouse/warehouse.js';

export async function finalCounts(warehouse: Warehouse): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await warehouse.query<{ c: string }>(`SELECT count() AS c FROM ${table} FINAL`))[0]?.c ?? 0);
  return counts;
}
