/**
 * One RawResult → rows: the platform's typed rows for each record plus one raw_records row, so no mapper can
 * forget it. The chunk was parsed once (translate.ts); here each record is
 *   1. checked against its platform's privacy policy: a record that still carries a personal field (the connector
 *      should have removed it) is scrubbed here and flagged (`extra._anomalies` of its rows), never stored in clear;
 *   2. mapped by the platform's entity mapper (a record it rejects is rolled back and reported; siblings land);
 *   3. stored in raw_records as its text as it arrived: a slice of the message (`sizes`, lib/contracts/raw-result.ts),
 *      not a second serialisation. A scrubbed record, or a chunk without usable sizes, is serialised instead.
 * A chunk mapped at the connector edge (its `rows` header, lib/model/edge-rows.ts) takes the short way
 * (`landEdgeRows`): its envelope is read, its record text checked for personal keys as bytes, and the header's
 * rows, already RowBinary, are given the message's position and handed to the insert as they are; none of its
 * records is decoded or parsed, and no row is decoded or encoded again. Whatever that way cannot vouch for goes
 * the full way above, so both land the same rows (test/consumers/sink/edge-rows.test.ts).
 */
import type { BuyerHasher } from '../../lib/buyer-hash.js';
import { decodeRawResultHead, recordSpans, type RawResult } from '../../lib/contracts/raw-result.js';
import { decodeEdgeRows, placeEdgeRows, ROWS_HEADER } from '../../lib/model/edge-rows.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import { RecordTooLargeError } from '../../lib/model/errors.js';
import { recordContextOf, type KafkaPosition } from '../../lib/model/mapper.js';
import { mayHoldPersonalText, personalFieldsOf, scrubRecord } from '../../lib/model/privacy.js';
import type { ModelRegistry } from '../../lib/model/registry.js';
import type { RowBuffer } from '../../lib/model/row-buffer.js';
import { epochText } from '../../lib/model/values.js';

export interface MapOptions {
  hashBuyer: BuyerHasher;
  /** A record whose JSON is longer than this (in bytes) goes to the DLQ instead of the tables. */
  maxRecordBytes: number;
}

/** A record that did not land, by its index in the RawResult. */
export interface RecordFailure {
  index: number;
  reason: string;
  errorClass: string;
}

export type MapOutcome =
  | { ok: true; landed: number; failures: RecordFailure[]; scrubbed: number }
  /** The whole RawResult cannot be mapped (no mapper for its platform or entity). */
  | { ok: false; reason: string; errorClass: string };

const NOTHING_SCRUBBED: readonly string[] = Object.freeze([]);

/**
 * Maps every record of `result` into `out`. `value` is the message the RawResult was parsed from (its records'
 * text is sliced from it); pass undefined where there is none (a RawResult built in memory).
 */
export function mapRawResult(
  registry: ModelRegistry,
  result: RawResult,
  value: Buffer | undefined,
  position: KafkaPosition,
  options: MapOptions,
  out: RowBuffer,
): MapOutcome {
  const model = registry.get(result.platform);
  if (!model) return { ok: false, reason: `no mapper is registered for platform ${result.platform}`, errorClass: 'UNKNOWN_ENTITY' };
  const { mapper, privacy } = model;
  const entity = Object.hasOwn(mapper.entities, result.entity) ? mapper.entities[result.entity] : undefined;
  if (!entity) {
    return { ok: false, reason: `the ${result.platform} mapper (v${mapper.version}) knows no entity ${JSON.stringify(result.entity)}`, errorClass: 'UNKNOWN_ENTITY' };
  }
  const offset = Number(position.offset);
  const { maxRecordBytes } = options;
  const ctx = recordContextOf(result, { partition: position.partition, offset }, options.hashBuyer);
  const spans = value === undefined ? undefined : recordSpans(value, result);
  const failures: RecordFailure[] = [];
  let landed = 0;
  let scrubbed = 0;
  const { map } = entity;
  for (let index = 0; index < result.records.length; index++) {
    const record = result.records[index];
    const mark = out.mark();
    try {
      const leaks = personalFieldsOf(privacy, result.entity, record);
      if (leaks.length > 0) {
        scrubRecord(privacy, result.entity, record, ctx.hashBuyer);
        scrubbed++;
      }
      ctx.scrubbed = leaks.length > 0 ? leaks : NOTHING_SCRUBBED;
      const sourceId = map(record, ctx, out);
      const payload = spans !== undefined && leaks.length === 0
        ? (value as Buffer).subarray(spans[2 * index], spans[2 * index + 1])
        : Buffer.from(JSON.stringify(record) ?? 'null');
      if (payload.length > maxRecordBytes) throw new RecordTooLargeError(`record of ${payload.length} bytes exceeds the ${maxRecordBytes} limit`);
      out.push('raw_records', {
        tenant_id: result.tenantId,
        platform: result.platform,
        entity: result.entity,
        source_id: sourceId,
        fetched_at: ctx.fetchedAt,
        request_id: result.requestId,
        chunk: result.chunk,
        kafka_topic: position.topic,
        kafka_partition: position.partition,
        kafka_offset: offset,
        payload,
      });
      landed += 1;
    } catch (error) {
      out.rollback(mark);
      failures.push({ index, reason: errorMessage(error).slice(0, 2000), errorClass: errorCode(error).slice(0, 64) });
    }
  }
  return { ok: true, landed, failures, scrubbed };
}

/** A consumed message as the short way needs it: its bytes, its headers and where it sits. */
export interface EdgeMessage extends KafkaPosition {
  value: Buffer | null;
  headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>> | undefined;
}

/**
 * Lands a chunk mapped at the connector edge: the header's RowBinary rows of each table, at the message's
 * position, and one raw_records row per record, its text sliced from the message. Undefined, having written
 * nothing, when the chunk must go the full way (`mapRawResult`): no usable `rows` header, a layout, schema or
 * mapper version it cannot vouch for, record text that may hold a personal key, or a record above the size limit.
 */
export function landEdgeRows(registry: ModelRegistry, message: EdgeMessage, options: MapOptions, out: RowBuffer): MapOutcome | undefined {
  const header = message.headers?.[ROWS_HEADER];
  if (!(header instanceof Buffer) || message.value === null) return undefined;
  const head = decodeRawResultHead(message.value);
  if (!head) return undefined;
  const { result, spans } = head;
  const model = registry.get(result.platform);
  const count = spans.length / 2;
  if (!model || !Object.hasOwn(model.mapper.entities, result.entity)) return undefined;
  const value = message.value;
  if (mayHoldPersonalText(model.privacy, result.entity, value, spans[0]!, spans[spans.length - 1]!)) return undefined;
  for (let i = 0; i < count; i++) if (spans[2 * i + 1]! - spans[2 * i]! > options.maxRecordBytes) return undefined;
  const rows = decodeEdgeRows(header, model, count);
  if (!rows) return undefined;
  const offset = Number(message.offset);
  const { partition } = message;
  for (const table of rows.tables) out.pushEncoded(table.table, placeEdgeRows(header, table, partition, offset));
  const fetchedAt = epochText(Date.parse(result.fetchedAt));
  for (let i = 0; i < count; i++) {
    out.push('raw_records', {
      tenant_id: result.tenantId,
      platform: result.platform,
      entity: result.entity,
      source_id: rows.sources[i]!,
      fetched_at: fetchedAt,
      request_id: result.requestId,
      chunk: result.chunk,
      kafka_topic: message.topic,
      kafka_partition: partition,
      kafka_offset: offset,
      payload: value.subarray(spans[2 * i], spans[2 * i + 1]),
    });
  }
  return { ok: true, landed: count, failures: [], scrubbed: 0 };
}
