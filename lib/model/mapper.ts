/**
 * The mapper contract: how a platform (it lives with the platform, in consumers/<platform>/mapping.ts) turns the
 * source records of a RawResult into rows of the analytics model, and the registry the sink looks them up in.
 *
 * A platform mapper is a table of entity mappers, one per entity it knows. An entity mapper's `map` gets one record
 * and writes its rows; it returns the record's natural id (raw_records.source_id). When a record cannot be mapped
 * it throws (a RecordRejectedError says why): `mapRawResult` rolls that record's rows back and reports it as a
 * failure, and its siblings still land. Every mapped record also becomes one raw_records row, written here, so no
 * mapper can forget it; its payload is the record after the entity's `scrub` removed personal data (DESIGN: buyer
 * names, phones, e-mails and addresses are never stored, and raw_records is stored too). Mappers are pure: same
 * record and context → same rows (re-formed batches rely on it).
 */
import type { Platform } from '../contracts/fields.js';
import type { RawResult } from '../contracts/raw-result.js';
import { errorCode, errorMessage } from '../errors.js';
import type { BuyerHasher } from '../buyer-hash.js';
import { RecordTooLargeError } from './errors.js';
import type { RowBuffer, RowWriter } from './row-buffer.js';
import { epochText, timeWindow, type TimeWindow } from './values.js';
import type { EpochText } from './tables.js';

/** Where a message sits in Kafka (base topic name, as topics.json spells it). */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** What a record mapper knows besides the record: the RawResult's envelope and its Kafka position. */
export interface RecordContext {
  readonly tenantId: string;
  readonly platform: Platform;
  readonly entity: string;
  readonly requestId: string;
  readonly fetchedAtMs: number;
  readonly fetchedAt: EpochText;
  /** Plausible range of source times for this fetch (values.ts requiredTime/optionalTime). */
  readonly window: TimeWindow;
  readonly partition: number;
  readonly offset: number;
  /** Buyer id → salted hash; the only way a buyer's identity reaches a row. */
  hashBuyer(buyerId: string): string;
}

/** Writes one record's rows; returns its natural id (composite ids joined with ':'). Throws to reject it. */
export type RecordMapper = (record: unknown, ctx: RecordContext, out: RowWriter) => string;

export interface EntityMapper {
  map: RecordMapper;
  /**
   * Removes personal data from a mapped record, in place, before it is stored in raw_records. Set fields to
   * undefined rather than deleting them: JSON.stringify leaves them out and the object keeps its fast shape.
   * A buyer id is replaced by `buyer_hash` (the same hash the rows carry), so the stored payload still maps.
   */
  scrub?: (record: unknown, ctx: RecordContext) => void;
}

export interface PlatformMapper {
  readonly platform: Platform;
  /** Bump when any entity's mapping changes: replays carry it in their deduplication tokens. */
  readonly version: number;
  readonly entities: Readonly<Record<string, EntityMapper>>;
}

export interface MapperRegistry {
  get(platform: string): PlatformMapper | undefined;
  /** e.g. "cafe24@3": names the mapping code that produced rows (replay tokens). */
  readonly fingerprint: string;
}

export function createMapperRegistry(mappers: readonly PlatformMapper[]): MapperRegistry {
  const byPlatform = new Map<string, PlatformMapper>();
  for (const mapper of mappers) {
    if (byPlatform.has(mapper.platform)) throw new TypeError(`two mappers registered for platform ${mapper.platform}`);
    byPlatform.set(mapper.platform, mapper);
  }
  const fingerprint = [...byPlatform.values()].map((m) => `${m.platform}@${m.version}`).sort().join(',') || 'none';
  return { get: (platform) => byPlatform.get(platform), fingerprint };
}

export interface MapOptions {
  hashBuyer: BuyerHasher;
  /** A record whose JSON text is longer than this goes to the DLQ instead of the tables. */
  maxRecordBytes: number;
}

/** A record that did not land, by its index in the RawResult. */
export interface RecordFailure {
  index: number;
  reason: string;
  errorClass: string;
}

export type MapOutcome =
  | { ok: true; landed: number; failures: RecordFailure[] }
  /** The whole RawResult cannot be mapped (no mapper for its platform or entity). */
  | { ok: false; reason: string; errorClass: string };

/** Maps every record of `result` into `out`: typed rows from the platform's mapper plus one raw_records row each. */
export function mapRawResult(
  registry: MapperRegistry,
  result: RawResult,
  position: KafkaPosition,
  options: MapOptions,
  out: RowBuffer,
): MapOutcome {
  const mapper = registry.get(result.platform);
  if (!mapper) return { ok: false, reason: `no mapper is registered for platform ${result.platform}`, errorClass: 'UNKNOWN_ENTITY' };
  const entity = Object.hasOwn(mapper.entities, result.entity) ? mapper.entities[result.entity] : undefined;
  if (!entity) {
    return { ok: false, reason: `the ${result.platform} mapper (v${mapper.version}) knows no entity ${JSON.stringify(result.entity)}`, errorClass: 'UNKNOWN_ENTITY' };
  }
  const fetchedAtMs = Date.parse(result.fetchedAt);
  const offset = Number(position.offset);
  const { hashBuyer, maxRecordBytes } = options;
  const ctx: RecordContext = {
    tenantId: result.tenantId,
    platform: result.platform,
    entity: result.entity,
    requestId: result.requestId,
    fetchedAtMs,
    fetchedAt: epochText(fetchedAtMs),
    window: timeWindow(fetchedAtMs),
    partition: position.partition,
    offset,
    hashBuyer: (buyerId) => hashBuyer(result.platform, result.tenantId, buyerId),
  };
  const failures: RecordFailure[] = [];
  let landed = 0;
  const { map, scrub } = entity;
  for (let index = 0; index < result.records.length; index++) {
    const record = result.records[index];
    const mark = out.mark();
    try {
      const sourceId = map(record, ctx, out);
      // In place: the parsed record is ours, and only a record that fails lands in the DLQ in its original form.
      scrub?.(record, ctx);
      const payload = JSON.stringify(record) ?? 'null';
      if (payload.length > maxRecordBytes) throw new RecordTooLargeError(`record of ${payload.length} chars exceeds the ${maxRecordBytes} limit`);
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
  return { ok: true, landed, failures };
}
