/**
 * A chunk of source records of one entity, as fetched: the input of the sink and of every replay.
 * Records stay the source's JSON; the platform's mapper types them in the sink. Key: tenantId. Topic: raw.results.
 */
import { defineContract } from './codec.js';
import { entity, platform, requestId, tenantId } from './fields.js';
import { array, integer, isoDateTime, json, literal, object, type Infer } from './schema.js';

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
  records: array(json(), { max: MAX_RECORDS_PER_CHUNK }),
});

export type RawResult = Infer<typeof rawResultV1>;
export const RawResultContract = defineContract('RawResult', 1, rawResultV1);
export const RAW_RESULTS_TOPIC = 'raw.results';

/** What every chunk of one entity's records shares: the RawResult without its chunk number and records. */
export type RawResultEnvelope = Omit<RawResult, 'chunk' | 'records'>;

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/**
 * Records → RawResult message values, bounded by MAX_RECORDS_PER_CHUNK and MAX_CHUNK_BYTES, each record
 * serialised once: its UTF-8 JSON both sizes the chunk and is copied into it (the value is the envelope's JSON
 * with the records spliced in, the same JSON RawResultContract.encode writes). A record above MAX_RECORD_BYTES
 * cannot travel on Kafka: it is left out and counted.
 */
export function encodeRawResultChunks(envelope: RawResultEnvelope, records: readonly unknown[]): { values: Buffer[]; oversize: number } {
  const values: Buffer[] = [];
  let parts: Buffer[] = [];
  let count = 0;
  let bytes = 0;
  let oversize = 0;
  const flush = () => {
    values.push(Buffer.concat([envelopeHead(envelope, values.length), ...parts, CLOSE]));
    parts = [];
    count = 0;
    bytes = 0;
  };
  for (const record of records) {
    const json = Buffer.from(JSON.stringify(record) ?? 'null');
    if (json.length > MAX_RECORD_BYTES) {
      oversize++;
      continue;
    }
    if (count > 0 && (count >= MAX_RECORDS_PER_CHUNK || bytes + json.length > MAX_CHUNK_BYTES)) flush();
    if (count > 0) parts.push(COMMA);
    parts.push(json);
    count++;
    bytes += json.length;
  }
  if (count > 0) flush();
  return { values, oversize };
}

/** `{…envelope, "chunk":n, …, "records":[`: the contract-checked JSON of the envelope, open at its records. */
function envelopeHead(envelope: RawResultEnvelope, chunk: number): Buffer {
  const empty = RawResultContract.encode({ ...envelope, chunk, records: [] }).toString('utf8');
  if (!empty.endsWith('"records":[]}')) throw new TypeError('RawResult JSON must end with its records');
  return Buffer.from(empty.slice(0, -2));
}
