/**
 * A message that could not be processed, with why and the original bytes, so it can be replayed after a fix.
 * Topics: sync.dlq (jobs), sink.dlq (records the sink could not land). Key: the original key.
 */
import { defineContract } from './codec.js';
import { integer, isoDateTime, literal, object, optional, record, string, type Infer } from './schema.js';

export const dlqEntryV1 = object({
  v: literal(1),
  reason: string({ max: 4000 }),
  errorClass: string({ max: 64 }),
  source: object({
    topic: string({ max: 249 }),
    partition: integer({ min: 0 }),
    offset: string({ pattern: /^\d+$/ }),
    key: optional(string({ max: 1024 })),
  }),
  /** The original value, base64: it may not even be UTF-8. */
  value: string(),
  headers: optional(record(string())),
  tenantId: optional(string({ max: 64 })),
  failedAt: isoDateTime(),
});

export type DlqEntry = Infer<typeof dlqEntryV1>;
export const DlqEntryContract = defineContract('DlqEntry', 1, dlqEntryV1);
export const SYNC_DLQ_TOPIC = 'sync.dlq';
export const SINK_DLQ_TOPIC = 'sink.dlq';
