/**
 * One factory for both adapters: the server adapter when a URL is given, the embedded engine otherwise.
 * Takes plain options shaped like `config.warehouse`, so start-up code passes that object straight through.
 */
import type { Warehouse } from './warehouse.js';
import { openEmbeddedWarehouse } from './chdb-warehouse.js';
import { openHttpWarehouse } from './http-warehouse.js';
import { WarehouseRejectedError } from './parse-error.js';

export interface WarehouseOptions {
  /** ClickHouse server URL (http://host:8123). Empty or absent: the embedded engine. */
  url?: string;
  database: string;
  /** The embedded engine's data directory; required without `url`, ignored with it. */
  dataDir?: string;
  user?: string;
  password?: string;
  /** Per request or query. @default 30_000 */
  requestTimeoutMs?: number;
  /**
   * Create the database if missing. @default true for the embedded engine (it is ours), false for a server
   * (the operator owns its databases and grants).
   */
  createDatabase?: boolean;
}

export function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const { url, database, dataDir, user, password, requestTimeoutMs, createDatabase } = options;
  if (url) {
    return openHttpWarehouse({ url, database, user, password, requestTimeoutMs, createDatabase });
  }
  if (!dataDir) {
    return Promise.reject(
      new WarehouseRejectedError('warehouse: set either a server url or a dataDir for the embedded engine', {
        clickhouseCode: 0,
        type: 'BAD_CONFIG',
      }),
    );
  }
  return openEmbeddedWarehouse({ dataDir, database, requestTimeoutMs, createDatabase });
}
