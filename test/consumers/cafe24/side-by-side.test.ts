/**
 * A shop's orders and products are fetched side by side, sharing the mall's limiter: the products scan (one page
 * at a time) no longer waits for the last order page. When one of them fails, the other's calls stop, and the job
 * fails with the error that failed it, not with the abort of its sibling.
 */
import assert from 'node:assert/strict';
import { createCafe24Consumer } from '../../../consumers/cafe24/cafe24-consumer.js';
import { SyncRunContract, type SyncRun } from '../../../lib/contracts/sync-run.js';
import { createPublisher } from '../../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';
import { waitFor } from '../../../lib/wait-for.js';
import { buildSyncRequest, publishSyncRequests } from '../../../producers/sync-requests.js';
import { connectCafe24 } from '../../../producers/tenant-admin.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../../../simulators/cafe24/simulator.js';
import { cafe24Settings } from '../../helpers/cafe24.js';
import { drainTopic, testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

const MALL = 'sidemall';
const oneAttempt = { ...TIER_POLICIES, paid: { ...TIER_POLICIES.paid, retry: { ...TIER_POLICIES.paid.retry, maxAttempts: 1 } } };

describe('cafe24: a shop\'s entities fetched side by side (real broker)', function () {
  this.timeout(90_000);
  let kafka: TestKafka;
  let sim: Cafe24Simulator;

  beforeEach(async () => {
    kafka = await testKafka('side');
    await kafka.createTopics('all');
    // Six pages of orders, 200 ms a call.
    sim = await startCafe24Simulator({ seed: 9, shops: [{ mallId: MALL, products: 400, orders: 5_500, historyDays: 80 }], latencyMs: 200 });
  });
  afterEach(async () => {
    await sim.close();
    await kafka.close();
  });

  async function syncOnce(): Promise<SyncRun> {
    const consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('side'), logger: testLogger(), keyring: createKeyring(generateKeySpec('k')), cafe24: cafe24Settings(sim),
      buyerHashSalt: 's', tierPolicies: oneAttempt,
    });
    const publisher = await createPublisher(kafka);
    try {
      await consumer.start();
      await connectCafe24(consumer.credentials, 't-side', MALL, (await sim.issueTokens(MALL)).response);
      await publishSyncRequests(publisher, [buildSyncRequest({ tenantId: 't-side', platform: 'cafe24', tier: 'paid' }, 'manual')]);
      return await waitFor(async () => {
        const runs = (await drainTopic(kafka, 'sync.runs')).flatMap((m) => {
          const run = SyncRunContract.decode(m.value);
          return run.ok ? [run.value] : [];
        });
        return runs.find((r) => r.status !== 'continued');
      }, { deadlineMs: 60_000, description: 'the sync to end' });
    } finally {
      await publisher.close();
      await consumer.stop();
    }
  }

  it('a failing products endpoint stops the order pages, and the job fails with its error', async () => {
    sim.faults.set(MALL, { unavailableEndpoints: ['/products'] });
    const run = await syncOnce();
    assert.notEqual(run.status, 'succeeded');
    assert.match(run.errorMessage ?? '', /products/);
    const { byEndpoint } = sim.stats(MALL);
    assert.equal(byEndpoint['/products'], 1);
    // One after the other, the orders (a count and 6 pages) would all have been fetched before the products failed.
    assert.ok((byEndpoint['/orders'] ?? 0) <= 2, `the order pages stopped with it: ${byEndpoint['/orders']} of 6 asked`);
  });
});
