/**
 * The incremental cursor of one tenant on one platform, written in the same transaction as the job's output.
 * Topic sync.state is compacted, so its key must differ per platform: `<tenantId>/<platform>`.
 */
import { defineContract } from './codec.js';
import { platform, requestId, tenantId, type Platform } from './fields.js';
import { isoDateTime, literal, object, record, string, type Infer } from './schema.js';

export const syncStateV1 = object({
  v: literal(1),
  tenantId: tenantId(),
  platform: platform(),
  /** Per entity, an opaque cursor only the platform's connector reads. */
  cursors: record(string({ max: 2048 })),
  requestId: requestId(),
  updatedAt: isoDateTime(),
});

export type SyncState = Infer<typeof syncStateV1>;
export const SyncStateContract = defineContract('SyncState', 1, syncStateV1);
export const SYNC_STATE_TOPIC = 'sync.state';
export const syncStateKey = (tenant: string, p: Platform) => `${tenant}/${p}`;
