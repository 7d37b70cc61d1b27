/**
 * A chunk of source records of one entity, as fetched: the input of the sink and of every replay.
 * Records stay the source's JSON; the platform's mapper types them in the sink. Key: tenantId. Topic: raw.results.
 */
import { defineContract } from './codec.js';
import { entity, platform, requestId, tenantId } from './fields.js';
import { array, integer, isoDateTime, json, literal, object, type Infer } from './schema.js';

/** Chunks stay well under Kafka's 1 MB message limit at typical record sizes. */
export const MAX_RECORDS_PER_CHUNK = 500;

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
