/**
 * What a platform (Ably, Cafe24) plugs into the sync consumer: given a request and the tenant's cursors, fetch
 * what changed, emit it as records per entity, and say where the next sync resumes. The sync consumer owns
 * Kafka, transactions, retries, run events and time budgets; a connector owns only its source.
 */
import type { Logger } from '../logger.js';
import type { Platform } from '../contracts/fields.js';
import type { RecordTexts } from '../contracts/raw-result.js';
import type { SyncRequest } from '../contracts/sync-request.js';
import type { PageShape, PageSummary } from './page-chunks.js';

/** `P`: what this context's `readPage` gives, which the connector passes back to `emitPage` as it is. */
export interface ConnectorContext<P extends PageSummary = PageSummary> {
  signal: AbortSignal;
  log: Logger;
  /**
   * Hands over fetched source records of one entity (chunked into RawResults by the sync consumer), with their
   * JSON texts when the connector cut them, scrubbed, from the source bytes (lib/model/privacy.ts scrubRecords);
   * without, the records are serialised.
   */
  emit(entity: string, records: readonly unknown[], texts?: RecordTexts): void;
  /**
   * Reads a page of `entity` records from the source's bytes, which are valid only during the call: scrubbed by the
   * platform's privacy policy, serialised and mapped (lib/sync/page-chunks.ts), maybe on another thread
   * (page-threads.ts). Nothing is emitted until the connector passes the page to `emitPage`, so pages are emitted
   * in the order it takes them. Resolves undefined when the bytes hold no `listKey` list; rejects with a SyntaxError
   * when they are not JSON.
   */
  readPage(entity: string, bytes: Buffer, shape: PageShape): Promise<P | undefined>;
  emitPage(page: P): void;
  /** True once the job should stop and return its cursors: the rest continues in a continuation request. */
  shouldYield(): boolean;
}

export interface ConnectorResult {
  /** Where each entity resumes next time (merged over the stored cursors). */
  cursors: Record<string, string>;
  /** False when the job yielded with work left: a continuation request is published with `cursors`. */
  done: boolean;
  /** Per entity, the source time the data is complete up to. */
  dataAsOf?: Record<string, string>;
  /** What went less well than asked but did not fail the job (an optional endpoint refused): carried in the run. */
  warnings?: string[];
}

export interface Connector {
  readonly platform: Platform;
  sync<P extends PageSummary>(request: SyncRequest, cursors: Readonly<Record<string, string>>, ctx: ConnectorContext<P>): Promise<ConnectorResult>;
}
