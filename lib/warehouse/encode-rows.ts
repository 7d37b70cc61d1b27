/**
 * Rows (plain objects) to insert payloads, and names checked before they reach SQL text.
 * Values travel as JSON, so JSON.stringify does the escaping: quotes, backslashes, newlines and Korean text
 * reach ClickHouse byte-exact. Each cell is normalised on the way, the same way for both adapters:
 *   - Date        → ISO-8601 with `Z` (parsed with date_time_input_format=best_effort, so the instant is right
 *                   whatever the column's zone);
 *   - bigint      → decimal string (ClickHouse parses a quoted number into Int64/UInt64/Decimal exactly);
 *   - undefined   → null (compact form), which the engine turns into the column's DEFAULT;
 *   - Date costs ~4 µs per cell to format (toISOString): a value shared by many rows (a chunk's fetch time)
 *     is cheaper passed as a string computed once;
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
 * names repeated per row: half the bytes of JSONEachRow and about 35 % less engine time, see docs/data-model.md).
 * A row without some column sends null there, and with input_format_null_as_default=1 the engine fills the
 * column's DEFAULT, as JSONEachRow does for an omitted key.
 */
export function encodeCompactRows(rows: readonly Row[]): CompactRows {
  const columns = unionOfKeys(rows);
  const encodeRow = rowEncoder(columns);
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = encodeRow(rows[i] as Row);
  return { columns, body: Buffer.from(lines.join('\n'), 'utf8') };
}

type RowEncoder = (row: Row) => string;
const encoders = new Map<string, RowEncoder>();
const MAX_CACHED_ENCODERS = 256;

/**
 * A row encoder compiled for one column list and cached (a sink writes the same few column lists over and over):
 * fixed property reads and one JSON.stringify of a fresh array are about twice as fast as a generic loop over
 * `row[column]`. Column names are whitelisted identifiers (unionOfKeys) and are embedded as JSON string
 * literals, so no row data and no unchecked name reaches the generated code.
 * JSON.stringify already turns undefined inside an array into null and a Date into ISO text; the encoder adds
 * the two rules it lacks: bigint (retried through a replacer) and non-finite numbers (rejected; `v - v` is NaN
 * exactly for NaN and ±Infinity).
 */
function rowEncoder(columns: readonly string[]): RowEncoder {
  const key = columns.join(',');
  let encoder = encoders.get(key);
  if (encoder === undefined) {
    const reads = columns.map((column, i) => `let c${i} = row[${JSON.stringify(column)}];`).join('\n');
    const checks = columns
      .map((_, i) => `if (typeof c${i} === 'number' && c${i} - c${i} !== 0) fail(${i}, c${i}); else if (c${i} instanceof Uint8Array) c${i} = text(c${i});`)
      .join('\n');
    const cells = columns.map((_, i) => `c${i}`).join(', ');
    const compiled = new Function(
      'fail',
      'slow',
      'text',
      `return function encodeRow(row) {\n${reads}\n${checks}\n` +
        `const cells = [${cells}];\ntry { return JSON.stringify(cells); } catch (error) { return slow(cells, error); }\n};`,
    ) as (fail: (index: number, value: number) => never, slow: (cells: unknown[], error: unknown) => string, text: (bytes: Uint8Array) => string) => RowEncoder;
    encoder = compiled(
      (index, value) => {
        throw nonFinite(columns[index] as string, value);
      },
      (cells, error) => {
        if (error instanceof TypeError && /BigInt/i.test(error.message)) return JSON.stringify(cells, replaceCell);
        throw error;
      },
      utf8Text,
    );
    if (encoders.size >= MAX_CACHED_ENCODERS) encoders.clear();
    encoders.set(key, encoder);
  }
  return encoder;
}

/** JSONEachRow: one object per line. The server adapter's payload (every server version parses it). */
export function encodeJsonEachRow(rows: readonly Row[]): Buffer {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = JSON.stringify(withTextCells(rows[i] as Row), replaceCell);
  return Buffer.from(lines.join('\n'), 'utf8');
}

const decoder = new TextDecoder();
const utf8Text = (bytes: Uint8Array): string => decoder.decode(bytes);

/** The row with its byte cells (UTF-8 text kept as bytes, e.g. raw_records.payload) as strings, for JSON. */
function withTextCells(row: Row): Row {
  let copy: Record<string, unknown> | undefined;
  for (const key in row) {
    const value = row[key];
    if (value instanceof Uint8Array) (copy ??= { ...row })[key] = utf8Text(value);
  }
  return copy ?? row;
}

/** Column names of a batch: the union of its rows' keys, in first-seen order, each checked as an identifier. */
export function unionOfKeys(rows: readonly Row[]): string[] {
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
