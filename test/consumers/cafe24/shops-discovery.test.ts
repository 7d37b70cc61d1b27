/**
 * Multi-shop discovery (GET /shops) is optional: a grant without `mall.read_store` (403) or a mall that does not
 * serve /shops (404) syncs shop 1 and says so in the run (`warnings`, into sync_runs), instead of ending dead
 * with nothing synced. Any other refusal still fails the job: a grant without `mall.read_order` ends dead.
 */
import assert from 'node:assert/strict';
import { createCafe24Consumer } from '../../../consumers/cafe24/cafe24-consumer.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createSink } from '../../../consumers/sink/sink.js';
import { SyncRunContract, type SyncRun } from '../../../lib/contracts/sync-run.js';
import { createPublisher, type Publisher } from '../../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { waitFor } from '../../../lib/wait-for.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { buildSyncRequest, publishSyncRequests } from '../../../producers/sync-requests.js';
import { connectCafe24 } from '../../../producers/tenant-admin.js';
import { DEFAULT_APP, startCafe24Simulator, type Cafe24Simulator } from '../../../simulators/cafe24/simulator.js';
import { cafe24Settings } from '../../helpers/cafe24.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

// Each mall has two shops, so "shop 1 only" is visible in the counts.
const SHOPS = [
  { mallId: 'noscope1', products: 30, orders: 120, shopCount: 2 },
  { mallId: 'noshops1', products: 30, orders: 120, shopCount: 2 },
  { mallId: 'noorder1', products: 30, orders: 120, shopCount: 2 },
];
const without = (scope: string) => DEFAULT_APP.scopes.filter((s) => s !== scope);

describe('cafe24: multi-shop discovery refused', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let sim: Cafe24Simulator;
  let warehouse: Warehouse;
  let publisher: Publisher;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    kafka = await testKafka('shops');
    await kafka.createTopics('all');
    sim = await startCafe24Simulator({ seed: 3, shops: SHOPS });
    sim.faults.set('noshops1', { unavailableEndpoints: ['/shops'] });
    warehouse = await testWarehouse();
    await migrate(warehouse);
    publisher = await createPublisher(kafka);
    const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
    const consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('shops'), logger: testLogger(), keyring: createKeyring(generateKeySpec('shops')), cafe24: cafe24Settings(sim), buyerHashSalt: 'salt',
    });
    await Promise.all([sink.start(), consumer.start()]);
    stops.push(() => sink.stop(), () => consumer.stop());
    const grants = { noscope1: without('mall.read_store'), noshops1: DEFAULT_APP.scopes, noorder1: without('mall.read_order') };
    for (const [mallId, scopes] of Object.entries(grants)) {
      await connectCafe24(consumer.credentials, `t-${mallId}`, mallId, (await sim.issueTokens(mallId, { scopes })).response);
    }
  });

  after(async () => {
    for (const stop of stops) await stop();
    await publisher.close();
    await disposeTestWarehouse(warehouse);
    await sim.close();
    await kafka.close();
  });

  it('syncs shop 1 with a warning in the run when /shops answers 403 or 404; other refusals still fail', async () => {
    const requests = SHOPS.map(({ mallId }) => buildSyncRequest({ tenantId: `t-${mallId}`, platform: 'cafe24', tier: 'paid' }, 'manual'));
    await publishSyncRequests(publisher, requests);
    const runs = new Map<string, SyncRun>();
    await waitFor(async () => {
      for (const m of await kafka.readTopic('sync.runs', 1, { deadlineMs: 40_000 })) {
        const run = SyncRunContract.decode(m.value);
        if (run.ok && ['succeeded', 'dead', 'needs_reauth'].includes(run.value.status)) runs.set(run.value.tenantId, run.value);
      }
      return runs.size === SHOPS.length;
    }, { deadlineMs: 60_000, description: 'a final run per mall' });

    for (const [mallId, status] of [['noscope1', 403], ['noshops1', 404]] as const) {
      const run = runs.get(`t-${mallId}`)!;
      const shop1 = sim.expectedCounts(mallId, { shopNo: 1 });
      assert.equal(run.status, 'succeeded', `${mallId}: ${run.errorMessage}`);
      assert.deepEqual(run.counts, { orders: shop1.orders, products: shop1.products, categories: shop1.categories }, `${mallId}: shop 1 only`);
      assert.equal(run.warnings?.length, 1, mallId);
      assert.match(run.warnings![0]!, new RegExp(`multi-shop discovery refused .*${status}.*synced shop 1 only`), mallId);
    }
    const noOrders = runs.get('t-noorder1')!;
    assert.equal(noOrders.status, 'dead');
    assert.equal(noOrders.errorClass, 'SOURCE_REJECTED');

    const landed = await waitFor(async () => {
      const rows = await warehouse.query<{ tenant_id: string; warnings: string[] }>(
        "SELECT tenant_id, warnings FROM sync_runs FINAL WHERE status = 'succeeded' ORDER BY tenant_id");
      return rows.length === 2 ? rows : undefined;
    }, { deadlineMs: 30_000, description: 'the two succeeded runs in sync_runs' });
    assert.deepEqual(landed.map((r) => [r.tenant_id, r.warnings.length]), [['t-noscope1', 1], ['t-noshops1', 1]]);
  });
});
