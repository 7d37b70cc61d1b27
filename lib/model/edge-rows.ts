/**
 * Rows mapped at the connector edge. A platform consumer has each record parsed and scrubbed already, so it runs
 * the platform's mapper there too and sends the typed rows beside the record text, in the RawResult message's
 * `rows` header; the sink then stores the record text as it arrived and inserts these rows without decoding or
 * parsing a single record (DESIGN "The record path": a record is parsed once, at the edge). The value stays the
 * plain RawResult: replays, console tools and the sink's full path read it as before, and the header is only a
 * cache of what the sink's own mapping of that value would give.
 *
 * So the sink trusts a header only when it is exactly that: the same mapper version as the sink's registry, one
 * source id per record, tables it knows, and no record rejected by the mapper. Anything else (an older or newer
 * mapper, a chunk with a rejected record, an unreadable header) and the sink maps the value itself, which also
 * gives a rejected record its DLQ entry with its own reason. Rows carry no Kafka position: the sink stamps the
 * message's partition and offset on each (`stampPosition`).
 */
import type { RawResultEnvelope } from '../contracts/raw-result.js';
import { recordContextOf } from './mapper.js';
import type { PlatformModel } from './registry.js';
import { RowBuffer } from './row-buffer.js';
import { TABLE_INDEX, TABLES, type TableName } from './tables.js';

/** The header a RawResult message's edge rows travel in. */
export const ROWS_HEADER = 'rows';

/** What the header holds (JSON). */
export interface EdgeRows {
  /** The mapper version that wrote the rows (PlatformMapper.version). */
  mapper: number;
  /** Each record's natural id (raw_records.source_id), in record order. */
  sources: string[];
  /** Rows per table, in the order the mapper wrote them. */
  tables: Partial<Record<TableName, Record<string, unknown>[]>>;
}

/** Maps buyer ids the way the sink would: the platform consumer passes the salted hasher its connector uses. */
export type EdgeBuyerHasher = (platform: string, tenantId: string, buyerId: string) => string;

export interface EdgeMapping {
  model: PlatformModel;
  hashBuyer: EdgeBuyerHasher;
}

/** The Kafka position stands in as 0/0 until the sink stamps the message's own. */
const UNPLACED = { partition: 0, offset: 0 } as const;

/**
 * The `rows` header for these records (one chunk's, scrubbed), or undefined when the sink should map them
 * itself: the platform has no mapper for the entity, the mapper rejects a record, or a row does not survive JSON.
 */
export function encodeEdgeRows({ model, hashBuyer }: EdgeMapping, envelope: RawResultEnvelope, records: readonly unknown[]): Buffer | undefined {
  const { mapper } = model;
  const entity = Object.hasOwn(mapper.entities, envelope.entity) ? mapper.entities[envelope.entity] : undefined;
  if (!entity) return undefined;
  const ctx = recordContextOf(envelope, UNPLACED, hashBuyer);
  const out = new RowBuffer();
  const sources = new Array<string>(records.length);
  try {
    for (let i = 0; i < records.length; i++) sources[i] = entity.map(records[i], ctx, out);
  } catch {
    return undefined;
  }
  const tables: EdgeRows['tables'] = {};
  for (const table of out.tables()) tables[table] = out.rowsOf(table) as Record<string, unknown>[];
  try {
    return Buffer.from(JSON.stringify({ mapper: mapper.version, sources, tables } satisfies EdgeRows));
  } catch {
    // A bigint cell: JSON cannot carry it; the sink maps this chunk itself.
    return undefined;
  }
}

/**
 * The header's rows when the sink may insert them as they are: written by `model`'s mapper version, for
 * `records` records, into tables the model has (raw_records and the sink's own tables excluded). Undefined
 * otherwise, and the sink maps the value itself.
 */
export function decodeEdgeRows(header: Buffer, model: PlatformModel, records: number): EdgeRows | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { mapper, sources, tables } = parsed as Partial<EdgeRows>;
  if (mapper !== model.mapper.version || !Array.isArray(sources) || sources.length !== records) return undefined;
  if (!sources.every((id) => typeof id === 'string')) return undefined;
  if (typeof tables !== 'object' || tables === null || Array.isArray(tables)) return undefined;
  for (const [table, rows] of Object.entries(tables)) {
    if (!Object.hasOwn(TABLE_INDEX, table) || !MAPPED_TABLES.has(table as TableName) || !Array.isArray(rows)) return undefined;
    for (const row of rows as unknown[]) if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
  }
  return { mapper, sources, tables };
}

/** Tables a platform mapper writes: not raw_records (the sink's row of every record) nor the run tables. */
const MAPPED_TABLES: ReadonlySet<TableName> = new Set(TABLES.filter((t) => t !== 'raw_records' && t !== 'sync_runs' && t !== 'freshness'));

/** Puts the message's Kafka position on an edge row (its lineage; part of the table's `version`). */
export function stampPosition(row: Record<string, unknown>, partition: number, offset: number): void {
  row.kafka_partition = partition;
  row.kafka_offset = offset;
}
