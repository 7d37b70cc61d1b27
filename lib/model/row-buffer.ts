/**
 * Rows of a batch, per table, in arrival order. Mappers write through the narrow `RowWriter` view; the batch keeps
 * where each message's rows end, so a table insert the engine rejects can be retried message by message and only
 * the offending message goes to the DLQ.
 */
import { TABLE_INDEX, TABLES, type TableName, type TableRowMap } from './tables.js';

export interface RowWriter {
  push<T extends TableName>(table: T, row: TableRowMap[T]): void;
}

/** Row counts per table at one point, to roll a half-mapped record back. */
export type RowMark = readonly number[];

export class RowBuffer implements RowWriter {
  readonly #rows: object[][] = TABLES.map(() => []);
  #count = 0;

  push<T extends TableName>(table: T, row: TableRowMap[T]): void {
    (this.#rows[TABLE_INDEX[table]] as object[]).push(row);
    this.#count += 1;
  }

  /** Rows in every table together. */
  get count(): number {
    return this.#count;
  }

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

  /** Drops every row pushed since `mark` (a record that failed half-way leaves nothing behind). */
  rollback(mark: RowMark): void {
    for (let i = 0; i < this.#rows.length; i++) {
      const rows = this.#rows[i] as object[];
      const keep = mark[i] ?? 0;
      this.#count -= rows.length - keep;
      rows.length = keep;
    }
  }
}
