/**
 * Back-pressure: the warehouse fails for a while mid-run with a real engine error (the target table DETACHed in
 * the embedded engine: inserts fail with UNKNOWN_TABLE, a retriable class), then comes back (ATTACH). The sink
 * must not crash, must not commit past what landed while it fails, must stop fetching, and must catch up with
 * every row exactly once.
 */
import assert from 'node:assert/strict';
import { RAW_RESULTS_TOPIC } from '../../../lib/contracts/raw-result.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { WarehouseRetriableError } from '../../../lib/warehouse/parse-error.js';
import { waitFor } from '../../../lib/wait-for.js';
import { SINK_EVENTS, type Sink } from '../../../consumers/sink/sink.js';
import { disposeTestWarehouse } from '../../helpers/warehouse.js';
import { testKafka, type TestKafka } from '../../helpers/kafka.js';
import { cafe24Order, encodeRawResult, expectedCafe24Rows, rawResult } from '../../fixtures/sink-records.js';
import { counts, migratedWarehouse, testSink, waitForCommittedEnd, withZeros } from './helpers.js';

describe('sink: the warehouse fails mid-run', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let warehouse: Warehouse;
  let sink: Sink | undefined;

  beforeEach(async function () {
    kafka = await testKafka('outage');
    await kafka.createTopics('all');
    warehouse = await migratedWarehouse();
  });

  afterEach(async function () {
    await sink?.stop();
    sink = undefined;
    await warehouse.command('ATTACH TABLE IF NOT EXISTS orders').catch(() => undefined);
    await kafka.close();
    await disposeTestWarehouse(warehouse);
  });

  const produceOrders = async (from: number, count: number) => {
    const orders = Array.from({ length: count }, (_, i) => cafe24Order(from + i));
    for (let i = 0; i < count; i += 50) {
      const tenant = `tenant-${(i / 50) % 5}`;
      await kafka.produce(RAW_RESULTS_TOPIC, [{ key: tenant, value: encodeRawResult(rawResult(tenant, 'orders', orders.slice(i, i + 50))) }]);
    }
    return orders;
  };

  const committedOffsets = async () => {
    const [topic] = await kafka.admin.fetchOffsets({ groupId: kafka.topic('sink'), topics: [kafka.topic(RAW_RESULTS_TOPIC)] });
    return Object.fromEntries((topic?.partitions ?? []).map((p) => [p.partition, p.offset]));
  };

  it('pauses, retries with backoff, keeps its place, and catches up without loss or duplicates', async function () {
    const failures: unknown[] = [];
    let recovered = 0;
    sink = testSink(kafka, warehouse);
    sink.events.on(SINK_EVENTS.WAREHOUSE_UNAVAILABLE, ({ error }) => failures.push(error));
    sink.events.on(SINK_EVENTS.WAREHOUSE_AVAILABLE, () => (recovered += 1));
    await sink.start();

    const first = await produceOrders(0, 600);
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);

    await warehouse.command('DETACH TABLE orders');
    const before = await committedOffsets();
    const second = await produceOrders(600, 1_200);
    await waitFor(() => failures.length >= 4, { deadlineMs: 30_000, description: 'several failed insert attempts' });
    assert.ok(failures.every((e) => e instanceof WarehouseRetriableError && e.type === 'UNKNOWN_TABLE'), 'a real engine error, classed retriable');
    assert.deepEqual(await committedOffsets(), before, 'nothing is committed while the warehouse refuses');
    assert.equal(sink.state, 'running', 'the sink does not crash');
    assert.equal(sink.paused().length, Object.keys(sink.committed()).length, 'every partition paused: no fetching while nothing can land');

    await warehouse.command('ATTACH TABLE orders');
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
    assert.equal(recovered, 1);
    const expected = withZeros(expectedCafe24Rows({ orders: [...first, ...second] }));
    assert.deepEqual(await counts(warehouse, { final: false }), expected);
    assert.deepEqual(await counts(warehouse, { final: true }), expected);
  });
});
