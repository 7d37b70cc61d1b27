/**
 * The mapper contract: how a platform (it lives with the platform, in consumers/<platform>/mapping.ts) turns the
 * source records of a RawResult into rows of the analytics model.
 *
 * A platform mapper is a table of entity mappers, one per entity it knows. An entity mapper gets one record (parsed
 * once, already scrubbed of personal data by the platform's privacy policy) and writes its rows; it returns the
 * record's natural id (raw_records.source_id). When a record cannot be mapped it throws (a RecordRejectedError says
 * why): the sink rolls that record's rows back and reports it, and its siblings still land. The raw_records row is
 * the sink's, not the mapper's, so no mapper can forget it. Mappers are pure: same record and context → same rows
 * (re-formed batches rely on it).
 */
import type { Platform } from '../contracts/fields.js';
import type { FieldTree } from '../json-fields.js';
import type { RawResultEnvelope } from '../contracts/raw-result.js';
import type { RowWriter } from './row-buffer.js';
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
  /**
   * Personal fields the sink had to remove from the record being mapped (the connector should have): normally
   * empty. Mappers pass it to their Anomalies, so the typed row says so in `extra._anomalies`.
   */
  readonly scrubbed: readonly string[];
}

/** A RecordContext whose `scrubbed` the caller sets per record. */
export type MutableRecordContext = { -readonly [K in keyof RecordContext]: RecordContext[K] };

/**
 * The context of a chunk's records: its envelope, its Kafka position (the sink's; 0/0 at the connector edge, where
 * the sink writes the real one into the encoded rows later, lib/model/edge-rows.ts) and the buyer hasher bound to
 * its tenant.
 */
export function recordContextOf(
  envelope: Omit<RawResultEnvelope, 'v'>,
  position: { partition: number; offset: number },
  hashBuyer: (platform: string, tenantId: string, buyerId: string) => string,
): MutableRecordContext {
  const fetchedAtMs = Date.parse(envelope.fetchedAt);
  return {
    tenantId: envelope.tenantId,
    platform: envelope.platform,
    entity: envelope.entity,
    requestId: envelope.requestId,
    fetchedAtMs,
    fetchedAt: epochText(fetchedAtMs),
    window: timeWindow(fetchedAtMs),
    partition: position.partition,
    offset: position.offset,
    hashBuyer: (buyerId) => hashBuyer(envelope.platform, envelope.tenantId, buyerId),
    scrubbed: [],
  };
}

/** Writes one record's rows; returns its natural id (composite ids joined with ':'). Throws to reject it. */
export type RecordMapper = (record: unknown, ctx: RecordContext, out: RowWriter) => string;

export interface EntityMapper {
  map: RecordMapper;
  /**
   * Every field `map` reads, at any depth, when the platform states them: the connector edge then parses only
   * these of each record (lib/json-fields.ts). Unstated, it parses records whole.
   */
  reads?: FieldTree;
}

export interface PlatformMapper {
  readonly platform: Platform;
  /** Bump when any entity's mapping changes: replays carry it in their deduplication tokens. */
  readonly version: number;
  readonly entities: Readonly<Record<string, EntityMapper>>;
}
