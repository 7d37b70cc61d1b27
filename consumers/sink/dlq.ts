/**
 * What the sink could not land, as sink.dlq entries (lib/contracts/dlq.ts): the reason, an error class, where it
 * came from and the original bytes, so `replay.ts --from-dlq` can re-sink it after a fix.
 *   - a whole message (malformed JSON, wrong version, unknown entity, rejected by the engine): its bytes as read;
 *   - one record of a RawResult: a RawResult holding just that record (same envelope), so a replay maps it exactly
 *     as the sink would have, and its siblings, which did land, are not repeated.
 */
import type { IHeaders } from 'kafkajs';
import { DLQ_LIMITS, dlqEntry, SINK_DLQ_TOPIC } from '../../lib/contracts/dlq.js';
import { RawResultContract, type RawResult } from '../../lib/contracts/raw-result.js';
import { HEADER, readHeaders } from '../../lib/kafka/headers.js';
import type { OutgoingMessage } from '../../lib/kafka/transaction.js';
import { ROWS_HEADER } from '../../lib/model/edge-rows.js';
import type { KafkaPosition } from '../../lib/model/mapper.js';

export interface DlqItem {
  reason: string;
  errorClass: string;
  source: KafkaPosition & { key?: string };
  value: Buffer;
  headers: Record<string, string>;
  tenantId?: string;
}

/** A consumed message as the sink sees it (base topic name). */
export interface SourceMessage extends KafkaPosition {
  key: string | undefined;
  value: Buffer | null;
  headers: IHeaders | undefined;
}

export function messageDlqItem(message: SourceMessage, reason: string, errorClass: string, tenantId?: string): DlqItem {
  return {
    reason,
    errorClass,
    source: position(message),
    value: message.value ?? Buffer.alloc(0),
    headers: entryHeaders(message.headers),
    ...(tenantId === undefined ? {} : { tenantId }),
  };
}

export function recordDlqItem(message: SourceMessage, result: RawResult, index: number, reason: string, errorClass: string): DlqItem {
  const single: RawResult = { ...result, records: [result.records[index]] };
  return {
    reason: `record ${index} of ${result.entity} chunk ${result.chunk}: ${reason}`,
    errorClass,
    source: position(message),
    value: RawResultContract.encode(single),
    headers: entryHeaders(message.headers),
    tenantId: result.tenantId,
  };
}

/**
 * The message's headers as the entry keeps them, without edge rows (lib/model/edge-rows.ts): they can be as large
 * as the records, and a replay after a fix should map the records again, not reuse the rows of the old mapping.
 */
function entryHeaders(headers: IHeaders | undefined): Record<string, string> {
  return readHeaders(headers, ROWS_HEADER);
}

function position(message: SourceMessage): DlqItem['source'] {
  const { topic, partition, offset, key } = message;
  return key === undefined ? { topic, partition, offset } : { topic, partition, offset, key: key.slice(0, 1024) };
}

/** The sink.dlq message of an item (key: the original key, so one tenant's failures stay in order). */
export function dlqMessage(item: DlqItem, failedAt: Date = new Date()): OutgoingMessage {
  const tenantId = item.tenantId ?? item.headers[HEADER.TENANT_ID];
  return {
    topic: SINK_DLQ_TOPIC,
    key: item.source.key ?? tenantId ?? `${item.source.topic}#${item.source.partition}`,
    headers: {
      [HEADER.CONTRACT]: 'DlqEntry',
      ...(tenantId ? { [HEADER.TENANT_ID]: tenantId } : {}),
      ...(item.headers[HEADER.REQUEST_ID] ? { [HEADER.REQUEST_ID]: item.headers[HEADER.REQUEST_ID] } : {}),
    },
    value: dlqEntry({
      reason: item.reason,
      errorClass: item.errorClass,
      source: item.source,
      value: item.value,
      headers: item.headers,
      ...(tenantId ? { tenantId } : {}),
      failedAt,
      maxBytes: DLQ_LIMITS[SINK_DLQ_TOPIC],
    }),
  };
}
