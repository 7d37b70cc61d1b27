/**
 * One RawResult → rows: the platform's typed rows for each record plus one raw_records row, so no mapper can
 * forget it. The chunk was parsed once (translate.ts); here each record is
 *   1. checked against its platform's privacy policy: a record that still carries a personal field (the connector
 *      should have removed it) is scrubbed here and flagged (`extra._anomalies` of its rows), never stored in clear;
 *   2. mapped by the platform's entity mapper (a record it rejects is rolled back and reported; siblings land);
 *   3. stored in raw_records as its text as it arrived: a slice of the message (`sizes`, lib/contracts/raw-result.ts),
 *      not a second serialisation. A scrubbed record, or a chunk without usable sizes, is serialised instead.
 */
import type { BuyerHasher } from '../../lib/buyer-hash.js';
import { recordSpans, type RawResult } from '../../lib/contracts/raw-result.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import { RecordTooLargeError } from '../../lib/model/errors.js';
import type { KafkaPosition, RecordContext } from '../../lib/model/mapper.js';
import { personalFieldsOf, scrubRecord } from '../../lib/model/privacy.js';
import type { ModelRegistry } from '../../lib/model/registry.js';
import type { RowBuffer } from '../../lib/model/row-buffer.js';
import { epochText, timeWindow } from '../../lib/model/values.js';

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
  const fetchedAtMs = Date.parse(result.fetchedAt);
  const offset = Number(position.offset);
  const { hashBuyer, maxRecordBytes } = options;
  const hashOne = (buyerId: string) => hashBuyer(result.platform, result.tenantId, buyerId);
  const ctx: { -readonly [K in keyof RecordContext]: RecordContext[K] } = {
    tenantId: result.tenantId,
    platform: result.platform,
    entity: result.entity,
    requestId: result.requestId,
    fetchedAtMs,
    fetchedAt: epochText(fetchedAtMs),
    window: timeWindow(fetchedAtMs),
    partition: position.partition,
    offset,
    hashBuyer: hashOne,
    scrubbed: NOTHING_SCRUBBED,
  };
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
        scrubRecord(privacy, result.entity, record, hashOne);
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
