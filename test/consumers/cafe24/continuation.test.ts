/**
 * A shop too big for one job's budget: the job yields between pages, publishes a continuation with its cursor,
 * and the chain of jobs lands exactly the shop's rows, each once. A job also yields once it holds a step's worth of
 * bytes, and that costs no call: the chain asks for every page and every count the one-step sync asks for, once.
 */
import assert from 'node:assert/strict';
import { createCafe24Consumer } from '../../../consumers/cafe24/cafe24-consumer.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createSink } from '../../../consumers/sink/sink.js';
import { createPublisher } from '../../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { waitFor } from '../../../lib/wait-for.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import { buildSyncRequest, publishSyncRequests } from '../../../producers/sync-requests.js';
import { connectCafe24 } from '../../../producers/tenant-admin.js';
import { startCafe24Simulator } from '../../../simulators/cafe24/simulator.js';
import { cafe24Settings, syncTenant } from '../../helpers/cafe24.js';
import { testKafka, testLogger, uniqueName } from '../../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

describe('cafe24: a sync longer than its budget continues in continuation requests', function () {
  this.timeout(180_000);

  it('yields, continues from its cursor, and lands every row once', async () => {
    const kafka = await testKafka('cont');
    await kafka.createTopics('all');
    const sim = await startCafe24Simulator({ seed: 5, shops: [{ mallId: 'bigshop', products: 900, orders: 8000, historyDays: 240 }], latencyMs: 300 });
    const warehouse = await testWarehouse();
    await migrate(warehouse);
    const publisher = await createPublisher(kafka);
    const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 's', batchAgeMs: 200 });
    // A 5 s budget (yield at 70 %) against ~300 ms calls: the sync needs several jobs, and each step is short enough
    // against the budget that a loaded machine does not push one past it (with 2.5 s and 150 ms calls it did).
    const consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('cont'), logger: testLogger(), keyring: createKeyring(generateKeySpec('k')), cafe24: { ...cafe24Settings(sim), initialDays: 300 },
      buyerHashSalt: 's', jobTimeoutMs: 5_000,
    });
    try {
      await Promise.all([sink.start(), consumer.start()]);
      await connectCafe24(consumer.credentials, 't-big', 'bigshop', (await sim.issueTokens('bigshop')).response);
      await publishSyncRequests(publisher, [buildSyncRequest({ tenantId: 't-big', platform: 'cafe24', tier: 'paid' }, 'manual')]);
      const statuses = await waitFor(async () => {
        const runs = await warehouse.query<{ status: string }>("SELECT status FROM sync_runs FINAL WHERE tenant_id = 't-big' ORDER BY started_at");
        return runs.some((r) => r.status === 'succeeded') ? runs.map((r) => r.status) : undefined;
      }, { deadlineMs: 150_000, description: 'the chain of jobs to finish' });
      assert.ok(statuses.filter((s) => s === 'continued').length >= 1, `the sync was cut into steps: ${statuses.join(',')}`);
      assert.deepEqual(statuses.filter((s) => s !== 'continued'), ['succeeded']);

      const expected = sim.expectedCounts('bigshop');
      const count = async (table: string) => Number((await warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${table} FINAL WHERE tenant_id = 't-big'`))[0]?.n);
      const got = await waitFor(async () => {
        const c = { orders: await count('orders'), items: await count('order_items'), products: await count('products') };
        return c.orders === expected.orders && c.items === expected.items && c.products === expected.products ? c : undefined;
      }, { deadlineMs: 30_000, description: 'every row landed' }).catch(async () => ({ orders: await count('orders'), items: await count('order_items'), products: await count('products') }));
      assert.deepEqual(got, { orders: expected.orders, items: expected.items, products: expected.products });
    } finally {
      await consumer.stop();
      await sink.stop();
      await publisher.close();
      await disposeTestWarehouse(warehouse);
      await sim.close();
      await kafka.close();
    }
  });

  it('a sync cut into steps by bytes makes the calls of one step: no page fetched twice, no window counted twice', async () => {
    const kafka = await testKafka('cont-bytes');
    await kafka.createTopics('all');
    // A simulator each, on one data anchor: the same orders, and buckets that the other sync did not fill.
    const dataAnchorMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const ordersCalls = async (tenantId: string, stepMaxBytes: number) => {
      const sim = await startCafe24Simulator({ seed: 6, dataAnchorMs, shops: [{ mallId: 'wideshop', products: 30, orders: 4500, historyDays: 80 }] });
      try {
        const runs = await syncTenant(kafka, sim, { tenantId, mallId: 'wideshop', stepMaxBytes });
        const { byEndpoint, rateLimited } = sim.stats('wideshop');
        return { steps: runs.length, orders: byEndpoint['/orders'], counts: byEndpoint['/orders/count'], rateLimited, fetched: runs.reduce((n, r) => n + (r.counts.orders ?? 0), 0) };
      } finally {
        await sim.close();
      }
    };
    try {
      const whole = await ordersCalls('t-whole', 1 << 30);
      const stepped = await ordersCalls('t-stepped', 1);
      assert.equal(whole.steps, 1);
      assert.ok(stepped.steps >= 5, `one page per step: ${stepped.steps} steps`);
      assert.deepEqual({ orders: stepped.orders, counts: stepped.counts, rateLimited: stepped.rateLimited }, { orders: whole.orders, counts: whole.counts, rateLimited: 0 });
      // The mall takes an order every ~25 minutes of wall time: one may arrive between the two syncs.
      assert.ok(stepped.fetched - whole.fetched >= 0 && stepped.fetched - whole.fetched <= 1, `fetched ${stepped.fetched} against ${whole.fetched}`);
    } finally {
      await kafka.close();
    }
  });
});
