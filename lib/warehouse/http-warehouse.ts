/**
 * The server adapter: @clickhouse/client over HTTP behind the Warehouse contract. Thin on purpose.
 * The database travels with every request (the client's `database` option becomes a URL parameter), so two
 * instances never share state. Rows are encoded by encode-rows.ts (same cell rules as the embedded adapter)
 * and sent as JSONEachRow, which every server version parses. Rows that arrive already in RowBinary (edge rows)
 * are decoded to objects first (row-binary.ts expandRows): exact, and it keeps the one format every server takes
 * (RowBinary with NULL-as-DEFAULT needs input(), ClickHouse ≥ 19.x, and the 18.16 the transport test runs lacks it).
 */
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { InsertOptions, InsertRow, QueryParams, Row, Warehouse } from './warehouse.js';
import { expandRows } from './row-binary.js';
import { assertIdentifier, encodeJsonEachRow } from './encode-rows.js';
import { parseError, warehouseError } from './parse-error.js';

export interface HttpWarehouseOptions {
  /** e.g. http://127.0.0.1:8123 */
  url: string;
  database: string;
  user?: string;
  password?: string;
  /** Client-side limit per request; the server gets the same as max_execution_time. @default 30_000 */
  requestTimeoutMs?: number;
  /**
   * Create the database if missing (through a second, short-lived client on `default`: a request naming a
   * database that does not exist is refused before it runs). Production databases are created by the operator,
   * so the default is false. @default false
   */
  createDatabase?: boolean;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export async function openHttpWarehouse(options: HttpWarehouseOptions): Promise<Warehouse> {
  const database = assertIdentifier('database', options.database);
  if (options.createDatabase) {
    const bootstrap = newClient(options, 'default');
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    } catch (error) {
      throw parseError(error);
    } finally {
      await bootstrap.close();
    }
  }
  return new HttpWarehouse(newClient(options, database), database);
}

function newClient(options: HttpWarehouseOptions, database: string): ClickHouseClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return createClient({
    url: options.url,
    database,
    username: options.user ?? 'default',
    password: options.password ?? '',
    request_timeout: requestTimeoutMs,
    application: 'sellerstream',
    // Every failure reaches the caller as a typed WarehouseError and is logged there, with tenant and request
    // ids; the client's own console logging would only print each one twice, without them.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // The server also stops (a client-side timeout alone leaves the query running).
      max_execution_time: Math.max(1, Math.ceil(requestTimeoutMs / 1000)),
      output_format_json_quote_64bit_integers: 1,
    },
  });
}

class HttpWarehouse implements Warehouse {
  readonly kind = 'server' as const;
  #closed: Promise<void> | undefined;

  constructor(
    readonly client: ClickHouseClient,
    readonly database: string,
  ) {}

  async ping(): Promise<void> {
    this.#assertOpen();
    const result = await this.client.ping();
    if (!result.success) throw parseError(result.error);
  }

  async query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    this.#assertOpen();
    try {
      const resultSet = await this.client.query({ query: sql, format: 'JSONEachRow', ...boundParams(params) });
      return await resultSet.json<T>();
    } catch (error) {
      throw parseError(error);
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    this.#assertOpen();
    try {
      await this.client.command({ query: sql, ...boundParams(params) });
    } catch (error) {
      throw parseError(error);
    }
  }

  async insert(table: string, rows: readonly InsertRow[], options: InsertOptions = {}): Promise<void> {
    assertIdentifier('table', table);
    if (rows.length === 0) return;
    this.#assertOpen();
    const body = encodeJsonEachRow(expandRows(rows));
    const settings: Record<string, string | number> = { date_time_input_format: 'best_effort' };
    if (options.deduplicationToken !== undefined) settings.insert_deduplication_token = options.deduplicationToken;
    try {
      // exec with a byte body rather than client.insert: insert() would JSON-encode rows itself (no bigint, no
      // non-finite check); this sends exactly what encode-rows.ts produced.
      const { stream } = await this.client.exec({
        query: `INSERT INTO ${table} FORMAT JSONEachRow`,
        values: Readable.from([body]),
        clickhouse_settings: settings,
      });
      // The response body is empty on success; drain it so the socket goes back to the pool.
      await finished(stream.resume());
    } catch (error) {
      throw parseError(error);
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.client.close();
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) {
      throw warehouseError(`warehouse ${this.database} is closed`, { clickhouseCode: 0, type: 'CLOSED', retriable: true });
    }
  }
}

/** No `query_params` when there are none, so parameterless SQL also runs on servers that know no parameters (18.x). */
function boundParams(params: QueryParams | undefined): { query_params?: Record<string, unknown> } {
  return params === undefined || Object.keys(params).length === 0 ? {} : { query_params: params };
}
