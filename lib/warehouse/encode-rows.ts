/**
 * Rows (plain objects) to insert payloads, and names checked before they reach SQL text.
 * Values travel as JSON, so JSON.stringify does the escaping: quotes, backslashes, newlines and Korean text
 * reach ClickHouse byte-exact. Each cell is normalised on the way, the same way for both adapters:
 *   - Date        → ISO-8601 with `Z` (parsed with date_time_input_format=best_effort, so the instant is right
 *                   whatever the column's zone);
 *   - bigint      → decimal string (ClickHouse parses a quoted number into Int64/UInt64/Decimal exactly);
 *   - undefined   → null (compact form), which the engine turns into the column's DEFAULT;
 *   - NaN/±Infinity → rejected: JSON would silently turn them into null, i.e. the column default.
 */
import type { Row } from './warehouse.js';
import { WarehouseRejectedError } from './parse-error.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Database, table and column names are whitelisted, never quoted: they reach SQL text. */
export function assertIdentifier(kind: 'database' | 'table' | 'column', name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new WarehouseRejectedError(`invalid ${kind} name ${JSON.stringify(name)}: use [A-Za-z_][A-Za-z0-9_]*`, {
      clickhouseCode: 0,
      type: 'BAD_IDENTIFIER',
    });
  }
  return name;
}

export interface CompactRows {
  /** Union of the rows' keys, in first-seen order. */
  columns: string[];
  /** JSONCompactEachRow: one JSON array per line, cells in `columns` order. */
  body: Buffer;
}

/**
 * JSONCompactEachRow under an explicit column list: the fastest JSON payload for the embedded engine (no key
 * names repeated per row; about 30 % faster than JSONEachRow end to end, see docs/data-model.md).
 * A row without some column sends null there, and with input_format_null_as_default=1 the engine fills the
 * column's DEFAULT, as JSONEachRow does for an omitted key.
 */
export function encodeCompactRows(rows: readonly Row[]): CompactRows {
  const columns = unionOfKeys(rows);
  const width = columns.length;
  const lines = new Array<string>(rows.length);
  const cells = new Array<unknown>(width);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    for (let j = 0; j < width; j++) cells[j] = normaliseCell(row[columns[j] as string], columns[j] as string);
    lines[i] = stringify(cells);
  }
  return { columns, body: Buffer.from(lines.join('\n'), 'utf8') };
}

/** JSONEachRow: one object per line. The server adapter's payload (every server version parses it). */
export function encodeJsonEachRow(rows: readonly Row[]): Buffer {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = JSON.stringify(rows[i], replaceCell);
  return Buffer.from(lines.join('\n'), 'utf8');
}

function unionOfKeys(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  const columns: string[] = [];
  for (const row of rows) {
    for (const key in row) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(assertIdentifier('column', key));
      }
    }
  }
  return columns;
}

function normaliseCell(value: unknown, column: string): unknown {
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw nonFinite(column, value);
      return value;
    default:
      return value;
  }
}

/** The fast path has no replacer; nested bigints (inside arrays or maps) take the slow one. */
function stringify(cells: unknown[]): string {
  try {
    return JSON.stringify(cells);
  } catch (error) {
    if (error instanceof TypeError && /BigInt/i.test(error.message)) return JSON.stringify(cells, replaceCell);
    throw error;
  }
}

function replaceCell(key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) throw nonFinite(key, value);
  return value;
}

function nonFinite(column: string, value: number): WarehouseRejectedError {
  return new WarehouseRejectedError(`column ${column} holds ${value}, which JSON cannot carry`, {
    clickhouseCode: 0,
    type: 'BAD_ROW',
  });
}
