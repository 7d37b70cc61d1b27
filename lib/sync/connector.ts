/**
 * What a platform (Ably, Cafe24) plugs into the sync consumer: given a request and the tenant's cursors, fetch
 * what changed, emit it as records per entity, and say where the next sync resumes. The sync consumer owns
 * Kafka, transactions, retries, run events and time budgets; a connector owns only its source.
 */
import type { Logger } from '../logger.js';
import type { Platform } from '../contracts/fields.js';
import type { RecordTexts } from '../contracts/raw-result.js';
import type { SyncRequest } from '../contracts/sync-request.js';

export interface ConnectorContext {
  signal: AbortSignal;
  log: Logger;
  /**
   * Hands over fetched source records of one entity (chunked into RawResults by the sync consumer), with their
   * JSON texts when the connector cut them, scrubbed, from the source bytes (lib/model/privacy.ts scrubRecords);
   * without, the records are serialised.
   */
  emit(entity: string, records: readonly unknown[], texts?: RecordTexts): void;
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
  sync(request: SyncRequest, cursors: Readonly<Record<string, string>>, ctx: ConnectorContext): Promise<ConnectorResult>;
}
