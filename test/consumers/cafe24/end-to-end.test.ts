/**
 * Cafe24 end to end: simulator → Cafe24 consumer group → raw.results → sink → ClickHouse. A full sync and then
 * an incremental one land exactly the simulator's row counts (FINAL), with no buyer personal data anywhere.
 */
import assert from 'node:assert/strict';
import { createCafe24Consumer } from '../../../consumers/cafe24/cafe24-consumer.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createSink } from '../../../consumers/sink/sink.js';
import { createPublisher, type Publisher } from '../../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { waitFor } from '../../../lib/wait-for.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { buildSyncRequest, publishSyncRequests } from '../../../producers/sync-requests.js';
import { connectCafe24 } from '../../../producers/tenant-admin.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../../../simulators/cafe24/simulator.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';
import { cafe24Settings } from '../../helpers/cafe24.js';

const SHOPS = [{ mallId: 'alphashop', products: 130, orders: 500 }, { mallId: 'betashop', products: 40, orders: 150, shopCount: 2 }];
const tenantOf = (mallId: string) => `t-${mallId}`;

describe('cafe24 end to end into ClickHouse', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let sim: Cafe24Simulator;
  let warehouse: Warehouse;
  let publisher: Publisher;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    kafka = await testKafka('e2e');
    await kafka.createTopics('all');
    sim = await startCafe24Simulator({ seed: 11, shops: SHOPS });
    warehouse = await testWarehouse();
    await migrate(warehouse);
    publisher = await createPublisher(kafka);
    const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
    const consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('e2e'), logger: testLogger(), keyring: createKeyring(generateKeySpec('e2e')), cafe24: cafe24Settings(sim), buyerHashSalt: 'salt',
    });
    await Promise.all([sink.start(), consumer.start()]);
    stops.push(() => sink.stop(), () => consumer.stop());
    for (const { mallId } of SHOPS) await connectCafe24(consumer.credentials, tenantOf(mallId), mallId, (await sim.issueTokens(mallId)).response);
  });

  after(async () => {
    for (const stop of stops) await stop();
    await publisher.close();
    await disposeTestWarehouse(warehouse);
    await sim.close();
    await kafka.close();
  });

  async function syncAll(): Promise<void> {
    const requests = SHOPS.map(({ mallId }) => buildSyncRequest({ tenantId: tenantOf(mallId), platform: 'cafe24', tier: 'paid' }, 'manual'));
    await publishSyncRequests(publisher, requests);
    await waitFor(async () => {
      const rows = await warehouse.query<{ n: string }>(
        "SELECT count() AS n FROM sync_runs FINAL WHERE request_id IN {ids:Array(String)} AND status = 'succeeded'", { ids: requests.map((r) => r.requestId) });
      return Number(rows[0]?.n) === requests.length;
    }, { deadlineMs: 60_000, description: 'both shops synced' });
  }

  async function countsOf(tenantId: string) {
    const count = async (table: string) => Number((await warehouse.query<{ n: string }>(
      `SELECT count() AS n FROM ${table} FINAL WHERE tenant_id = {t:String} AND platform = 'cafe24'`, { t: tenantId }))[0]?.n);
    return { orders: await count('orders'), items: await count('order_items'), products: await count('products'), categories: await count('categories') };
  }

  async function assertExactCounts() {
    for (const { mallId } of SHOPS) {
      const expected = sim.expectedCounts(mallId);
      // Products and categories are listed per multi-shop (each shop has its own price and display), so a mall
      // with two shops has a row per shop.
      const want = { orders: expected.orders, items: expected.items, products: expected.products * expected.shops, categories: expected.categories * expected.shops };
      // The sink may still be landing the last chunks after the run event: wait for the counts, then compare.
      const got = await waitFor(async () => {
        const c = await countsOf(tenantOf(mallId));
        return c.orders >= want.orders && c.items >= want.items && c.products >= want.products && c.categories >= want.categories ? c : undefined;
      }, { deadlineMs: 30_000, description: `${mallId}'s rows` }).catch(async () => countsOf(tenantOf(mallId)));
      assert.deepEqual(got, want, mallId);
    }
  }

  it('a full sync lands exactly the shops\' orders, order lines, products and categories', async () => {
    await syncAll();
    await assertExactCounts();
  });

  it('an incremental sync lands nothing twice', async () => {
    await syncAll();
    await assertExactCounts();
    const [dupes] = await warehouse.query<{ n: string }>(
      "SELECT count() - uniqExact(tenant_id, order_id) AS n FROM orders FINAL WHERE platform = 'cafe24'");
    assert.equal(dupes?.n, '0');
  });

  it('stores no buyer personal data, only a salted buyer hash', async () => {
    const [leaks] = await warehouse.query<{ n: string }>(
      "SELECT count() AS n FROM raw_records WHERE platform = 'cafe24' AND (payload LIKE '%member_email%' OR payload LIKE '%billing_name%' OR payload LIKE '%\"member_id\"%')");
    assert.equal(leaks?.n, '0');
    const [hashed] = await warehouse.query<{ n: string }>("SELECT countIf(buyer_hash != '') AS n FROM orders FINAL WHERE platform = 'cafe24'");
    assert.ok(Number(hashed?.n) > 0, 'members are counted by hash');
  });
});
