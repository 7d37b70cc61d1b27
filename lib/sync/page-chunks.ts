/**
 * A page of source records made ready to travel, in one pass over its bytes: read and scrubbed by the platform's
 * privacy policy (lib/model/source-page.ts), serialised into chunk bodies (lib/contracts/raw-result.ts) and mapped
 * into edge rows beside each (lib/model/edge-rows.ts). Everything here depends only on the page's bytes, its
 * envelope and the platform's model, never on the job that emits it, so it runs on whichever thread reads the page
 * (page-threads.ts); the job numbers the chunks when it takes the page (fetched-chunks.ts).
 */
import { encodeChunkBodies, type ChunkBody, type RawResultEnvelope, type RecordTexts } from '../contracts/raw-result.js';
import { encodeEdgeRows, type EdgeMapping } from '../model/edge-rows.js';
import type { TextRoom } from '../model/privacy.js';
import { readSourcePage } from '../model/source-page.js';

/** What a connector asks of a page: where its records are, and which of their keys pages the next call. */
export interface PageShape {
  /** The key of the JSON object's list of records. */
  listKey: string;
  /** A record key whose largest integer value the connector pages on (`since_product_no`). */
  keyField?: string;
}

/** A page to read: its shape, and the envelope its records travel under. */
export interface PageOrder extends PageShape {
  envelope: RawResultEnvelope;
}

/** What a connector learns of a page it emitted, to decide on its next call. */
export interface PageSummary {
  readonly entity: string;
  /** Records the page listed, those too large for Kafka included. */
  readonly listed: number;
  /** The largest safe-integer value of `keyField` among them; undefined when none has one (or none was asked). */
  readonly maxKey: number | undefined;
}

export interface PageChunks extends PageSummary {
  /** The envelope the page was read for: its chunks get their numbers under it (fetched-chunks.ts). */
  readonly envelope: RawResultEnvelope;
  /** Records left out as too large for Kafka. */
  readonly oversize: number;
  /** The chunks, in record order, each with its `rows` header where the mapper mapped all of its records. */
  readonly chunks: readonly { body: ChunkBody; rows: Buffer | undefined }[];
}

/** A page's records as read and scrubbed, with their texts (lib/model/source-page.ts), before they are chunked. */
export interface PageRecords extends PageSummary {
  readonly records: unknown[];
  readonly texts: RecordTexts | undefined;
}

/**
 * The page's records, read and scrubbed, or undefined when `bytes` hold no such list. Throws JSON.parse's
 * SyntaxError when they are not JSON. The bytes are not kept.
 */
export function readPageRecords(
  { model, hashBuyer }: EdgeMapping, bytes: Buffer, { listKey, keyField }: PageShape, { entity, platform, tenantId }: Pick<RawResultEnvelope, 'entity' | 'platform' | 'tenantId'>,
  room?: TextRoom,
): PageRecords | undefined {
  const page = readSourcePage(bytes, listKey, {
    policy: model.privacy,
    entity,
    hashBuyer: (buyerId) => hashBuyer(platform, tenantId, buyerId),
    reads: Object.hasOwn(model.mapper.entities, entity) ? model.mapper.entities[entity]?.reads : undefined,
    room,
  });
  if (page === undefined) return undefined;
  const { records, texts } = page;
  return { entity, listed: records.length, maxKey: keyField === undefined ? undefined : maxKeyOf(records, keyField), records, texts };
}

/**
 * Where readPageChunks has a page's texts written: they are copied into chunk bodies before it returns, so one
 * buffer serves every page. A fresh one per page was ~8 MB of new ArrayBuffer bytes per 1,000 Cafe24 orders, and
 * such bytes are what start V8's collections (lib/body-bytes.ts).
 */
let texts = Buffer.allocUnsafe(0);
const textRoom: TextRoom = (size) => (texts.length >= size ? texts : (texts = Buffer.allocUnsafe(Math.max(size, 2 * texts.length))));

/** The page's records ready to travel (readPageRecords, then chunked and mapped under the order's envelope). */
export function readPageChunks(edge: EdgeMapping, bytes: Buffer, order: PageOrder): PageChunks | undefined {
  const { envelope } = order;
  const page = readPageRecords(edge, bytes, order, envelope, textRoom);
  if (page === undefined) return undefined;
  const { bodies, members, oversize } = encodeChunkBodies(envelope, page.records, page.texts);
  return {
    entity: page.entity,
    envelope,
    listed: page.listed,
    maxKey: page.maxKey,
    oversize,
    chunks: bodies.map((body, i) => ({ body, rows: encodeEdgeRows(edge, envelope, members[i]!) })),
  };
}

/** The largest safe-integer value of `key` among the records (numbers or their decimal strings), undefined when none has one. */
function maxKeyOf(records: readonly unknown[], key: string): number | undefined {
  let max: number | undefined;
  for (const record of records) {
    if (typeof record !== 'object' || record === null) continue;
    const value = Number((record as Record<string, unknown>)[key]);
    if (Number.isSafeInteger(value) && (max === undefined || value > max)) max = value;
  }
  return max;
}

/** A page read on this thread, as a promise: the bytes are read before it returns, and what it throws rejects it. */
export function readNow<T>(read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (error) {
    return Promise.reject(error);
  }
}
