/**
 * The warehouse contract: what sellerstream needs from ClickHouse, and nothing else.
 * Two adapters implement it with the same SQL (modern ClickHouse dialect):
 *   - embedded (`chdb-warehouse.ts`): the in-process chDB engine, one data directory per process;
 *   - server (`http-warehouse.ts`): `@clickhouse/client` over HTTP when CLICKHOUSE_URL is set.
 * An instance is bound to one database; unqualified table names in SQL resolve to it.
 * Values always travel as bound parameters (`{name:Type}` placeholders), never spliced into SQL.
 */
import type { RowBinaryRows } from './row-binary.js';

export type Row = Record<string, unknown>;
/** What an insert takes: object rows, and rows already encoded as RowBinary (row-binary.ts), in any mix. */
export type InsertRow = Row | RowBinaryRows;
export type QueryParams = Record<string, unknown>;

export interface InsertOptions {
  /**
   * Deterministic token for ClickHouse insert deduplication (`insert_deduplication_token`):
   * a retried insert carrying the same token is dropped by the engine, even before merges.
   */
  deduplicationToken?: string;
}

export interface Warehouse {
  readonly kind: 'embedded' | 'server';
  readonly database: string;
  ping(): Promise<void>;
  /**
   * Inserts rows as one block: plain objects keyed by column name, and runs of rows already encoded as RowBinary
   * (RowBinaryRows), in order. Every RowBinaryRows of one insert must share one plan.
   */
  insert(table: string, rows: readonly InsertRow[], options?: InsertOptions): Promise<void>;
  query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]>;
  /** DDL and other statements with no result. */
  command(sql: string, params?: QueryParams): Promise<void>;
  close(): Promise<void>;
}
