/**
 * Replay (consumers/sink/replay.ts) against the real broker and engine:
 *   - records DLQ'd by an older mapper land once after the mapper is fixed, and replaying again changes nothing;
 *   - a topic range re-sinks idempotently, filtered by tenant and time: FINAL counts stay put.
 */
import assert from 'node:assert/strict';
import { RAW_RESULTS_TOPIC } from '../../../lib/contracts/raw-result.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { cafe24Mapper } from '../../../consumers/cafe24/mapping.js';
import type { PlatformMapper } from '../../../lib/model/mapper.js';
import { cafe24ModelsWith } from '../../helpers/models.js';
import { RecordRejectedError } from '../../../lib/model/errors.js';
import { replay } from '../../../consumers/sink/replay.js';
import { parseReplayArgs } from '../../../consumers/sink/replay-args.js';
import type { Sink } from '../../../consumers/sink/sink.js';
import { disposeTestWarehouse } from '../../helpers/warehouse.js';
import { testKafka, testLogger, type TestKafka } from '../../helpers/kafka.js';
import { cafe24Category, cafe24Order, encodeRawResult, expectedCafe24Rows, rawResult } from '../../fixtures/sink-records.js';
import { counts, migratedWarehouse, readDlq, testSink, waitForCommittedEnd, withZeros } from './helpers.js';

/** Version 1 of the mapper had two bugs: it refused Naver Checkout orders and did not know categories. */
const { categories: _categories, ...entitiesV1 } = cafe24Mapper.entities;
const mapperV1: PlatformMapper = {
  platform: 'cafe24',
  version: 1,
  entities: {
    ...entitiesV1,
    orders: {
      ...cafe24Mapper.entities.orders!,
      map(record, ctx, out) {
        if ((record as { order_place_id?: string }).order_place_id === 'NCHECKOUT') throw new RecordRejectedError('order_place_id NCHECKOUT is not supported');
        return cafe24Mapper.entities.orders!.map(record, ctx, out);
      },
    },
  },
};
const mapperV2: PlatformMapper = { ...cafe24Mapper, version: 2 };

describe('sink: replay', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let warehouse: Warehouse;
  let sink: Sink | undefined;

  beforeEach(async function () {
    kafka = await testKafka('replay');
    await kafka.createTopics('all');
    warehouse = await migratedWarehouse();
  });

  afterEach(async function () {
    await sink?.stop();
    sink = undefined;
    await kafka.close();
    await disposeTestWarehouse(warehouse);
  });

  const replayWith = (mapper: PlatformMapper, argv: string[]) => replay({
    kafka, warehouse, logger: testLogger(), registry: cafe24ModelsWith(mapper), buyerHashSalt: 'test-salt',
    batchAgeMs: 100, sessionTimeoutMs: 6_000, plan: parseReplayArgs(argv),
  });

  it('lands the DLQ\'d records once after a mapper fix; a second replay changes nothing', async function () {
    const orders: Record<string, unknown>[] = Array.from({ length: 90 }, (_, i) => ({ ...cafe24Order(i), order_place_id: i % 3 === 0 ? 'NCHECKOUT' : 'self' }));
    const categories = Array.from({ length: 12 }, (_, i) => cafe24Category(i + 2));
    const tenants = ['tenant-r1', 'tenant-r2', 'tenant-r3'];
    await kafka.produce(RAW_RESULTS_TOPIC, [
      ...tenants.map((tenant, t) => ({ key: tenant, value: encodeRawResult(rawResult(tenant, 'orders', orders.slice(t * 30, t * 30 + 30))) })),
      { key: 'tenant-r1', value: encodeRawResult(rawResult('tenant-r1', 'categories', categories)) },
    ]);
    sink = testSink(kafka, warehouse, { registry: cafe24ModelsWith(mapperV1) });
    await sink.start();
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
    const dlq = await readDlq(kafka);
    assert.equal(dlq.length, 30 + 1, 'each NCHECKOUT order alone, and the categories message whole');
    const landedV1 = orders.filter((o) => o.order_place_id !== 'NCHECKOUT');
    assert.deepEqual(await counts(warehouse, { final: false }), withZeros(expectedCafe24Rows({ orders: landedV1 })));
    await sink.stop();
    sink = undefined;

    const report = await replayWith(mapperV2, ['--from-dlq']);
    assert.equal(report.tokenNamespace, 'replay:cafe24@2');
    assert.equal(report.dlq, 0, 'nothing fails any more');
    const expected = withZeros(expectedCafe24Rows({ orders, categories }));
    assert.deepEqual(await counts(warehouse, { final: false }), expected, 'every record once, without FINAL');
    assert.deepEqual(await counts(warehouse, { final: true }), expected);
    const [row] = await warehouse.query<{ kafka_offset: string }>(`SELECT kafka_offset FROM orders WHERE order_id = '${String(orders[0]!.order_id)}'`);
    assert.equal(row?.kafka_offset, dlq[0]!.source.offset, 'rows keep the original Kafka position');

    const again = await replayWith(mapperV2, ['--from-dlq']);
    assert.equal(again.rows, 0, 'the same replay again finds its range done');
    const forced = await replayWith(mapperV2, ['--from-dlq', '--run-id', 'second-look']);
    assert.ok(forced.rows > 0, 'a new run id re-sinks');
    assert.deepEqual(await counts(warehouse, { final: true }), expected, 'and FINAL still counts each record once');
  });

  it('re-sinks a time range of raw.results for one tenant, idempotently', async function () {
    const batch = (from: number, tenant: string) => ({ key: tenant, value: encodeRawResult(rawResult(tenant, 'orders', Array.from({ length: 20 }, (_, i) => cafe24Order(from + i)))) });
    await kafka.produce(RAW_RESULTS_TOPIC, [batch(0, 'tenant-x'), batch(100, 'tenant-y')]);
    const between = new Date();
    await kafka.produce(RAW_RESULTS_TOPIC, [batch(200, 'tenant-x'), batch(300, 'tenant-y')]);
    sink = testSink(kafka, warehouse);
    await sink.start();
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
    await sink.stop();
    sink = undefined;
    const before = await counts(warehouse, { final: true });
    const plainBefore = await counts(warehouse, { final: false });

    const report = await replayWith(mapperV2, ['--topic', RAW_RESULTS_TOPIC, '--since', between.toISOString(), '--tenant', 'tenant-x']);
    const oneBatch = expectedCafe24Rows({ orders: Array.from({ length: 20 }, (_, i) => cafe24Order(200 + i)) });
    assert.equal(report.rows, Object.values(oneBatch).reduce((a, b) => a + b, 0), 'exactly tenant-x\'s second batch');
    assert.deepEqual(await counts(warehouse, { final: true }), before, 'FINAL counts unchanged');
    const plainAfter = await counts(warehouse, { final: false });
    assert.equal(plainAfter.orders - plainBefore.orders, 20);
  });
});
