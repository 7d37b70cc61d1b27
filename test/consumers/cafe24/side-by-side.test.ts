/**
 * A shop's orders and products are fetched side by side, sharing the mall's limiter: the products scan (one page
 * at a time) no longer waits for the last order page. When one of them fails, the other's calls stop, and the job
 * fails with the error that failed it, not with the abort of its sibling.
 */
import assert from 'node:assert/strict';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';
import { startCafe24Simulator } from '../../../simulators/cafe24/simulator.js';
import { syncTenant } from '../../helpers/cafe24.js';
import { testKafka } from '../../helpers/kafka.js';

const MALL = 'sidemall';
const oneAttempt = { ...TIER_POLICIES, paid: { ...TIER_POLICIES.paid, retry: { ...TIER_POLICIES.paid.retry, maxAttempts: 1 } } };

describe('cafe24: a shop\'s entities fetched side by side (real broker)', function () {
  this.timeout(90_000);

  it('a failing products endpoint stops the order pages, and the job fails with its error', async () => {
    const kafka = await testKafka('side');
    await kafka.createTopics('all');
    // Six pages of orders, 200 ms a call.
    const sim = await startCafe24Simulator({ seed: 9, shops: [{ mallId: MALL, products: 400, orders: 5_500, historyDays: 80 }], latencyMs: 200 });
    try {
      sim.faults.set(MALL, { unavailableEndpoints: ['/products'] });
      const runs = await syncTenant(kafka, sim, { tenantId: 't-side', mallId: MALL, tierPolicies: oneAttempt });
      const run = runs[runs.length - 1]!;
      assert.notEqual(run.status, 'succeeded');
      assert.match(run.errorMessage ?? '', /products/);
      const { byEndpoint } = sim.stats(MALL);
      assert.equal(byEndpoint['/products'], 1);
      // One after the other, the orders (a count and 6 pages) would all have been fetched before the products failed.
      assert.ok((byEndpoint['/orders'] ?? 0) <= 2, `the order pages stopped with it: ${byEndpoint['/orders']} of 6 asked`);
    } finally {
      await sim.close();
      await kafka.close();
    }
  });
});
