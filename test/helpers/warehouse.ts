/**
 * Warehouses for tests. Mocha runs every test file in ONE process, and chDB binds one data directory per
 * process, so all tests share one directory (a temp dir made on first use, removed at exit) and are kept apart
 * by database: each call gets a fresh, uniquely named one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeEngineAtExit } from '../../lib/warehouse/chdb-engine.js';
import { openEmbeddedWarehouse } from '../../lib/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';

let dataDir: string | undefined;

/** The embedded engine's directory for this test process. */
export function testDataDir(): string {
  if (dataDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'sellerstream-warehouse-'));
    dataDir = dir;
    process.once('exit', () => {
      closeEngineAtExit();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return dataDir;
}

/** A database name no other test uses: `<prefix>_<12 hex>`. */
export function uniqueDatabase(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** An embedded warehouse on a fresh database (created) in the process's test directory. */
export function testWarehouse(database = uniqueDatabase()): Promise<Warehouse> {
  return openEmbeddedWarehouse({ dataDir: testDataDir(), database });
}

/** Drops the warehouse's database, then closes the warehouse (even when the drop fails). */
export async function disposeTestWarehouse(warehouse: Warehouse): Promise<void> {
  try {
    await warehouse.command(`DROP DATABASE IF EXISTS ${warehouse.database}`);
  } finally {
    await warehouse.close();
  }
}
