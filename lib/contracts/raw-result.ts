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
