/**
 * The embedded adapter: the in-process chDB engine (ClickHouse 26.x) behind the Warehouse contract.
 *
 * How it stays correct with many warehouses in one process (all on the one Session of chdb-engine.ts):
 *   - Database per query, not per session: every query and command is sent as one multi-statement call
 *     `SET <our settings>; USE <database>; <sql>`. chDB runs a call on a connection under the connection's lock,
 *     so no other warehouse's call can change the current database between our USE and our statement
 *     (ClickHouse has no per-query `database` setting; chDB's per-call state is the one atomic unit).
 *     Inserts name their table qualified (`database.table`), which needs no session state at all.
 *   - Every call is asynchronous (queryAsync / queryBindAsync / insert run on the libuv pool), so the event
 *     loop keeps serving Kafka heartbeats while the engine works: measured ≤ 2 ms of loop lag during a 1.3 s
 *     query, against 1.3 s of lag for the synchronous `query()`.
 *   - Calls on one Session run one at a time (chDB serialises a connection); bound-parameter calls are also
 *     serialised process-wide by chDB itself (its parameter state is not per connection).
 *   - Timeouts are the engine's own `max_execution_time`, so a timed-out query really stops; chDB's `timeout`
 *     option only rejects early while the engine keeps the connection busy.
 *   - Inserts of BINARY_MIN_ROWS or more go as RowBinary (row-binary.ts) typed by the table's columns, through a
 *     file the engine reads (chDB takes only text formats inline): no JSON escaping on either side, 1.3× the
 *     rows per core-second over the sink's tables (bench/sink-stages.ts). Smaller inserts, and rows the strict
 *     binary encoder does not take, go as JSONCompactEachRow. The file is read by one thread, so a retried insert
 *     forms the same blocks and its deduplication token drops them.
 *   - Rows that arrive already in RowBinary (RowBinaryRows: edge rows, lib/model/edge-rows.ts) are written to the
 *     file as they are, whatever the insert's size, and its object rows are encoded by the same plan around them;
 *     when an object row does not fit that plan, everything is decoded and goes the object way above.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from 'chdb';
import type { InsertOptions, InsertRow, QueryParams, Row, Warehouse } from './warehouse.js';
import { acquireEngine, type EngineLease } from './chdb-engine.js';
import { assertIdentifier, encodeCompactRows, unionOfKeys } from './encode-rows.js';
import { parseError, warehouseError } from './parse-error.js';
import { combineRowBinary, expandRows, NotBinaryEncodable, planRowBinary, type RowBinaryPlan } from './row-binary.js';

export interface EmbeddedWarehouseOptions {
  /** The engine's data directory; one per process (see chdb-engine.ts). */
  dataDir: string;
  /** Unqualified table names resolve here. */
  database: string;
  /** Create the database if it does not exist. @default true */
  createDatabase?: boolean;
  /** Engine-side limit per query or insert (max_execution_time). @default 30_000 */
  requestTimeoutMs?: number;
  /** Where binary inserts put their files for the engine to read. @default /dev/shm when present, else the OS temp dir */
  insertFilesDir?: string;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Settings of every insert, passed with the insert itself (never left to session state):
 *   - async_insert=0: chDB defaults to 1; we batch ourselves, want the rows durable when the promise resolves,
 *     and want the deduplication token honoured by the plain synchronous path;
 *   - date_time_input_format=best_effort: ISO with `Z` (JS Dates), `+09:00` (Cafe24) and bare KST strings (Ably);
 *   - input_format_null_as_default=1: a cell sent as null fills the column's DEFAULT (see encode-rows.ts).
 */
export const INSERT_SETTINGS = {
  async_insert: 0,
  date_time_input_format: 'best_effort',
  input_format_null_as_default: 1,
} as const;

/**
 * Settings of a RowBinary insert (INSERT … SELECT FROM file): NULL → the column's DEFAULT (row-binary.ts sends
 * a missing cell as NULL), and one reading thread, so a retried insert splits into the same blocks and its
 * deduplication token matches block by block.
 */
const BINARY_INSERT_SETTINGS = 'async_insert = 0, insert_null_as_default = 1, max_threads = 1, max_insert_threads = 1';

/**
 * Fewer rows go inline as JSON: the file round trip costs a few ms that small inserts do not win back. Measured
 * with 1 KB raw_records rows, binary against JSON per insert: 1 row 13.6 / 10.1 ms, 100 rows 14.6 / 9.5 ms,
 * 300 rows 11.3 / 14.0 ms, 10k rows 112 / 226 ms.
 */
export const BINARY_MIN_ROWS = 256;

/** Deduplication tokens reach SQL text (a SETTINGS value cannot be bound): only this alphabet is taken. */
const TOKEN = /^[\w|:.,@+=/-]{1,512}$/;
/** Paths of insert files are ours (mkdtemp + a counter); checked anyway before they reach SQL text (else: JSON). */
const INSERT_FILE = /^[\w./-]+$/;

/** Opens a warehouse on the process's embedded engine, creating the database unless told not to. */
export async function openEmbeddedWarehouse(options: EmbeddedWarehouseOptions): Promise<Warehouse> {
  const database = assertIdentifier('database', options.database);
  const lease = await acquireEngine(options.dataDir);
  try {
    if (options.createDatabase ?? true) {
      await lease.session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${database}`);
    }
    const insertFilesDir = options.insertFilesDir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
    return new ChdbWarehouse(lease, database, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, insertFilesDir);
  } catch (error) {
    await lease.release();
    throw parseError(error);
  }
}

class ChdbWarehouse implements Warehouse {
  readonly kind = 'embedded' as const;
  readonly #session: Session;
  readonly #lease: EngineLease;
  /** Prepended to every query: our settings and database, restated on each call (see the file comment). */
  readonly #prefix: string;
  readonly #timeoutSeconds: number;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Column name → type per table, read from system.columns at the table's first insert. */
  readonly #columnTypes = new Map<string, Promise<Map<string, string>>>();
  /** Plans per table and column list: a plan learns its batches' size (row-binary.ts). */
  readonly #plans = new Map<string, RowBinaryPlan>();
  #insertDir: string | undefined;
  #insertFiles = 0;
  #closed: Promise<void> | undefined;

  constructor(lease: EngineLease, readonly database: string, requestTimeoutMs: number, readonly insertFilesDir: string) {
    this.#lease = lease;
    this.#session = lease.session;
    this.#timeoutSeconds = requestTimeoutMs / 1000;
    // 64-bit integers as JSON strings, as the server does by default (chDB defaults to bare numbers, which
    // JSON.parse would round past 2^53).
    this.#prefix =
      `SET max_execution_time = ${this.#timeoutSeconds}, output_format_json_quote_64bit_integers = 1; ` +
      `USE ${database}; `;
  }

  async ping(): Promise<void> {
    await this.#run('SELECT 1', undefined, 'CSV');
  }

  async query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    return parseJsonEachRow<T>(await this.#run(sql, params, 'JSONEachRow'));
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.#run(sql, params, 'CSV');
  }

  async insert(table: string, input: readonly InsertRow[], options: InsertOptions = {}): Promise<void> {
    const target = `${this.database}.${assertIdentifier('table', table)}`;
    if (input.length === 0) return;
    this.#assertOpen();
    if (options.deduplicationToken !== undefined && !TOKEN.test(options.deduplicationToken)) {
      throw warehouseError(`invalid deduplication token ${JSON.stringify(options.deduplicationToken)}`, { clickhouseCode: 0, type: 'BAD_REQUEST', retriable: false });
    }
    // Rows already in RowBinary go as they are, the object rows beside them encoded by the same plan.
    const combined = combineRowBinary(input);
    const rows = combined ? undefined : expandRows(input);
    let plan = combined?.plan;
    let binary = combined?.parts;
    if (rows && rows.length >= BINARY_MIN_ROWS) {
      plan = await this.#binaryPlan(table, unionOfKeys(rows));
      binary = plan && encodeOrUndefined(plan, rows);
    }
    const file = binary && (await this.#writeInsertFile(binary));
    if (plan && file) {
      try {
        return await this.#insertFromFile(target, plan, file, options);
      } catch (error) {
        this.#forgetTable(table);
        throw error;
      } finally {
        await unlink(file).catch(() => undefined);
      }
    }

    const { columns, body } = encodeCompactRows(rows ?? expandRows(input));
    const settings: Record<string, string | number> = { ...INSERT_SETTINGS, max_execution_time: this.#timeoutSeconds };
    if (options.deduplicationToken !== undefined) settings.insert_deduplication_token = options.deduplicationToken;
    await this.#track(
      this.#session.insert({ table: target, values: body, format: 'JSONCompactEachRow', columns, settings }),
    );
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      if (this.#insertDir !== undefined) rmSync(this.#insertDir, { recursive: true, force: true });
      await this.#lease.release();
    })();
    return this.#closed;
  }

  /** The RowBinary plan for these columns, or undefined when a column is unknown or of a type it does not speak. */
  async #binaryPlan(table: string, columns: readonly string[]): Promise<RowBinaryPlan | undefined> {
    const key = `${table}(${columns.join(',')})`;
    const cached = this.#plans.get(key);
    if (cached) return cached;
    let types = this.#columnTypes.get(table);
    if (types === undefined) {
      types = readColumnTypes(this, table);
      this.#columnTypes.set(table, types);
    }
    const known = await types.catch(() => new Map<string, string>());
    // A table created or altered after its types were read (or detached meanwhile): read them again next time.
    if (!columns.every((c) => known.has(c))) this.#columnTypes.delete(table);
    const plan = planRowBinary(columns, known);
    if (plan) this.#plans.set(key, plan);
    return plan;
  }

  /** After a refused binary insert the table may have changed under its plan: read its types again next time. */
  #forgetTable(table: string): void {
    this.#columnTypes.delete(table);
    for (const key of this.#plans.keys()) if (key.startsWith(`${table}(`)) this.#plans.delete(key);
  }

  /**
   * The payload as a file the engine can read, or undefined when it cannot be written (a full or missing
   * directory): the rows then go inline as JSON. Either way the insert carries the same token and forms one block
   * (batches stay far below min_insert_block_size_*), so a retry that takes the other path is still dropped.
   */
  async #writeInsertFile(parts: readonly Buffer[]): Promise<string | undefined> {
    try {
      this.#insertDir ??= mkdtempSync(join(this.insertFilesDir, 'sellerstream-insert-'));
      const file = join(this.#insertDir, `${++this.#insertFiles}.rowbinary`);
      if (!INSERT_FILE.test(file)) return undefined;
      const handle = await open(file, 'w', 0o600);
      try {
        // One call for all parts: libuv writes them in IOV_MAX slices and finishes short writes itself.
        const { bytesWritten } = await handle.writev(parts as Buffer[]);
        if (bytesWritten !== parts.reduce((n, part) => n + part.length, 0)) return undefined;
      } finally {
        await handle.close();
      }
      return file;
    } catch {
      return undefined;
    }
  }

  async #insertFromFile(target: string, plan: RowBinaryPlan, file: string, options: InsertOptions): Promise<void> {
    const token = options.deduplicationToken === undefined ? '' : `, insert_deduplication_token = ${sqlString(options.deduplicationToken)}`;
    await this.#track(this.#session.queryAsync(fileInsertSql(target, plan, file, `, max_execution_time = ${this.#timeoutSeconds}${token}`)));
  }

  async #run(sql: string, params: QueryParams | undefined, format: string): Promise<string> {
    this.#assertOpen();
    const statement = this.#prefix + sql;
    const pending =
      params === undefined || Object.keys(params).length === 0
        ? this.#session.queryAsync(statement, { format })
        : this.#session.queryBindAsync(statement, toEngineParams(params), { format });
    return (await this.#track(pending)).text();
  }

  /** Remembers the call until it settles (close() waits for it) and maps its failure. */
  async #track<T>(pending: Promise<T>): Promise<T> {
    this.#inFlight.add(pending);
    try {
      return await pending;
    } catch (error) {
      throw parseError(error);
    } finally {
      this.#inFlight.delete(pending);
    }
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) {
      throw warehouseError(`warehouse ${this.database} is closed`, { clickhouseCode: 0, type: 'CLOSED', retriable: true });
    }
  }
}

/** Column name → type of a table, as system.columns spells them (what row-binary.ts plans from). */
export async function readColumnTypes(warehouse: Warehouse, table: string): Promise<Map<string, string>> {
  const found = await warehouse.query<{ name: string; type: string }>(
    'SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    { database: warehouse.database, table },
  );
  return new Map(found.map((c) => [c.name, c.type]));
}

/** The INSERT of a RowBinary file into `target`; `moreSettings` (", name = value…") follow the binary ones. */
export function fileInsertSql(target: string, plan: RowBinaryPlan, file: string, moreSettings = ''): string {
  return (
    `INSERT INTO ${target} (${plan.columns.join(', ')}) SETTINGS ${BINARY_INSERT_SETTINGS}${moreSettings} ` +
    `SELECT * FROM file(${sqlString(file)}, 'RowBinary', ${sqlString(plan.structure)})`
  );
}

function encodeOrUndefined(plan: RowBinaryPlan, rows: readonly Row[]): Buffer[] | undefined {
  try {
    return plan.encode(rows);
  } catch (error) {
    if (error instanceof NotBinaryEncodable) return undefined;
    throw error;
  }
}

/** A ClickHouse string literal of text we built or checked (paths, structures, tokens). */
function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Bound values as @clickhouse/client sends them, so both adapters bind alike: a Date becomes Unix seconds with
 * milliseconds, which ClickHouse reads as an instant whatever the placeholder's zone (chDB's own binding would
 * send a UTC wall-clock string, read in the placeholder's zone: 9 hours off for DateTime64(3, 'Asia/Seoul')).
 */
function toEngineParams(params: QueryParams): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    bound[name] = value instanceof Date ? unixSeconds(value) : value;
  }
  return bound;
}

function unixSeconds(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw warehouseError('cannot bind an invalid Date', { clickhouseCode: 0, type: 'BAD_REQUEST', retriable: false });
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return millis === 0 ? String(seconds) : `${seconds}.${String(millis).padStart(3, '0')}`;
}

/** JSONEachRow text → rows. Newlines inside values are escaped by the format, so a raw newline ends a row. */
export function parseJsonEachRow<T>(text: string): T[] {
  const body = text.trimEnd();
  if (body === '') return [];
  return JSON.parse(`[${body.split('\n').join(',')}]`) as T[];
}
