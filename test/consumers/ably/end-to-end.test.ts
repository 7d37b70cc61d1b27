/**
 * Ably end to end: simulator → Ably consumer group (real broker, real Chromium for the challenge seller) →
 * raw.results → sink → ClickHouse. API-login and challenge sellers both land exactly the simulator's counts
 * (FINAL); a second round reuses every session (no login); no buyer personal field reaches a table.
 */
import assert from 'node:assert/strict';
import { createAblyConsumer } from '../../../consumers/ably/ably-consumer.js';
import type { AblySecret } from '../../../consumers/ably/login.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createSink } from '../../../consumers/sink/sink.js';
import { createPublisher, type Publisher } from '../../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { waitFor } from '../../../lib/wait-for.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { buildSyncRequest, publishSyncRequests } from '../../../producers/sync-requests.js';
import { startAblySimulator, type AblySimulator } from '../../../simulators/ably/simulator.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

const SELLERS = [
  { sellerId: 'api-one', loginMode: 'api' as const, goods: 6, historyDays: 40 },
  { sellerId: 'api-two', loginMode: 'api' as const, goods: 4, historyDays: 40 },
  { sellerId: 'chal-one', loginMode: 'challenge' as const, goods: 5, historyDays: 40 },
];
const tenantOf = (sellerId: string) => `t-${sellerId}`;
const FAST = [{ ratePerSec: 500, burst: 1000 }];

export function ablyTestSettings(sim: AblySimulator) {
  return {
    apiBaseUrl: sim.apiUrl, webUrl: sim.webUrl, hostRatePerSec: 200, accountRatePerSec: 100, lookbackDays: 7, initialDays: 90,
    browserPages: 2, browserRetireAfter: 100, browserMaxRssMb: 2048, evidenceDir: '',
  };
}

describe('ably end to end into ClickHouse', function () {
  this.timeout(180_000);
  let kafka: TestKafka;
  let sim: AblySimulator;
  let warehouse: Warehouse;
  let publisher: Publisher;
  let consumer: ReturnType<typeof createAblyConsumer>;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    kafka = await testKafka('ably-e2e');
    await kafka.createTopics('all');
    sim = await startAblySimulator({ seed: 5, sellers: SELLERS, limits: { perIp: FAST, perAccount: FAST } });
    warehouse = await testWarehouse();
    await migrate(warehouse);
    publisher = await createPublisher(kafka);
    const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
    consumer = createAblyConsumer({
      kafka, instanceId: uniqueName('ably-e2e'), logger: testLogger(), keyring: createKeyring(generateKeySpec('e2e')), ably: ablyTestSettings(sim),
      buyerHashSalt: 'salt', now: () => sim.clock.now(), pacer: { jitterMs: 0 }, jobTimeoutMs: 60_000,
    });
    await Promise.all([sink.start(), consumer.start()]);
    stops.push(() => sink.stop(), () => consumer.stop());
    for (const seller of sim.sellers) {
      await consumer.credentials.put(tenantOf(seller.sellerId), 'ably', { email: seller.email, password: seller.password } satisfies AblySecret);
    }
  });

  after(async () => {
    for (const stop of stops) await stop();
    await publisher?.close();
    if (warehouse) await disposeTestWarehouse(warehouse);
    await sim?.stop();
    await kafka?.close();
  });

  async function syncAll(): Promise<void> {
    const requests = SELLERS.map(({ sellerId }) => buildSyncRequest({ tenantId: tenantOf(sellerId), platform: 'ably', tier: 'paid' }, 'manual'));
    await publishSyncRequests(publisher, requests);
    await waitFor(async () => {
      const rows = await warehouse.query<{ n: string }>(
        "SELECT count() AS n FROM sync_runs FINAL WHERE request_id IN {ids:Array(String)} AND status = 'succeeded'", { ids: requests.map((r) => r.requestId) });
      return Number(rows[0]?.n) === requests.length;
    }, { deadlineMs: 120_000, description: 'every seller synced' });
  }

  const count = async (table: string, tenantId: string, where = '') => Number((await warehouse.query<{ n: string }>(
    `SELECT count() AS n FROM ${table} FINAL WHERE tenant_id = {t:String} AND platform = 'ably' ${where}`, { t: tenantId }))[0]?.n);

  async function countsOf(tenantId: string) {
    return {
      orders: await count('orders', tenantId), orderItems: await count('order_items', tenantId), goods: await count('products', tenantId),
      claims: await count('order_claims', tenantId), reviews: await count('reviews', tenantId), settlements: await count('settlements', tenantId),
    };
  }

  async function assertExactCounts() {
    for (const { sellerId } of SELLERS) {
      const t = sim.truth(sellerId);
      const want = { orders: t.orders, orderItems: t.orderItems, goods: t.goods, claims: t.cancels + t.returns, reviews: t.reviews, settlements: t.settlements };
      const got = await waitFor(async () => {
        const c = await countsOf(tenantOf(sellerId));
        return Object.entries(want).every(([k, v]) => c[k as keyof typeof c] >= v) ? c : undefined;
      }, { deadlineMs: 30_000, description: `${sellerId}'s rows` }).catch(() => countsOf(tenantOf(sellerId)));
      assert.deepEqual(got, want, sellerId);
      assert.ok(want.orderItems > 0 && want.goods > 0, 'the seller has data');
      // Settlements come from their detail CSVs: every product order they pay, and what it pays.
      const [paid] = await warehouse.query<{ lines: string; amount: string }>(
        "SELECT sum(order_count) AS lines, toString(sum(settlement_amount)) AS amount FROM settlements FINAL WHERE tenant_id = {t:String} AND platform = 'ably'",
        { t: tenantOf(sellerId) });
      assert.deepEqual([Number(paid?.lines), Number(paid?.amount)], [t.settlementLines, t.settlementAmount], `${sellerId}'s settlement lines and amount`);
    }
  }

  it('API-login and challenge sellers both land exactly the simulator\'s rows', async () => {
    await syncAll();
    await assertExactCounts();
    const counts = consumer.stack.sessions.counts;
    assert.equal(counts.apiLogins, 2, 'the two api sellers logged in over the API');
    assert.equal(counts.browserLogins, 1, 'the challenge seller logged in with Chromium');
    assert.equal(consumer.stack.browsers.stats.launches, 1);
  });

  it('reuses every session on the next round: no login at all', async () => {
    sim.advance(6 * 3_600_000);
    await syncAll();
    await assertExactCounts();
    const counts = consumer.stack.sessions.counts;
    assert.equal(counts.apiLogins + counts.browserLogins, 3, 'three logins over six jobs');
    assert.ok(counts.reused >= 3);
  });

  it('stores no buyer personal data (the simulator\'s names, phones, addresses, memos, e-mails)', async () => {
    const [leaks] = await warehouse.query<{ n: string }>(
      `SELECT count() AS n FROM raw_records WHERE platform = 'ably' AND (payload LIKE '%buyer_name%' OR payload LIKE '%buyer_tel%' OR payload LIKE '%receiver_%'
        OR payload LIKE '%"memo"%' OR payload LIKE '%buyer_email%' OR payload LIKE '%010-%' OR payload LIKE '%"member"%' OR payload LIKE '%"height"%' OR payload LIKE '%user_comment%')`);
    assert.equal(leaks?.n, '0');
    const [hashed] = await warehouse.query<{ n: string }>("SELECT countIf(buyer_hash != '') AS n FROM orders FINAL WHERE platform = 'ably'");
    assert.ok(Number(hashed?.n) > 0, 'buyers are counted by hash');
  });
});
