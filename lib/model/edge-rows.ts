/**
 * Rows mapped at the connector edge. A platform consumer has each record parsed and scrubbed already, so it runs
 * the platform's mapper there too and sends the typed rows beside the record text, in the RawResult message's
 * `rows` header, already encoded as RowBinary under the declared column types (columns.ts, the warehouse's strict
 * encoder). The sink then stores the record text as it arrived and hands these bytes to the warehouse as they are:
 * it neither decodes nor parses a single record, nor decodes or re-encodes a row (DESIGN "The record path": a
 * record is parsed once, at the edge). The value stays the plain RawResult: replays, console tools and the sink's
 * full path read it as before, and the header is only a cache of what the sink's own mapping of that value would give.
 *
 * So the sink trusts a header only when it is exactly that: the same mapper version as the sink's registry, the
 * same declared column types (COLUMNS_FINGERPRINT), one source id per record, tables it knows, lengths that add
 * up, and no record rejected by the mapper. Anything else (an older or newer mapper or schema, a chunk with a
 * rejected record, a cell the strict encoder refuses, an unreadable header) and the sink maps the value itself,
 * which also gives a rejected record its DLQ entry with its own reason.
 *
 * The edge has no Kafka position yet: every row ends in its kafka_partition and kafka_offset cells (columns.ts),
 * written as 0/0, 14 zero bytes (a not-NULL flag and 4 bytes, a flag and 8). The header keeps each row's end
 * offset, and the sink writes the message's partition and offset there (`placeEdgeRows`).
 *
 * Header (little-endian), format EDGE_ROWS_FORMAT:
 *   u8 format | u32 mapper version | 8 bytes COLUMNS_FINGERPRINT | u32 records | per record: varint length +
 *   UTF-8 source id | u8 tables | per table: u8 index in TABLES, u32 rows, u32 bytes, rows × u32 row end offsets,
 *   then the rows' bytes.
 */
import type { RawResultEnvelope } from '../contracts/raw-result.js';
import { NotBinaryEncodable, RowBinaryRows } from '../warehouse/row-binary.js';
import { COLUMNS_FINGERPRINT, isMappedTable, mappedTablePlan, type MappedTable } from './columns.js';
import { recordContextOf } from './mapper.js';
import type { PlatformModel } from './registry.js';
import { RowBuffer } from './row-buffer.js';
import { TABLE_INDEX, TABLES } from './tables.js';

/** The header a RawResult message's edge rows travel in. */
export const ROWS_HEADER = 'rows';

/** The header's layout version (1 was JSON rows). */
export const EDGE_ROWS_FORMAT = 2;

/** A row's position cells in the plan: Nullable(UInt32) then Nullable(UInt64), each a flag and the value. */
const POSITION_BYTES = 14;
const PARTITION_AT = 13;
const OFFSET_AT = 8;

/** Maps buyer ids the way the sink would: the platform consumer passes the salted hasher its connector uses. */
export type EdgeBuyerHasher = (platform: string, tenantId: string, buyerId: string) => string;

export interface EdgeMapping {
  model: PlatformModel;
  hashBuyer: EdgeBuyerHasher;
}

/** The Kafka position stands in as 0/0 until the sink writes the message's own. */
const UNPLACED = { partition: 0, offset: 0 } as const;

interface EncodedTable {
  index: number;
  bytes: Buffer;
  ends: number[];
}

/**
 * The `rows` header for these records (one chunk's, scrubbed), or undefined when the sink should map them
 * itself: the platform has no mapper for the entity, the mapper rejects a record, it writes a table that is not a
 * mapped one, or the strict encoder refuses a cell (a bigint beyond its column, a time it cannot write exactly).
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
  const tables: EncodedTable[] = [];
  let size = 1 + 4 + 8 + 4 + 1;
  for (const table of out.tables()) {
    if (!isMappedTable(table)) return undefined;
    const ends: number[] = [];
    let parts: Buffer[];
    try {
      parts = mappedTablePlan(table).encode(out.rowsOf(table) as Record<string, unknown>[], ends);
    } catch (error) {
      if (error instanceof NotBinaryEncodable) return undefined;
      throw error;
    }
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    // The mapper wrote the edge's 0/0 as each row's position: the sink will find them where it writes its own.
    for (const end of ends) if (!isPlaceholder(bytes, end)) return undefined;
    tables.push({ index: TABLE_INDEX[table], bytes, ends });
    size += 1 + 4 + 4 + 4 * ends.length + bytes.length;
  }
  const sourceBytes = sources.map((id) => Buffer.byteLength(id, 'utf8'));
  for (const n of sourceBytes) size += varintLength(n) + n;

  const header = Buffer.allocUnsafe(size);
  let at = header.writeUInt8(EDGE_ROWS_FORMAT, 0);
  at = header.writeUInt32LE(mapper.version, at);
  at += COLUMNS_FINGERPRINT.copy(header, at);
  at = header.writeUInt32LE(sources.length, at);
  for (let i = 0; i < sources.length; i++) {
    at = writeVarint(header, at, sourceBytes[i] as number);
    at += header.write(sources[i] as string, at, 'utf8');
  }
  at = header.writeUInt8(tables.length, at);
  for (const { index, bytes, ends } of tables) {
    at = header.writeUInt8(index, at);
    at = header.writeUInt32LE(ends.length, at);
    at = header.writeUInt32LE(bytes.length, at);
    for (const end of ends) at = header.writeUInt32LE(end, at);
    at += bytes.copy(header, at);
  }
  return header;
}

/** One table's rows in a header, checked. */
export interface EdgeTable {
  table: MappedTable;
  rows: number;
  /** Where the row end offsets start in the header. */
  endsAt: number;
  /** Where the rows' bytes start in the header, and how many. */
  bytesAt: number;
  bytes: number;
}

export interface EdgeRows {
  /** Each record's natural id (raw_records.source_id), in record order. */
  sources: string[];
  tables: EdgeTable[];
}

/**
 * The header's layout when the sink may insert its rows as they are: written by `model`'s mapper version under
 * the declared column types, for `records` records, into mapped tables, every length within the header and every
 * row ending in its placeholder position. Undefined otherwise, and the sink maps the value itself. Reads only the
 * source ids and the lengths, never a row.
 */
export function decodeEdgeRows(header: Buffer, model: PlatformModel, records: number): EdgeRows | undefined {
  const length = header.length;
  if (length < 18 || header[0] !== EDGE_ROWS_FORMAT) return undefined;
  if (header.readUInt32LE(1) !== model.mapper.version || !COLUMNS_FINGERPRINT.equals(header.subarray(5, 13))) return undefined;
  if (header.readUInt32LE(13) !== records) return undefined;
  const input = { at: 17 };
  const sources = new Array<string>(records);
  for (let i = 0; i < records; i++) {
    const n = readVarint(header, input);
    if (n === undefined || input.at + n > length) return undefined;
    sources[i] = header.toString('utf8', input.at, (input.at += n));
  }
  if (input.at >= length) return undefined;
  const count = header[input.at++] as number;
  const tables: EdgeTable[] = [];
  const seen = new Set<MappedTable>();
  for (let t = 0; t < count; t++) {
    if (input.at + 9 > length) return undefined;
    const table = TABLES[header[input.at] as number];
    const rows = header.readUInt32LE(input.at + 1);
    const bytes = header.readUInt32LE(input.at + 5);
    const endsAt = input.at + 9;
    const bytesAt = endsAt + 4 * rows;
    if (table === undefined || !isMappedTable(table) || seen.has(table) || rows === 0 || bytesAt + bytes > length) return undefined;
    seen.add(table);
    let previous = 0;
    for (let i = 0; i < rows; i++) {
      const end = header.readUInt32LE(endsAt + 4 * i);
      if (end - previous < POSITION_BYTES || end > bytes || !isPlaceholder(header, bytesAt + end)) return undefined;
      previous = end;
    }
    if (previous !== bytes) return undefined;
    tables.push({ table, rows, endsAt, bytesAt, bytes });
    input.at = bytesAt + bytes;
  }
  return input.at === length ? { sources, tables } : undefined;
}

/**
 * A table's rows of a header (decodeEdgeRows) as the warehouse inserts them, each row at the message's position:
 * written in place, so the header reads as placed afterwards (decodeEdgeRows no longer takes it). The header is
 * kafkajs's slice of the message's record batch, which the sink's batch keeps until its flush for the message's
 * value anyway (consumers/sink/batcher.ts).
 */
export function placeEdgeRows(header: Buffer, { table, rows, endsAt, bytesAt, bytes }: EdgeTable, partition: number, offset: number): RowBinaryRows {
  const out = header.subarray(bytesAt, bytesAt + bytes);
  const high = Math.floor(offset / 0x1_0000_0000);
  const low = offset - high * 0x1_0000_0000;
  for (let i = 0; i < rows; i++) {
    const end = header.readUInt32LE(endsAt + 4 * i);
    out.writeUInt32LE(partition, end - PARTITION_AT);
    out.writeUInt32LE(low, end - OFFSET_AT);
    out.writeUInt32LE(high, end - OFFSET_AT + 4);
  }
  return new RowBinaryRows(mappedTablePlan(table), rows, out);
}

/** The 14 bytes before `end` are a not-NULL 0 partition and a not-NULL 0 offset. */
function isPlaceholder(bytes: Buffer, end: number): boolean {
  if (end < POSITION_BYTES) return false;
  for (let i = end - POSITION_BYTES; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

function varintLength(n: number): number {
  let length = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) length++;
  return length;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  let v = n;
  let pos = at;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

function readVarint(buf: Buffer, input: { at: number }): number | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const byte = buf[input.at++];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  return undefined;
}
