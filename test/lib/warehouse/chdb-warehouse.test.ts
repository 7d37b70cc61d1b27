import assert from 'node:assert/strict';
import { join } from 'node:path';
import { boundDataDir, EmbeddedEngineConflictError } from '../../../lib/warehouse/chdb-engine.js';
import { openEmbeddedWarehouse } from '../../../lib/warehouse/chdb-warehouse.js';
import { openWarehouse } from '../../../lib/warehouse/open-warehouse.js';
import { WarehouseRejectedError, WarehouseRetriableError } from '../../../lib/warehouse/parse-error.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { disposeTestWarehouse, testDataDir, testWarehouse, uniqueDatabase } from '../../helpers/warehouse.js';
import { ALL_CAPABILITIES, describeWarehouseConformance } from './conformance.js';

describeWarehouseConformance('embedded (chDB)', () => ({
  open: () => testWarehouse(),
  dispose: disposeTestWarehouse,
  capabilities: ALL_CAPABILITIES,
}));

describe('chdb-warehouse: one engine per process', function () {
  let warehouse: Warehouse;

  beforeEach(async function () {
    warehouse = await testWarehouse();
  });

  afterEach(async function () {
    await disposeTestWarehouse(warehouse);
  });

  it('refuses a second data directory in one sentence naming both', async function () {
    const elsewhere = join(testDataDir(), '..', 'another-dir');
    await assert.rejects(openEmbeddedWarehouse({ dataDir: elsewhere, database: 'x' }), (error) => {
      assert.ok(error instanceof EmbeddedEngineConflictError);
      assert.equal(error.retriable, false);
      assert.ok(error.message.includes(testDataDir()) && error.message.includes(elsewhere), error.message);
      assert.match(error.message, /one data directory per process/);
      return true;
    });
    assert.equal(boundDataDir(), testDataDir(), 'the bound engine is untouched');
    await warehouse.ping();
  });

  it('pins every call to its database even after a USE in the shared session', async function () {
    const other = await testWarehouse();
    try {
      await warehouse.command(`USE ${other.database}`);
      const [row] = await warehouse.query<{ db: string }>('SELECT currentDatabase() AS db');
      assert.equal(row?.db, warehouse.database);
      const [otherRow] = await other.query<{ db: string }>('SELECT currentDatabase() AS db');
      assert.equal(otherRow?.db, other.database);
    } finally {
      await disposeTestWarehouse(other);
    }
  });

  it('keeps the event loop free while the engine works', async function () {
    let worstLagMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstLagMs = Math.max(worstLagMs, now - last - 10);
      last = now;
    }, 10);
    const started = performance.now();
    try {
      await warehouse.query('SELECT max(sipHash64(number)) AS m FROM numbers(100000000)');
    } finally {
      clearInterval(ticker);
    }
    const tookMs = performance.now() - started;
    assert.ok(tookMs > 300, `the query must run long enough to tell (took ${tookMs.toFixed(0)} ms)`);
    assert.ok(worstLagMs < 200, `event loop stalled ${worstLagMs.toFixed(0)} ms during a ${tookMs.toFixed(0)} ms query`);
  });

  it('stops a query at requestTimeoutMs inside the engine (retriable) and stays usable', async function () {
    const hurried = await openEmbeddedWarehouse({
      dataDir: testDataDir(),
      database: warehouse.database,
      requestTimeoutMs: 300,
    });
    try {
      await assert.rejects(hurried.query('SELECT count() FROM numbers(1000000000000)'), (error) => {
        assert.ok(error instanceof WarehouseRetriableError, String(error));
        assert.equal(error.type, 'TIMEOUT_EXCEEDED');
        return true;
      });
      await hurried.ping();
      // The shared session's limit is restated per call: the patient warehouse is not cut at 300 ms.
      await warehouse.query('SELECT max(sipHash64(number)) AS m FROM numbers(20000000)');
    } finally {
      await hurried.close();
    }
  });

  it("fills a column's DEFAULT where a row leaves the key out (compact payload, null as default)", async function () {
    await warehouse.command(
      "CREATE TABLE d (id UInt32, note String DEFAULT 'none', at DateTime64(3, 'UTC') DEFAULT '2000-01-01 00:00:00', " +
        'maybe Nullable(String)) ENGINE = MergeTree ORDER BY id',
    );
    await warehouse.insert('d', [{ id: 1, note: 'given', maybe: 'x' }, { id: 2 }]);
    assert.deepEqual(await warehouse.query('SELECT id, note, at, maybe FROM d ORDER BY id'), [
      { id: 1, note: 'given', at: '2000-01-01 00:00:00.000', maybe: 'x' },
      { id: 2, note: 'none', at: '2000-01-01 00:00:00.000', maybe: null },
    ]);
  });

  it('openWarehouse picks the embedded engine without a url and refuses no dataDir', async function () {
    const chosen = await openWarehouse({ url: '', dataDir: testDataDir(), database: uniqueDatabase() });
    try {
      assert.equal(chosen.kind, 'embedded');
    } finally {
      await disposeTestWarehouse(chosen);
    }
    await assert.rejects(openWarehouse({ database: 'x' }), WarehouseRejectedError);
  });
});
