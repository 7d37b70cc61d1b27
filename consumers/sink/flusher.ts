/**
 * Puts one flush group (several partitions' sealed batches, see intent.ts) into the warehouse: one insert per
 * table holding the rows of every batch, all tables at once (the engine queues them; meanwhile the next table's
 * rows are encoded), each insert carrying the group's token. A table's rows mapped at the connector edge arrive
 * already as RowBinary and go in the same insert as its object rows (Warehouse.insert takes both). What it does on
 * failure is decided by the error's class, never its text:
 *   - retriable (WarehouseUnavailableError: engine down, table detached, too many parts, timeouts): wait with
 *     capped exponential backoff and insert the same rows with the same token again, for as long as it takes;
 *     nothing is committed meanwhile (back-pressure, see sink.ts);
 *   - rejected (the engine refused the data itself): insert that table's rows message by message, each with its
 *     own token, so only the messages the engine refuses go to the DLQ.
 * A flush stops between attempts when its signal aborts (shutdown, or a partition was taken away); its batches are
 * then not committed, and whoever consumes those partitions next re-forms the group from its intent.
 * Each table insert is announced (`sink.batch.insert.start` / `sink.batch.insert`, lib/kafka/instrumentation.ts)
 * under the flush group's trace context; otel/ makes its span from them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { context, type Context } from '@opentelemetry/api';
import { errorCode, errorMessage, isRetriable } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { backoff, type RetryPolicy } from '../../lib/retry.js';
import type { InsertRow, Warehouse } from '../../lib/warehouse/warehouse.js';
import type { ConsumerKernel } from '../../lib/kafka/consumer-kernel.js';
import { INSTRUMENTATION_EVENTS, type BatchInsertStart } from '../../lib/kafka/instrumentation.js';
import type { Batch } from './batcher.js';
import { messageDlqItem, type DlqItem } from './dlq.js';
import { groupIntent, groupToken, messageToken, type GroupIntent } from './intent.js';
import { rowCount } from '../../lib/model/row-buffer.js';
import { TABLE_INDEX, TABLES, type TableName } from '../../lib/model/tables.js';

export interface FlushGroup {
  readonly intent: GroupIntent;
  readonly batches: readonly Batch[];
  /** Re-formed from a recorded intent: it must not be recorded again. */
  readonly resumed: boolean;
}

/** A new group of sealed batches (at most one per partition). */
export function formGroup(batches: readonly Batch[]): FlushGroup {
  const intent = groupIntent(batches.map((b) => ({ topic: b.topic, partition: b.partition, ...b.range })));
  return { intent, batches, resumed: false };
}

/** Rows of the group, all batches together, in TABLES order (object rows and edge rows' RowBinaryRows, row-buffer.ts). */
export function groupRows(group: FlushGroup): Map<TableName, object[]> {
  const tables = new Map<TableName, object[]>();
  for (const table of TABLES) {
    const parts = group.batches.map((b) => b.rows.rowsOf(table)).filter((rows) => rows.length > 0);
    if (parts.length > 0) tables.set(table, parts.length === 1 ? (parts[0] as object[]) : ([] as object[]).concat(...parts));
  }
  return tables;
}

export interface FlusherOptions {
  warehouse: Warehouse;
  /** First part of every token: `sink` for the sink, `replay:<run>` for a replay (see replay.ts). */
  tokenNamespace: string;
  retry: RetryPolicy;
  logger: Logger;
  /** Told about each failed attempt that will be retried, and when the warehouse answers again (after `downMs`). */
  onUnavailable?(error: unknown, attempt: number, delayMs: number, table: TableName): void;
  onAvailable?(downMs: number): void;
  /** Where the table inserts are announced (the sink's kernel); none: not announced. */
  emit?: ConsumerKernel['emit'];
  /** Called after each table insert the engine acknowledged (crash tests stop the process here). */
  onTableInserted?(group: FlushGroup, table: TableName): Promise<void> | void;
}

export interface Flusher {
  /** Inserts every table of the group; resolves with DLQ items for messages the engine refused. */
  flush(group: FlushGroup, signal: AbortSignal, parent?: Context): Promise<DlqItem[]>;
}

export function createFlusher(options: FlusherOptions): Flusher {
  const { warehouse, tokenNamespace, retry, logger } = options;
  /** Tables whose last insert failed retriably: the warehouse is available again when none is left. */
  const failing = new Set<TableName>();
  let unavailableSince: number | undefined;

  /** One insert, retried while the failure is retriable. Throws the rejection, or the abort reason. */
  async function insertRetrying(table: TableName, rows: readonly object[], token: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        await warehouse.insert(table, rows as readonly InsertRow[], { deduplicationToken: token });
        if (failing.delete(table) && failing.size === 0) {
          const downMs = Date.now() - (unavailableSince ?? Date.now());
          logger.info({ table, downMs }, 'warehouse accepts inserts again');
          unavailableSince = undefined;
          options.onAvailable?.(downMs);
        }
        return;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        const delayMs = backoff(attempt, retry);
        failing.add(table);
        unavailableSince ??= Date.now();
        logger.warn({ err: error, table, attempt, delayMs, errorClass: errorCode(error) }, 'warehouse unavailable; retrying the same insert');
        options.onUnavailable?.(error, attempt, delayMs, table);
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
      try {
        await insertRetrying(table, rows, messageToken(tokenNamespace, batch.topic, batch.partition, message.offset, table), signal);
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

  async function insertTable(group: FlushGroup, table: TableName, rows: object[], signal: AbortSignal, parent: Context): Promise<DlqItem[]> {
    const start: Omit<BatchInsertStart, 'component' | 'groupId' | 'instanceId'> = { table, rows: rowCount(rows), scope: { context: parent } };
    options.emit?.(INSTRUMENTATION_EVENTS.BATCH_INSERT_START, start);
    const began = Date.now();
    let refused: DlqItem[] = [];
    try {
      try {
        await context.with(start.scope.context, () => insertRetrying(table, rows, groupToken(tokenNamespace, group.intent, table), signal));
      } catch (error) {
        if (signal.aborted || isRetriable(error)) throw error;
        logger.warn({ err: error, table, group: group.intent.id }, 'the warehouse refused a table of a flush group; inserting it message by message');
        for (const batch of group.batches) refused = refused.concat(await insertPerMessage(batch, table, signal));
      }
      options.emit?.(INSTRUMENTATION_EVENTS.BATCH_INSERT, { ...start, durationMs: Date.now() - began, refused: refused.length });
    } catch (error) {
      options.emit?.(INSTRUMENTATION_EVENTS.BATCH_INSERT, { ...start, durationMs: Date.now() - began, refused: refused.length, error });
      throw error;
    }
    await options.onTableInserted?.(group, table);
    return refused;
  }

  return {
    async flush(group, signal, parent = context.active()) {
      const tables = [...groupRows(group)];
      // Every table must land before the commit; whichever fails, the others still finish (their inserts are
      // deduplicated when the group is retried), so wait for all before deciding.
      const results = await Promise.allSettled(tables.map(([table, rows]) => insertTable(group, table, rows, signal, parent)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    },
  };
}
