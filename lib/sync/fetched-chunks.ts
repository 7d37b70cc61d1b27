/**
 * What a job has fetched, per entity, already encoded into RawResult chunks: records are serialised the moment a
 * connector emits them, while the parsed page is young and hot in cache, and only the bytes are kept until the
 * job's transaction. Keeping the parsed records instead held up to a job budget's worth of pages (30 s, ~30 pages
 * of 1,000 Cafe24 orders, ~8 MB each) on the heap, so they outlived the young generation and every job paid for
 * their promotion and a major GC (bench/cafe24.ts: the consumer's largest cost after parsing).
 * Each emit becomes its own chunks, stamped with the time of that emit (`fetchedAt`). A page read off the job's
 * thread (page-chunks.ts, page-threads.ts) comes encoded and mapped already, stamped when it was asked for; it only
 * gets its chunk numbers here.
 * With an edge mapping (the platform's mapper and buyer hasher), each chunk's records are mapped here too, while
 * they are parsed, and the rows ride beside the chunk in its `rows` header as RowBinary (lib/model/edge-rows.ts),
 * so the sink never parses the records again nor encodes their rows.
 */
import { chunkValue, encodeRawResultChunks, type RawResultEnvelope, type RecordTexts } from '../contracts/raw-result.js';
import type { SyncRequest } from '../contracts/sync-request.js';
import { encodeEdgeRows, type EdgeMapping } from '../model/edge-rows.js';
import type { PageChunks } from './page-chunks.js';

export interface EntityChunks {
  entity: string;
  /** RawResult message values, chunk numbers 0, 1, … in order, each with its `rows` header (edge-rows.ts) where it was mapped at the edge. */
  chunks: { value: Buffer; rows: Buffer | undefined }[];
  /** Records in them. */
  count: number;
  /** Records too large for Kafka, left out (RawResult MAX_RECORD_BYTES). */
  oversize: number;
}

export interface FetchedChunks {
  /** `texts`: the records' JSON as the connector cut it from the source (ConnectorContext.emit). */
  add(entity: string, records: readonly unknown[], texts?: RecordTexts): void;
  /** The envelope a page of `entity` records is read for (page-chunks.ts), stamped now. */
  envelopeOf(entity: string): RawResultEnvelope;
  /** A page read for one of this job's envelopes. */
  addPage(page: PageChunks): void;
  entities(): EntityChunks[];
  /** Bytes of the chunks and their rows headers so far. */
  bytes(): number;
}

export function createFetchedChunks(
  request: Pick<SyncRequest, 'requestId' | 'tenantId' | 'platform'>,
  { edge, now = () => new Date() }: { edge?: EdgeMapping; now?: () => Date } = {},
): FetchedChunks {
  const byEntity = new Map<string, EntityChunks>();
  let bytes = 0;
  const entryOf = (entity: string) => {
    let entry = byEntity.get(entity);
    if (!entry) byEntity.set(entity, (entry = { entity, chunks: [], count: 0, oversize: 0 }));
    return entry;
  };
  const envelopeOf = (entity: string): RawResultEnvelope => (
    { v: 1, requestId: request.requestId, tenantId: request.tenantId, platform: request.platform, entity, fetchedAt: now().toISOString() }
  );
  return {
    envelopeOf,
    add(entity, records, texts) {
      const entry = entryOf(entity);
      if (records.length === 0) return;
      const envelope = envelopeOf(entity);
      const { values, members, oversize } = encodeRawResultChunks(envelope, records, entry.chunks.length, texts);
      values.forEach((value, i) => {
        const rows = edge ? encodeEdgeRows(edge, envelope, members[i]!) : undefined;
        entry.chunks.push({ value, rows });
        bytes += value.length + (rows?.length ?? 0);
      });
      entry.count += records.length - oversize;
      entry.oversize += oversize;
    },
    addPage(page) {
      const { envelope } = page;
      if (envelope.requestId !== request.requestId) throw new TypeError(`a page read for request ${envelope.requestId} added to ${request.requestId}`);
      const entry = entryOf(envelope.entity);
      for (const { body, rows } of page.chunks) {
        const value = chunkValue(envelope, entry.chunks.length, body);
        entry.chunks.push({ value, rows });
        bytes += value.length + (rows?.length ?? 0);
      }
      entry.count += page.listed - page.oversize;
      entry.oversize += page.oversize;
    },
    entities: () => [...byEntity.values()],
    bytes: () => bytes,
  };
}
