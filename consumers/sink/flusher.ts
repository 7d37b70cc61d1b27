/**
 * Puts one sealed batch into the warehouse, table by table, each insert carrying its deduplication token
 * (intent.ts). What it does on failure is decided by the error's class, never its text:
 *   - retriable (WarehouseUnavailableError: engine down, table detached, too many parts, timeouts): wait with
 *     capped exponential backoff and insert the same rows with the same token again, for as long as it takes;
 *     the batch keeps its place and nothing is committed meanwhile (back-pressure, see sink.ts);
 *   - rejected (the engine refused the data itself): insert that table's rows message by message, each with the
 *     token of a one-message range, so only the messages the engine refuses go to the DLQ.
 * The flush stops between attempts when its signal aborts (shutdown, or the partition was taken away); the batch
 * is then simply not committed, and whoever consumes the partition next re-forms it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { errorCode, errorMessage, isRetriable } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { backoff, type RetryPolicy } from '../../lib/retry.js';
import type { Row, Warehouse } from '../../lib/warehouse/warehouse.js';
import { ATTR, SPAN, TRACER_NAME } from '../../otel/attributes.js';
import type { Batch } from './batcher.js';
import { messageDlqItem, type DlqItem } from './dlq.js';
import { deduplicationToken } from './intent.js';
import { TABLE_INDEX, type TableName } from './tables.js';

export interface FlusherOptions {
  warehouse: Warehouse;
  /** First part of every token: `sink` for the sink, `replay:<label>` for a replay (see replay.ts). */
  tokenNamespace: string;
  retry: RetryPolicy;
  logger: Logger;
  /** Told about each failed attempt that will be retried, and when the warehouse answers again. */
  onUnavailable?(error: unknown, attempt: number, delayMs: number): void;
  onAvailable?(): void;
  /** Called after each table insert the engine acknowledged (crash tests stop the process here). */
  onTableInserted?(batch: Batch, table: TableName): Promise<void> | void;
}

export interface Flusher {
  /** Inserts every table of the batch; resolves with DLQ items for messages the engine refused. */
  flush(batch: Batch, signal: AbortSignal, parent?: Context): Promise<DlqItem[]>;
}

export function createFlusher(options: FlusherOptions): Flusher {
  const { warehouse, tokenNamespace, retry, logger } = options;
  const tracer = trace.getTracer(TRACER_NAME);
  let unavailableSince: number | undefined;

  /** One insert, retried while the failure is retriable. Throws the rejection, or the abort reason. */
  async function insertRetrying(table: TableName, rows: readonly object[], token: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        await warehouse.insert(table, rows as readonly Row[], { deduplicationToken: token });
        if (unavailableSince !== undefined) {
          logger.info({ table, downMs: Date.now() - unavailableSince }, 'warehouse accepts inserts again');
          unavailableSince = undefined;
          options.onAvailable?.();
        }
        return;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        const delayMs = backoff(attempt, retry);
        unavailableSince ??= Date.now();
        logger.warn({ err: error, table, attempt, delayMs, errorClass: errorCode(error) }, 'warehouse unavailable; retrying the same insert');
        options.onUnavailable?.(error, attempt, delayMs);
        await sleep(delayMs, undefined, { signal });
      }
    }
  }

  /** The engine refused the table's rows as a whole: find the messages it refuses, land the others. */
  async function insertPerMessage(batch: Batch, table: TableName, signal: AbortSignal): Promise<DlqItem[]> {
    const column = TABLE_INDEX[table];
    const all = batch.rows.rowsOf(table);
    const refused: DlqItem[] = [];
    let start = 0;
    for (const message of batch.messages) {
      const end = message.ends[column] ?? start;
      if (end === start) continue;
      const rows = all.slice(start, end);
      start = end;
      const token = deduplicationToken(tokenNamespace, batch.topic, batch.partition, { first: message.offset, last: message.offset }, table);
      try {
        await insertRetrying(table, rows, token, signal);
      } catch (error) {
        if (signal.aborted || isRetriable(error)) throw error;
        logger.warn({ err: error, table, partition: batch.partition, offset: message.offset }, 'the warehouse refused a message; it goes to the DLQ');
        refused.push(messageDlqItem(
          { topic: batch.topic, partition: batch.partition, ...message },
          `the warehouse refused its ${table} rows: ${errorMessage(error)}`,
          errorCode(error),
        ));
      }
    }
    return refused;
  }

  return {
    async flush(batch, signal, parent = context.active()) {
      const refused: DlqItem[] = [];
      for (const table of batch.rows.tables()) {
        const rows = batch.rows.rowsOf(table);
        const span = tracer.startSpan(SPAN.SINK_INSERT(table), {
          attributes: { [ATTR.TABLE]: table, [ATTR.ROWS]: rows.length, [ATTR.MESSAGING_PARTITION]: String(batch.partition) },
        }, parent);
        try {
          const token = deduplicationToken(tokenNamespace, batch.topic, batch.partition, batch.range, table);
          try {
            await insertRetrying(table, rows, token, signal);
          } catch (error) {
            if (signal.aborted || isRetriable(error)) throw error;
            logger.warn({ err: error, table, partition: batch.partition, range: batch.range }, 'the warehouse refused a batch; inserting it message by message');
            refused.push(...(await insertPerMessage(batch, table, signal)));
          }
          await options.onTableInserted?.(batch, table);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
          throw error;
        } finally {
          span.end();
        }
      }
      return refused;
    },
  };
}
