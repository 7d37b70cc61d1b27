/**
 * The sink against the real broker and the embedded engine: what lands, once, with offsets committed after it.
 */
import assert from 'node:assert/strict';
import { RAW_RESULTS_TOPIC } from '../../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC, SyncRunContract } from '../../../lib/contracts/sync-run.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { waitFor } from '../../../lib/wait-for.js';
import { SINK_EVENTS, type GroupCommitted, type Sink } from '../../../consumers/sink/sink.js';
import { disposeTestWarehouse } from '../../helpers/warehouse.js';
import { testKafka, type TestKafka } from '../../helpers/kafka.js';
import { cafe24Category, cafe24Order, cafe24Product, encodeRawResult, expectedCafe24Rows, rawResult } from '../../fixtures/sink-records.js';
import { counts, migratedWarehouse, testSink, waitForCommittedEnd, withZeros } from './helpers.js';

describe('sink: raw.results and sync.runs into ClickHouse', function () {
  this.timeout(90_000);
  let kafka: TestKafka;
  let warehouse: Warehouse;
  let sink: Sink | undefined;

  beforeEach(async function () {
    kafka = await testKafka('sink');
    await kafka.createTopics('all');
    warehouse = await migratedWarehouse();
  });

  afterEach(async function () {
    await sink?.stop();
    sink = undefined;
    await kafka.close();
    await disposeTestWarehouse(warehouse);
  });

  it('lands every record once per table, commits after the warehouse took it, and maps runs to sync_runs and freshness', async function () {
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c', 'tenant-d'];
    const orders = Array.from({ length: 1_200 }, (_, i) => cafe24Order(i));
    const products = Array.from({ length: 300 }, (_, i) => cafe24Product(i + 1));
    const categories = Array.from({ length: 40 }, (_, i) => cafe24Category(i + 2));
    const messages = [];
    for (let i = 0; i < orders.length; i += 100) {
      const tenant = tenants[(i / 100) % tenants.length]!;
      messages.push({ key: tenant, value: encodeRawResult(rawResult(tenant, 'orders', orders.slice(i, i + 100), { chunk: i / 100 })) });
    }
    messages.push({ key: 'tenant-a', value: encodeRawResult(rawResult('tenant-a', 'products', products)) });
    messages.push({ key: 'tenant-b', value: encodeRawResult(rawResult('tenant-b', 'categories', categories)) });
    await kafka.produce(RAW_RESULTS_TOPIC, messages);
    await kafka.produce(SYNC_RUNS_TOPIC, tenants.map((tenant, i) => ({
      key: tenant,
      value: SyncRunContract.encode({
        v: 1, requestId: `request-${tenant}`, attempt: 1, tenantId: tenant, platform: 'cafe24', status: 'succeeded',
        startedAt: new Date(Date.now() - 3_600_000).toISOString(), durationMs: 1200 + i, counts: { orders: 300 },
        dataAsOf: { orders: '2026-11-30T09:59:00+09:00', products: '2026-11-30T09:58:00+09:00' },
      }),
    })));

    const committed: GroupCommitted[] = [];
    sink = testSink(kafka, warehouse);
    sink.events.on(SINK_EVENTS.GROUP_COMMITTED, (g) => committed.push(g));
    await sink.start();
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
    await waitForCommittedEnd(kafka, SYNC_RUNS_TOPIC);

    const expected = withZeros({ ...expectedCafe24Rows({ orders, products, categories }), sync_runs: 4, freshness: 8 });
    // Without FINAL too: each batch was inserted exactly once, nothing waits for a merge to disappear.
    assert.deepEqual(await counts(warehouse, { final: false }), expected);
    assert.deepEqual(await counts(warehouse, { final: true }), expected);
    assert.ok(committed.length >= 2, 'several flush groups (batchRows 2000)');
    assert.ok(committed.some((g) => g.members.length > 1), 'a flush group spans partitions');
    assert.equal(committed.reduce((sum, b) => sum + b.rows, 0), Object.values(expected).reduce((a, b) => a + b, 0));

    const [run] = await warehouse.query<{ status: string; counts: Record<string, string>; data_as_of: Record<string, string> }>(
      "SELECT status, counts, data_as_of FROM sync_runs FINAL WHERE tenant_id = 'tenant-a'",
    );
    assert.equal(run?.status, 'succeeded');
    assert.equal(Number(run?.counts.orders), 300);
    assert.equal(run?.data_as_of.orders, '2026-11-30 09:59:00.000');
    const fresh = await warehouse.query<{ entity: string; as_of: string }>(
      "SELECT entity, toString(as_of) AS as_of FROM freshness FINAL WHERE tenant_id = 'tenant-b' ORDER BY entity",
    );
    assert.deepEqual(fresh, [{ entity: 'orders', as_of: '2026-11-30 09:59:00.000' }, { entity: 'products', as_of: '2026-11-30 09:58:00.000' }]);
  });

  it('keeps buyers out of every table, raw_records included: only a stable salted hash remains', async function () {
    const secrets = ['kim.minji', '김민지', 'example.com', '010-1234-5678', '테헤란로', '06236', '문 앞에', '110-222-333333'];
    const order: Record<string, unknown> = {
      ...cafe24Order(7),
      member_id: 'kim.minji', member_email: 'kim.minji@example.com', billing_name: '김민지',
      buyer: { name: '김민지', email: 'kim.minji@example.com', cellphone: '010-1234-5678', buyer_address1: '서울 강남구 테헤란로 1', buyer_zipcode: '06236' },
      receivers: [{ name: '김민지', cellphone: '010-1234-5678', address1: '서울 강남구 테헤란로 1', zipcode: '06236', shipping_message: '문 앞에 놔주세요' }],
    };
    (order.items as Record<string, unknown>[])[0]!.refund_bank_account_no = '110-222-333333';
    const again = { ...structuredClone(order), order_id: 'second-order' };
    await kafka.produce(RAW_RESULTS_TOPIC, [{ key: 'tenant-p', value: encodeRawResult(rawResult('tenant-p', 'orders', [order, again])) }]);
    sink = testSink(kafka, warehouse);
    await sink.start();
    await waitFor(async () => (await counts(warehouse, { final: false })).orders === 2, { deadlineMs: 30_000, description: 'the orders' });
    for (const table of ['orders', 'order_items', 'raw_records']) {
      const text = JSON.stringify(await warehouse.query(`SELECT * FROM ${table}`));
      for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} must not reach ${table}`);
    }
    const hashes = await warehouse.query<{ buyer_hash: string }>('SELECT DISTINCT buyer_hash FROM orders');
    assert.equal(hashes.length, 1, 'the same buyer hashes alike');
    assert.match(hashes[0]!.buyer_hash, /^[0-9a-f]{32}$/);
    const [raw] = await warehouse.query<{ payload: string }>("SELECT payload FROM raw_records WHERE source_id = '1:second-order'");
    assert.equal(JSON.parse(raw!.payload).buyer_hash, hashes[0]!.buyer_hash, 'the stored payload keeps the hash, so it still maps');
  });
});
