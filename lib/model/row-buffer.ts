/**
 * Rows of a batch, per table, in arrival order. Mappers write through the narrow `RowWriter` view; the batch keeps
 * where each message's rows end, so a table insert the engine rejects can be retried message by message and only
 * the offending message goes to the DLQ.
 * A table's entries are object rows and, for rows mapped at the connector edge, runs of rows already encoded as
 * RowBinary (one RowBinaryRows per message and table, edge-rows.ts): both are what Warehouse.insert takes.
 */
import { RowBinaryRows } from '../warehouse/row-binary.js';
import { TABLE_INDEX, TABLES, type TableName, type TableRowMap } from './tables.js';

export interface RowWriter {
  push<T extends TableName>(table: T, row: TableRowMap[T]): void;
}

/** Entry counts per table at one point, to roll a half-mapped record back. */
export type RowMark = readonly number[];

export class RowBuffer implements RowWriter {
  readonly #rows: object[][] = TABLES.map(() => []);
  /** Rows per table: entries, with a RowBinaryRows counting its rows. */
  readonly #counts: number[] = TABLES.map(() => 0);

  push<T extends TableName>(table: T, row: TableRowMap[T]): void {
    const index = TABLE_INDEX[table];
    (this.#rows[index] as object[]).push(row);
    (this.#counts[index] as number)++;
  }

  /** Rows of one message and table already encoded for the insert. */
  pushEncoded(table: TableName, rows: RowBinaryRows): void {
    const index = TABLE_INDEX[table];
    (this.#rows[index] as object[]).push(rows);
    (this.#counts[index] as number) += rows.count;
  }

  /** Rows in every table together. */
  get count(): number {
    let n = 0;
    for (const count of this.#counts) n += count;
    return n;
  }

  /** Rows of one table (a RowBinaryRows entry counts its rows). */
  countOf(table: TableName): number {
    return this.#counts[TABLE_INDEX[table]] as number;
  }

  /** A table's entries: object rows and RowBinaryRows. */
  rowsOf(table: TableName): readonly object[] {
    return this.#rows[TABLE_INDEX[table]] as object[];
  }

  /** Tables holding rows, in TABLES order. */
  tables(): TableName[] {
    return TABLES.filter((_, i) => (this.#rows[i] as object[]).length > 0);
  }

  mark(): RowMark {
    return this.#rows.map((rows) => rows.length);
  }

  /** Drops every entry pushed since `mark` (a record that failed half-way leaves nothing behind). */
  rollback(mark: RowMark): void {
    for (let i = 0; i < this.#rows.length; i++) {
      const rows = this.#rows[i] as object[];
      const keep = mark[i] ?? 0;
      this.#counts[i] = (this.#counts[i] as number) - rowCount(rows.slice(keep));
      rows.length = keep;
    }
  }
}

/** Rows in a list of entries (object rows and RowBinaryRows). */
export function rowCount(entries: readonly object[]): number {
  let n = 0;
  for (const entry of entries) n += entry instanceof RowBinaryRows ? entry.count : 1;
  return n;
}
