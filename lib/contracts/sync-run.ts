/** One job attempt's outcome, for sync_runs, freshness, Grafana and alerts. Key: tenantId. Topic: sync.runs. */
import { defineContract } from './codec.js';
import { platform, requestId, tenantId, tier } from './fields.js';
import { array, integer, isoDateTime, literal, object, oneOf, optional, record, string, type Infer } from './schema.js';

/**
 * succeeded: all done. continued: the budget ran out, a continuation was published with the cursor.
 * retrying: failed, re-published with a not-before time. dead: failed for good, in sync.dlq. needs_reauth: the
 * tenant must reconnect the platform; no retry.
 */
export const RUN_STATUSES = ['succeeded', 'continued', 'retrying', 'dead', 'needs_reauth'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const syncRunV1 = object({
  v: literal(1),
  requestId: requestId(),
  attempt: integer({ min: 1 }),
  tenantId: tenantId(),
  platform: platform(),
  /** The request's tier: success rates and freshness SLOs are per tier. Optional: older events lack it. */
  tier: optional(tier()),
  status: oneOf(RUN_STATUSES),
  startedAt: isoDateTime(),
  durationMs: integer({ min: 0 }),
  /** Records fetched per entity. */
  counts: record(integer({ min: 0 })),
  /** Per entity, the source time the data is complete up to (drives `freshness`). */
  dataAsOf: optional(record(isoDateTime())),
  errorClass: optional(string({ max: 64 })),
  errorMessage: optional(string({ max: 2000 })),
  /** What a job that did not fail still could not do as asked (e.g. multi-shop discovery refused: shop 1 only). */
  warnings: optional(array(string({ max: 500 }), { max: 20 })),
});

export type SyncRun = Infer<typeof syncRunV1>;
export const SyncRunContract = defineContract('SyncRun', 1, syncRunV1);
export const SYNC_RUNS_TOPIC = 'sync.runs';
