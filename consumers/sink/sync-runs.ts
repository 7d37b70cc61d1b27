/**
 * sync.runs events → one sync_runs row each, plus one freshness row per entity the run reports `dataAsOf` for.
 * Platform-independent: the run event is ours, not a source's. freshness is a ReplacingMergeTree on as_of, so a
 * replayed older run never moves an entity's freshness back.
 */
import type { SyncRun } from '../../lib/contracts/sync-run.js';
import type { KafkaPosition } from '../../lib/model/mapper.js';
import type { RowWriter } from '../../lib/model/row-buffer.js';
import { plausibleDataAsOf } from '../../lib/model/data-as-of.js';
import { epochText } from '../../lib/model/values.js';

/** An implausible dataAsOf (plausibleDataAsOf) is left out of both tables. */
export function mapSyncRun(run: SyncRun, position: KafkaPosition, out: RowWriter): void {
  const startedAtMs = Date.parse(run.startedAt);
  const dataAsOf: Record<string, string> = {};
  for (const [entity, asOfMs] of plausibleDataAsOf(run)) {
    const asOfText = epochText(asOfMs);
    dataAsOf[entity] = asOfText;
    out.push('freshness', { tenant_id: run.tenantId, platform: run.platform, tier: run.tier ?? '', entity, as_of: asOfText, request_id: run.requestId });
  }
  out.push('sync_runs', {
    tenant_id: run.tenantId,
    platform: run.platform,
    tier: run.tier ?? '',
    request_id: run.requestId,
    attempt: Math.min(run.attempt, 0xffff),
    status: run.status,
    started_at: epochText(startedAtMs),
    duration_ms: Math.min(run.durationMs, 0xffff_ffff),
    counts: run.counts,
    data_as_of: dataAsOf,
    error_class: run.errorClass ?? '',
    error_message: run.errorMessage ?? '',
    warnings: run.warnings ?? [],
    kafka_partition: position.partition,
    kafka_offset: Number(position.offset),
  });
}
