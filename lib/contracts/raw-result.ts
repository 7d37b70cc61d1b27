/**
 * A chunk of source records of one entity, as fetched: the input of the sink and of every replay.
 * Records stay the source's JSON (scrubbed of personal data); the platform's mapper types them in the sink.
 * Key: tenantId. Topic: raw.results.
 *
 * `sizes` gives each record's length in bytes as it stands in the chunk, so the sink can store every record's text
 * as it arrived (a slice of the message) without serialising the parsed record again; a chunk without it, or
 * whose sizes do not fit its bytes, is still valid and the sink serialises the parsed records instead.
 */
import { defineContract } from './codec.js';
import { entity, platform, requestId, tenantId } from './fields.js';
import { array, integer, isoDateTime, json, literal, object, optional, type Infer } from './schema.js';

/** A chunk holds at most this many records and about this many bytes of them, well under Kafka's message limit. */
export const MAX_RECORDS_PER_CHUNK = 500;
export const MAX_CHUNK_BYTES = 512 * 1024;
/** A single record larger than this cannot travel on Kafka at all: it is left out and counted (`<entity>_oversize`). */
export const MAX_RECORD_BYTES = 900 * 1024;

export const rawResultV1 = object({
  v: literal(1),
  requestId: requestId(),
  tenantId: tenantId(),
  platform: platform(),
  entity: entity(),
  chunk: integer({ min: 0 }),
  fetchedAt: isoDateTime(),
  sizes: optional(array(integer({ min: 1 }), { max: MAX_RECORDS_PER_CHUNK })),
  records: array(json(), { max: MAX_RECORDS_PER_CHUNK }),
});

export type RawResult = Infer<typeof rawResultV1>;
export const RawResultContract = defineContract('RawResult', 1, rawResultV1);
export const RAW_RESULTS_TOPIC = 'raw.results';

/** What every chunk of one entity's records shares: the RawResult without its chunk number and records. */
export type RawResultEnvelope = Omit<RawResult, 'chunk' | 'sizes' | 'records'>;

const CLOSE = Buffer.from(']}');

/**
 * Where records are encoded as they are serialised, before their chunk (whose envelope, listing the sizes, comes
 * first) can be built: one UTF-8 pass over each text, then a copy of the chunk's bytes into its body. Measuring
 * each text first (Buffer.byteLength) was a second pass over it, ~10 µs per Cafe24 order. Shared by every call,
 * which is safe because encoding is synchronous; it grows to the largest chunk plus record seen.
 */
let scratch = Buffer.allocUnsafe(2 * MAX_CHUNK_BYTES);

/** `scratch` with room for `need` bytes, its first `used` bytes kept. */
function scratchFor(need: number, used: number): Buffer {
  if (scratch.length < need) {
    const grown = Buffer.allocUnsafe(Math.max(need, 2 * scratch.length));
    scratch.copy(grown, 0, 0, used);
    scratch = grown;
  }
  return scratch;
}

/**
 * Records → RawResult message values, bounded by MAX_RECORDS_PER_CHUNK and MAX_CHUNK_BYTES, each record
 * serialised once (encodeChunkBodies), each chunk's envelope written in front of its records (chunkValue).
 * Chunks are numbered from `firstChunk`.
 */
export function encodeRawResultChunks(envelope: RawResultEnvelope, records: readonly unknown[], firstChunk = 0, texts?: RecordTexts): EncodedChunks {
  const { bodies, members, oversize } = encodeChunkBodies(envelope, records, texts);
  return { values: bodies.map((body, i) => chunkValue(envelope, firstChunk + i, body)), members, oversize };
}

/**
 * A chunk's records as they stand in its message value, before the chunk has a number: `bytes[at, end)` are the
 * records' JSON texts, comma-separated, then `]}`; the `at` bytes before them are room for the envelope's head.
 */
export interface ChunkBody {
  bytes: Buffer;
  at: number;
  sizes: number[];
}

/** A chunk number as wide as any a job reaches, to size a head's room. */
const WIDEST_CHUNK = 999_999_999;

/**
 * Records → the bodies of their chunks, each record serialised once: its JSON's UTF-8 length sizes the chunk and
 * is listed in `sizes`, and each body is one buffer holding room for the envelope's head and the records' bytes, so
 * numbering the chunk later (chunkValue) writes its head in place, without a copy of its records. This is split
 * from the numbering because a page is encoded where it is read (lib/sync/page-threads.ts), off the thread that
 * knows how many chunks its job holds. A buffer per record, then one concatenation, copied each record twice and
 * left ~1,000 external buffers of ~8 KB per Cafe24 page for the GC (bench/cafe24.ts). With `texts` (the records'
 * JSON as the connector edge cut it from the source, lib/model/privacy.ts scrubRecords), each record's text is
 * copied from there instead of serialised. A record above MAX_RECORD_BYTES cannot travel on Kafka: it is left out
 * and counted.
 */
export function encodeChunkBodies(envelope: RawResultEnvelope, records: readonly unknown[], texts?: RecordTexts): EncodedBodies {
  if (texts !== undefined && texts.spans.length !== 2 * records.length) throw new TypeError('record texts must span the records one to one');
  const bodies: ChunkBody[] = [];
  const members: unknown[][] = [];
  let sizes: number[] = [];
  let chunkRecords: unknown[] = [];
  /** The open chunk's records in `scratch`, comma-separated, from 0; `bytes` counts their sizes alone. */
  let used = 0;
  let bytes = 0;
  let oversize = 0;
  const flush = () => {
    const at = envelopeHead(envelope, WIDEST_CHUNK, sizes).length;
    const body = Buffer.allocUnsafe(at + used + CLOSE.length);
    scratch.copy(body, at, 0, used);
    CLOSE.copy(body, at + used);
    bodies.push({ bytes: body, at, sizes });
    members.push(chunkRecords);
    sizes = [];
    chunkRecords = [];
    used = 0;
    bytes = 0;
  };
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const count = chunkRecords.length;
    // After a comma when the chunk has records.
    const at = count > 0 ? used + 1 : 0;
    let size: number;
    if (texts !== undefined) {
      const start = texts.spans[2 * i]!;
      size = texts.spans[2 * i + 1]! - start;
      if (size <= MAX_RECORD_BYTES) texts.bytes.copy(scratchFor(at + size, used), at, start, start + size);
    } else {
      const text = JSON.stringify(record) ?? 'null';
      // Every character is at least one byte: longer text cannot fit, and is not worth encoding to find out.
      if (text.length > MAX_RECORD_BYTES) {
        oversize++;
        continue;
      }
      // A UTF-16 unit is at most 3 bytes of UTF-8.
      size = scratchFor(at + 3 * text.length, used).write(text, at, 'utf8');
    }
    if (size > MAX_RECORD_BYTES) {
      oversize++;
      continue;
    }
    if (count > 0 && (count >= MAX_RECORDS_PER_CHUNK || bytes + size > MAX_CHUNK_BYTES)) {
      flush();
      scratch.copyWithin(0, at, at + size);
      used = size;
    } else {
      if (count > 0) scratch[used] = 0x2c;
      used = at + size;
    }
    sizes.push(size);
    chunkRecords.push(record);
    bytes += size;
  }
  if (chunkRecords.length > 0) flush();
  return { bodies, members, oversize };
}

/** The RawResult message value of chunk number `chunk` of these records: its envelope's head written in the body's room. */
export function chunkValue(envelope: RawResultEnvelope, chunk: number, { bytes, at, sizes }: ChunkBody): Buffer {
  const head = envelopeHead(envelope, chunk, sizes);
  if (head.length <= at) {
    head.copy(bytes, at - head.length);
    return bytes.subarray(at - head.length);
  }
  const value = Buffer.allocUnsafe(head.length + bytes.length - at);
  head.copy(value, 0);
  bytes.copy(value, head.length, at);
  return value;
}

/** Records' JSON texts in one buffer, record i at bytes `[spans[2i], spans[2i + 1])`. */
export interface RecordTexts {
  bytes: Buffer;
  spans: Uint32Array;
}

export interface EncodedBodies {
  bodies: ChunkBody[];
  /** The records each body holds, in order (oversize ones left out): what a connector edge maps beside it. */
  members: unknown[][];
  /** Records left out as too large for Kafka. */
  oversize: number;
}

export interface EncodedChunks {
  /** RawResult message values. */
  values: Buffer[];
  /** The records each value holds, in order (oversize ones left out): what a connector edge maps beside it. */
  members: unknown[][];
  /** Records left out as too large for Kafka. */
  oversize: number;
}

/** `{…envelope, "chunk":n, …, "sizes":[…], "records":[`: the contract-checked envelope, open at its records. */
function envelopeHead(envelope: RawResultEnvelope, chunk: number, sizes: number[]): Buffer {
  // The contract checks `sizes` against `records` only by bound; the records spliced in below are what it counts.
  const empty = RawResultContract.encode({ ...envelope, chunk, sizes, records: [] }).toString('utf8');
  if (!empty.endsWith('"records":[]}')) throw new TypeError('RawResult JSON must end with its records');
  return Buffer.from(empty.slice(0, -2));
}

/**
 * Where each record's text lies in a chunk's bytes, from its `sizes` (byte ranges `[start, end)`, in order), or
 * undefined when the chunk carries no sizes or they do not fit its bytes: the records must run, comma-separated,
 * from a `[` to the `]}` that ends the message, each starting with `{` or `[` and ending with `}` or `]`. A chunk
 * written by encodeRawResultChunks always passes; the checks are cheap rather than a full parse, so a chunk
 * crafted to pass with wrong sizes could misplace boundaries between its records, but a slice never holds bytes
 * from outside the records array, all of which the sink parsed and checked.
 */
export function recordSpans(value: Buffer, result: Pick<RawResult, 'sizes' | 'records'>): Uint32Array | undefined {
  const { sizes, records } = result;
  if (sizes === undefined || sizes.length !== records.length) return undefined;
  return spansOfSizes(value, sizes);
}

/** Byte ranges of records of these sizes, ending where the message's records end (recordSpans' checks). */
function spansOfSizes(value: Buffer, sizes: readonly number[]): Uint32Array | undefined {
  if (sizes.length === 0) return undefined;
  let total = sizes.length - 1;
  for (const size of sizes) total += size;
  const end = value.length - 2;
  let start = end - total;
  if (start < 1 || value[start - 1] !== 0x5b || value[end] !== 0x5d || value[end + 1] !== 0x7d) return undefined;
  const spans = new Uint32Array(sizes.length * 2);
  for (let i = 0; i < sizes.length; i++) {
    const stop = start + (sizes[i] as number);
    const first = value[start];
    const last = value[stop - 1];
    if ((first !== 0x7b && first !== 0x5b) || (last !== 0x7d && last !== 0x5d) || (i < sizes.length - 1 && value[stop] !== 0x2c)) return undefined;
    spans[2 * i] = start;
    spans[2 * i + 1] = stop;
    start = stop + 1;
  }
  return spans;
}

const RECORDS_KEY = Buffer.from('"records":[');

/**
 * A RawResult message read without its records: the envelope (its `records` left empty) and where each record's
 * text lies, for a sink that stores the text as it is and takes the rows from elsewhere (lib/model/edge-rows.ts).
 * Undefined when the message is not laid out as encodeRawResultChunks writes it (envelope first, `records` last,
 * `sizes` matching), and the caller decodes it whole. The first `"records":[` is the envelope's own key: every
 * field before it is a contract-checked string or number, where a quote can only appear escaped.
 */
export function decodeRawResultHead(value: Buffer | null): { result: RawResult; spans: Uint32Array } | undefined {
  if (value === null) return undefined;
  const at = value.indexOf(RECORDS_KEY);
  if (at < 0) return undefined;
  const recordsAt = at + RECORDS_KEY.length;
  const head = RawResultContract.decode(Buffer.concat([value.subarray(0, recordsAt), CLOSE]));
  if (!head.ok || head.value.sizes === undefined) return undefined;
  const spans = spansOfSizes(value, head.value.sizes);
  return spans !== undefined && spans[0] === recordsAt ? { result: head.value, spans } : undefined;
}
