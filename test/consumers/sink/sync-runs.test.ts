import assert from 'node:assert/strict';
import { RowBuffer } from '../../../lib/model/row-buffer.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { mapSyncRun } from '../../../consumers/sink/sync-runs.js';
import type { SyncRun } from '../../../lib/contracts/sync-run.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

describe('consumers/sink/sync-runs', function () {
  this.timeout(60_000);
  let warehouse: Warehouse;
  before(async () => {
    warehouse = await testWarehouse();
    await migrate(warehouse);
  });
  after(() => disposeTestWarehouse(warehouse));

  const run = (over: Partial<SyncRun>): SyncRun => ({
    v: 1, requestId: 'req-1', attempt: 1, tenantId: 'tenant-f', platform: 'cafe24', tier: 'paid', status: 'succeeded',
    startedAt: new Date(Date.now() - 60_000).toISOString(), durationMs: 2_000, counts: { orders: 3 }, ...over,
  });

  async function land(runs: SyncRun[]): Promise<void> {
    const buffer = new RowBuffer();
    runs.forEach((r, i) => mapSyncRun(r, { topic: 'sync.runs', partition: 0, offset: String(i) }, buffer));
    await warehouse.insert('sync_runs', buffer.rowsOf('sync_runs') as never);
    if (buffer.rowsOf('freshness').length) await warehouse.insert('freshness', buffer.rowsOf('freshness') as never);
  }

  it('keeps data-as-of per tenant × platform × entity with the tier, never moved back by a failed or older run', async function () {
    const now = Date.now();
    await land([
      run({ requestId: 'r-old', dataAsOf: { orders: new Date(now - 7_200_000).toISOString(), products: new Date(now - 7_200_000).toISOString() } }),
      run({ requestId: 'r-new', dataAsOf: { orders: new Date(now - 600_000).toISOString() } }),
      run({ requestId: 'r-failed', status: 'retrying', errorClass: 'TransientSourceError', counts: {} }),
      run({ requestId: 'r-ably', platform: 'ably', tier: 'free', dataAsOf: { orders: new Date(now - 1_800_000).toISOString() } }),
    ]);
    const rows = await warehouse.query<{ platform: string; tier: string; entity: string; request_id: string; behind: number }>(
      `SELECT platform, tier, entity, request_id, dateDiff('minute', as_of, now64(3)) AS behind
       FROM freshness FINAL WHERE tenant_id = 'tenant-f' ORDER BY platform, entity`,
    );
    assert.deepEqual(rows.map((r) => [r.platform, r.tier, r.entity, r.request_id]), [
      ['ably', 'free', 'orders', 'r-ably'],
      ['cafe24', 'paid', 'orders', 'r-new'],
      ['cafe24', 'paid', 'products', 'r-old'],
    ]);
    const tiers = await warehouse.query<{ tier: string; n: string }>(
      "SELECT tier, count() AS n FROM sync_runs FINAL WHERE tenant_id = 'tenant-f' GROUP BY tier ORDER BY tier",
    );
    assert.deepEqual(tiers.map((t) => [t.tier, Number(t.n)]), [['free', 1], ['paid', 3]]);
  });

  it('writes an empty tier for a run event that predates tiers on runs', async function () {
    const legacy = run({ tenantId: 'tenant-legacy', dataAsOf: { orders: new Date().toISOString() } });
    delete legacy.tier;
    await land([legacy]);
    const [row] = await warehouse.query<{ tier: string }>("SELECT tier FROM freshness FINAL WHERE tenant_id = 'tenant-legacy'");
    assert.equal(row?.tier, '');
  });
});
