/**
 * A message that could not be processed, with why and the original bytes, so it can be replayed after a fix.
 * Topics: sync.dlq (jobs), sink.dlq (records the sink could not land). Key: the original key.
 *
 * `dlqEntry()` is the one builder of entries (the runner, the sync consumer's dead jobs and the sink all call
 * it): an entry must fit its topic, or its produce fails MESSAGE_TOO_LARGE and the failure it reports is lost. So
 * it bounds every field, and when the copied original is still too large it keeps a prefix of it and notes the
 * original's full size and sha256 (`truncated`), which is enough to find the original in its source topic.
 * `DLQ_LIMITS` holds each DLQ topic's bound; a test checks it stays below the topic's `max.message.bytes` in
 * topics.json.
 *
 * Every entry names the trace of the work that failed (`traceId`), so an operator goes from `dlq show` to the
 * trace: the one given, else the original message's `traceparent` (runner and sink entries copy its headers), else
 * the trace the builder runs in (a job's failure handler runs in its job's span).
 */
import { createHash } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { defineContract } from './codec.js';
import { array, integer, isoDateTime, literal, object, optional, record, string, type Infer } from './schema.js';
import { attemptErrorV1, MAX_ATTEMPT_ERRORS, type AttemptError } from './sync-request.js';

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
  /** The original value, base64: it may not even be UTF-8. Only a prefix of it when `truncated`. */
  value: string(),
  /** The original value's full length in bytes, and its sha256 (hex). */
  valueBytes: optional(integer({ min: 0 })),
  valueSha256: optional(string({ pattern: /^[0-9a-f]{64}$/ })),
  /** `value` holds only the first bytes of the original: the entry would not have fitted its topic. */
  truncated: optional(literal(true)),
  headers: optional(record(string())),
  tenantId: optional(string({ max: 64 })),
  /** The W3C trace id of the failed work (32 hex digits). Optional: older entries and untraced processes lack it. */
  traceId: optional(string({ pattern: /^[0-9a-f]{32}$/ })),
  /** A job that failed for good after retries: each attempt's error, oldest first (the last is `reason`). */
  errors: optional(array(attemptErrorV1, { max: MAX_ATTEMPT_ERRORS })),
  failedAt: isoDateTime(),
});

export type DlqEntry = Infer<typeof dlqEntryV1>;
export const DlqEntryContract = defineContract('DlqEntry', 1, dlqEntryV1);
export const SYNC_DLQ_TOPIC = 'sync.dlq';
export const SINK_DLQ_TOPIC = 'sink.dlq';

/**
 * Most bytes of one entry's value, per DLQ topic. Below the topic's max.message.bytes (topics.json) by
 * DLQ_FRAMING_BYTES, which covers the message's key, headers and record-batch framing. sink.dlq is larger: a
 * whole oversized record (the sink refuses records over 1 MiB by default; a raw.results message holds up to
 * 4 MiB, a hand-produced one more) must be replayable from it, and base64 adds a third.
 */
export const DLQ_LIMITS: Readonly<Record<string, number>> = {
  [SYNC_DLQ_TOPIC]: 960 * 1024,
  [SINK_DLQ_TOPIC]: 24 * 1024 * 1024,
};
export const DLQ_FRAMING_BYTES = 64 * 1024;

const MAX_HEADERS = 32;
const MAX_HEADER_NAME = 256;
const MAX_HEADER_VALUE = 1024;
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface DlqEntryInput {
  reason: string;
  errorClass: string;
  source: { topic: string; partition: number; offset: string; key?: string };
  /** The original bytes (a null Kafka value is an empty buffer). */
  value: Buffer;
  headers?: Record<string, string>;
  /** Kept only when it is a valid tenant id. */
  tenantId?: string;
  /** @default from `headers.traceparent`, else the active span's trace */
  traceId?: string;
  /** Each attempt's error, oldest first (the latest MAX_ATTEMPT_ERRORS kept). */
  errors?: AttemptError[];
  failedAt?: Date;
  /** @default DLQ_LIMITS[SYNC_DLQ_TOPIC] */
  maxBytes?: number;
}

/** The encoded entry, at most `maxBytes` long. */
export function dlqEntry(input: DlqEntryInput): Buffer {
  const { value, maxBytes = DLQ_LIMITS[SYNC_DLQ_TOPIC]! } = input;
  const { key } = input.source;
  const base: DlqEntry = {
    v: 1,
    reason: input.reason.slice(0, 4000),
    errorClass: input.errorClass.slice(0, 64),
    source: { topic: input.source.topic.slice(0, 249), partition: input.source.partition, offset: input.source.offset, ...(key === undefined ? {} : { key: key.slice(0, 1024) }) },
    value: '',
    valueBytes: value.length,
    valueSha256: createHash('sha256').update(value).digest('hex'),
    ...(input.headers ? { headers: boundedHeaders(input.headers) } : {}),
    ...(input.tenantId !== undefined && TENANT_ID.test(input.tenantId) ? { tenantId: input.tenantId } : {}),
    ...traceIdOf(input),
    ...(input.errors?.length ? { errors: input.errors.slice(-MAX_ATTEMPT_ERRORS) } : {}),
    failedAt: (input.failedAt ?? new Date()).toISOString(),
  };
  const whole = DlqEntryContract.encode({ ...base, value: value.toString('base64') });
  if (whole.length <= maxBytes) return whole;
  // Base64 turns 3 bytes into 4 characters (never escaped in JSON): keep as many whole triples as fit.
  const fixed = DlqEntryContract.encode({ ...base, truncated: true }).length;
  const kept = Math.max(0, Math.floor((maxBytes - fixed) / 4) * 3);
  if (fixed > maxBytes) throw new RangeError(`a DLQ entry's fixed part (${fixed} bytes) exceeds its bound of ${maxBytes}`);
  return DlqEntryContract.encode({ ...base, truncated: true, value: value.subarray(0, kept).toString('base64') });
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const NO_TRACE = '0'.repeat(32);

function traceIdOf({ traceId, headers }: DlqEntryInput): { traceId?: string } {
  const fromHeader = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(headers?.traceparent ?? '')?.[1];
  const id = traceId ?? fromHeader ?? trace.getSpanContext(context.active())?.traceId;
  return id !== undefined && TRACE_ID.test(id) && id !== NO_TRACE ? { traceId: id } : {};
}

/** At most MAX_HEADERS headers, names and values cut: a producer's headers are not ours to trust. */
function boundedHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).slice(0, MAX_HEADERS)) out[name.slice(0, MAX_HEADER_NAME)] = value.slice(0, MAX_HEADER_VALUE);
  return out;
}
