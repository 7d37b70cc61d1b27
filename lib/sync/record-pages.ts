/**
 * Page reading for a connector context that takes records, not chunks (the old system's baseline in bench/, unit
 * tests of a connector): each page is read on this thread (page-chunks.ts readPageRecords) and handed to `emit`
 * as the scrubbed records and their texts, as a context's `emit` receives them.
 */
import type { RawResultEnvelope, RecordTexts } from '../contracts/raw-result.js';
import type { EdgeMapping } from '../model/edge-rows.js';
import type { ConnectorContext } from './connector.js';
import { readNow, readPageRecords, type PageRecords } from './page-chunks.js';

export function recordPages(
  edge: EdgeMapping,
  of: Pick<RawResultEnvelope, 'platform' | 'tenantId'>,
  emit: (entity: string, records: readonly unknown[], texts: RecordTexts | undefined) => void,
): Pick<ConnectorContext<PageRecords>, 'readPage' | 'emitPage'> {
  return {
    readPage: (entity, bytes, shape) => readNow(() => readPageRecords(edge, bytes, shape, { ...of, entity })),
    emitPage: (page) => emit(page.entity, page.records, page.texts),
  };
}
