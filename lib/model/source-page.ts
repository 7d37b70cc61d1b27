/**
 * A page of source records as the connector edge reads it (DESIGN "The record path"): in one walk of its bytes
 * (lib/json-fields.ts), for the fields the platform's mapper reads when the mapper names them (whole records
 * otherwise), with each record's text less its personal members; the records then scrubbed by the platform's
 * privacy policy and the texts completed (`scrubRecords`), which is what travels on. A page the walk cannot read
 * exactly is parsed whole and its records travel serialised.
 */
import type { RecordTexts } from '../contracts/raw-result.js';
import { readList, type FieldTree } from '../json-fields.js';
import { personalKeysOf, scrubRecord, scrubRecords, withBuyerFields, type BuyerIdHasher, type PrivacyPolicy, type TextRoom } from './privacy.js';

export interface SourcePage {
  /** The page's records, scrubbed; with `texts`, each holds only the fields the mapper reads (when it names them). */
  records: unknown[];
  /** The records' texts as the source wrote them, scrubbed; undefined when the records are to be serialised. */
  texts: RecordTexts | undefined;
}

export interface SourcePageReading {
  policy: PrivacyPolicy;
  entity: string;
  hashBuyer: BuyerIdHasher;
  /** The fields the entity's mapper reads (EntityMapper.reads). */
  reads: FieldTree | undefined;
  /** Where the texts are written (scrubRecords). @default a fresh buffer */
  room?: TextRoom;
}

/**
 * The records of the `listKey` array of the JSON object `bytes` hold, or undefined when it holds no such list.
 * Throws JSON.parse's SyntaxError when the bytes are not JSON.
 */
export function readSourcePage(bytes: Buffer, listKey: string, { policy, entity, hashBuyer, reads, room }: SourcePageReading): SourcePage | undefined {
  const fields = reads === undefined ? undefined : withBuyerFields(policy, entity, reads);
  const list = readList(bytes, listKey, { fields, cut: personalKeysOf(policy, entity) });
  if (list !== undefined) return { records: list.records, texts: scrubRecords(policy, entity, bytes, list, hashBuyer, room) };
  const records = (JSON.parse(bytes.toString('utf8')) as Record<string, unknown> | null)?.[listKey];
  if (!Array.isArray(records)) return undefined;
  for (const record of records) scrubRecord(policy, entity, record, hashBuyer);
  return { records, texts: undefined };
}
