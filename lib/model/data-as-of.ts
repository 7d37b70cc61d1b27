/**
 * The data-as-of times a run event may claim, per entity. One outside [2000, run end + 1 day] (a connector's bug,
 * e.g. year 9999) is left out: freshness would otherwise claim data from the future and hide staleness from the
 * alert. The sink's freshness rows and `sellerstream status` reading sync.runs itself both take them from here.
 */
import type { SyncRun } from '../contracts/sync-run.js';
import { EARLIEST_PLAUSIBLE_MS, FUTURE_TOLERANCE_MS } from './values.js';

export function plausibleDataAsOf(run: Pick<SyncRun, 'startedAt' | 'durationMs' | 'dataAsOf'>): [entity: string, asOfMs: number][] {
  const latestMs = Date.parse(run.startedAt) + run.durationMs + FUTURE_TOLERANCE_MS;
  const out: [string, number][] = [];
  for (const [entity, asOf] of Object.entries(run.dataAsOf ?? {})) {
    const asOfMs = Date.parse(asOf);
    if (asOfMs >= EARLIEST_PLAUSIBLE_MS && asOfMs <= latestMs) out.push([entity, asOfMs]);
  }
  return out;
}
