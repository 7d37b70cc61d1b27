/**
 * Every way a message or record can be bad, through the running sink: each ends in sink.dlq with its reason and
 * original bytes, or as a clamped row flagged in `extra`; its siblings land, and the partition moves on (a good
 * message produced after all of them, on the same partition, lands too).
 */
import assert from 'node:assert/strict';
import { CompressionTypes } from '../../../lib/kafka/kafkajs.js';
import { RAW_RESULTS_TOPIC, RawResultContract, type RawResult } from '../../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC } from '../../../lib/contracts/sync-run.js';
import type { DlqEntry } from '../../../lib/contracts/dlq.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import type { Sink } from '../../../consumers/sink/sink.js';
import { disposeTestWarehouse } from '../../helpers/warehouse.js';
import { testKafka, type TestKafka } from '../../helpers/kafka.js';
import { cafe24Order, encodeRawResult, rawResult } from '../../fixtures/sink-records.js';
import { cafe24Mapper } from '../../../consumers/cafe24/mapping.js';
import type { PlatformMapper } from '../../../lib/model/mapper.js';
import { cafe24ModelsWith } from '../../helpers/models.js';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';
import { ROWS_HEADER } from '../../../lib/model/edge-rows.js';
import { createFetchedChunks } from '../../../lib/sync/fetched-chunks.js';
import { counts, migratedWarehouse, readDlq, testSink, waitForCommittedEnd, withZeros } from './helpers.js';

const TENANT = 'tenant-bad';

describe('sink: bad input', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let warehouse: Warehouse;
  let sink: Sink | undefined;
  let dlq: DlqEntry[];
  const fetchedAt = '2026-11-30T01:00:00.000Z';

  before(async function () {
    kafka = await testKafka('bad');
    await kafka.createTopics('all');
    warehouse = await migratedWarehouse();

    const good = (seq: number) => cafe24Order(seq, { items: 2 });
    const negative = good(2);
    (negative.items as Record<string, unknown>[])[1]!.quantity = -3;
    const farFuture: Record<string, unknown> = { ...good(3), order_date: '9999-12-31T23:59:59+09:00' };
    (farFuture.items as Record<string, unknown>[])[0]!.shipped_date = '9999-01-01T00:00:00+09:00';
    const absurdAmount = { ...good(4), payment_amount: '99999999999999999999.00', initial_order_amount: undefined, actual_order_amount: undefined };
    const huge = { ...good(5), memo: '가'.repeat(4 * 1024 * 1024) }; // ~12 MB of UTF-8, 4 M chars of JSON
    const wrongVersion = { ...rawResult(TENANT, 'orders', [good(6)]), v: 2 } as unknown as RawResult;

    // One partition (one key), in this order; the last message is good and must land after all the bad ones.
    const producer = kafka.kafka.producer();
    await producer.connect();
    const send = (value: Buffer | string | null, topic = RAW_RESULTS_TOPIC) => producer.send({
      topic: kafka.topic(topic), compression: CompressionTypes.GZIP, messages: [{ key: TENANT, value }],
    });
    await send('{"v":1,"requestId":"broken-json-1","records":[');
    await send(Buffer.from(JSON.stringify(wrongVersion)));
    await send(null);
    await send(encodeRawResult(rawResult(TENANT, 'coupons', [{ coupon_no: 1 }])));
    await send(encodeRawResult(rawResult(TENANT, 'goods', [{ sno: 1 }], { platform: 'ably' })));
    await send(encodeRawResult(rawResult(TENANT, 'orders', [good(1), negative, farFuture, absurdAmount, huge], { fetchedAt })));
    await send('{"v":1,"tenantId":"x"}', SYNC_RUNS_TOPIC);
    await send(encodeRawResult(rawResult(TENANT, 'orders', [good(7)], { fetchedAt })));
    await producer.disconnect();

    // Cafe24 alone is registered, so the Ably RawResult meets a sink that has no mapper for its platform.
    sink = testSink(kafka, warehouse, { registry: cafe24ModelsWith(cafe24Mapper) });
    await sink.start();
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
    await waitForCommittedEnd(kafka, SYNC_RUNS_TOPIC);
    dlq = await readDlq(kafka);
  });

  after(async function () {
    await sink?.stop();
    await kafka.close();
    await disposeTestWarehouse(warehouse);
  });

  const entry = (pattern: RegExp) => {
    const found = dlq.find((e) => pattern.test(e.reason));
    assert.ok(found, `a DLQ entry matching ${pattern}; got: ${dlq.map((e) => e.reason.slice(0, 100)).join(' | ')}`);
    return found;
  };

  it('malformed JSON → DLQ (CONTRACT) with the original bytes', function () {
    const found = entry(/malformed JSON/);
    assert.equal(found.errorClass, 'CONTRACT');
    assert.equal(Buffer.from(found.value, 'base64').toString(), '{"v":1,"requestId":"broken-json-1","records":[');
    assert.equal(found.source.topic, RAW_RESULTS_TOPIC);
    assert.equal(found.source.key, TENANT);
  });

  it('a wrong schema version → DLQ (CONTRACT)', function () {
    assert.equal(entry(/unsupported version 2/).errorClass, 'CONTRACT');
  });

  it('an empty message (tombstone) → DLQ', function () {
    assert.equal(entry(/empty message/).errorClass, 'CONTRACT');
  });

  it('an unknown entity, and a platform without a mapper → DLQ (UNKNOWN_ENTITY), replayable after a mapper fix', function () {
    assert.equal(entry(/knows no entity "coupons"/).errorClass, 'UNKNOWN_ENTITY');
    const ably = entry(/no mapper is registered for platform ably/);
    assert.equal(ably.errorClass, 'UNKNOWN_ENTITY');
    assert.equal(RawResultContract.decode(Buffer.from(ably.value, 'base64')).ok, true, 'the original RawResult, intact');
  });

  it('a negative quantity → that order to the DLQ (RECORD_REJECTED) as a one-record RawResult; its siblings land', async function () {
    const found = entry(/quantity is negative/);
    assert.equal(found.errorClass, 'RECORD_REJECTED');
    const single = RawResultContract.decode(Buffer.from(found.value, 'base64'));
    assert.ok(single.ok);
    assert.equal(single.value.records.length, 1);
    assert.equal((single.value.records[0] as { order_id: string }).order_id, cafe24Order(2).order_id);
    const ids = (await warehouse.query<{ order_id: string }>('SELECT order_id FROM orders FINAL ORDER BY order_id')).map((r) => r.order_id);
    assert.ok(!ids.includes(cafe24Order(2).order_id as string));
    assert.ok(ids.includes(cafe24Order(1).order_id as string));
  });

  it('a date in year 9999 → a clamped row, flagged: required times become the fetch time, optional ones null', async function () {
    const [row] = await warehouse.query<{ ordered_at: string; extra: string }>(
      `SELECT toString(ordered_at, 'UTC') AS ordered_at, extra FROM orders FINAL WHERE order_id = '${cafe24Order(3).order_id}'`,
    );
    assert.equal(row?.ordered_at, '2026-11-30 01:00:00.000');
    const extra = JSON.parse(row!.extra) as { _anomalies: string[]; _original: Record<string, string> };
    assert.deepEqual(extra._anomalies, ['order_date']);
    assert.equal(extra._original.order_date, '9999-12-31T23:59:59+09:00');
    const items = await warehouse.query<{ shipped_at: string | null; extra: string }>(
      `SELECT shipped_at, extra FROM order_items FINAL WHERE order_id = '${cafe24Order(3).order_id}' ORDER BY item_id`,
    );
    assert.equal(items[0]?.shipped_at, null);
    assert.deepEqual(JSON.parse(items[0]!.extra)._anomalies, ['items[0].shipped_date']);
  });

  it('an absurd amount → DLQ (RECORD_REJECTED, out of range)', function () {
    assert.equal(entry(/payment_amount: amount 99999999999999999999.00 is out of range/).errorClass, 'RECORD_REJECTED');
  });

  it('a record over maxRecordBytes (a 10 MB order) → DLQ (RECORD_TOO_LARGE) holding the whole record', function () {
    const found = entry(/exceeds the 1048576 limit/);
    assert.equal(found.errorClass, 'RECORD_TOO_LARGE');
    const single = RawResultContract.decode(Buffer.from(found.value, 'base64'));
    assert.ok(single.ok);
    assert.equal((single.value.records[0] as { memo: string }).memo.length, 4 * 1024 * 1024);
  });

  it('a malformed sync.runs event → DLQ', function () {
    const found = entry(/SyncRun: /);
    assert.equal(found.source.topic, SYNC_RUNS_TOPIC);
  });

  it('moves on: the good records land, the message after all the bad ones too, and nothing else', async function () {
    const landed = await counts(warehouse, { final: true });
    // good(1), the clamped good(3) and good(7): three orders of two items.
    assert.equal(landed.orders, 3);
    assert.equal(landed.order_items, 6);
    assert.equal(landed.raw_records, 3);
    assert.equal(dlq.length, 9);
  });
});

describe('sink: a batch the warehouse refuses', function () {
  this.timeout(60_000);

  it('re-inserts the table message by message: only the refused message goes to the DLQ, the rest land once', async function () {
    const kafka = await testKafka('refused');
    await kafka.createTopics('all');
    const warehouse = await migratedWarehouse();
    const buggy = buggyOrders();
    const sink = testSink(kafka, warehouse, { registry: cafe24ModelsWith(buggy), batchRows: 100_000, batchAgeMs: 2_000 });
    try {
      const messages = [1, 9, 1, 1].map((shopNo, i) => ({
        key: TENANT, value: encodeRawResult(rawResult(TENANT, 'orders', [cafe24Order(100 + i, { shopNo, items: 1 })])),
      }));
      await kafka.produce(RAW_RESULTS_TOPIC, messages);
      await sink.start();
      await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
      const dlq = await readDlq(kafka);
      assert.equal(dlq.length, 1);
      assert.match(dlq[0]!.reason, /the warehouse refused its orders rows/);
      assert.equal(dlq[0]!.errorClass, 'WAREHOUSE_REJECTED');
      assert.equal(dlq[0]!.source.offset, '1');
      // The refused message's other tables landed with the batch; its orders row did not.
      assert.deepEqual(await counts(warehouse, { final: false }), withZeros({ orders: 3, order_items: 4, raw_records: 4 }));
    } finally {
      await sink.stop();
      await kafka.close();
      await disposeTestWarehouse(warehouse);
    }
  });

  it('does the same when the other messages carry edge rows: their RowBinary lands message by message too', async function () {
    const kafka = await testKafka('refused-edge');
    await kafka.createTopics('all');
    const warehouse = await migratedWarehouse();
    const sink = testSink(kafka, warehouse, { registry: cafe24ModelsWith(buggyOrders()), batchRows: 100_000, batchAgeMs: 2_000 });
    try {
      // Shop 1's chunks come mapped at the edge (a consumer with the correct mapper); shop 9's without, so the
      // sink's buggy mapper maps it, and the table's one insert (RowBinary and that object row) is refused.
      const edge = { model: cafe24ModelsWith(cafe24Mapper).get('cafe24')!, hashBuyer: createBuyerHasher('test-salt') };
      const messages = [1, 9, 1, 1].map((shopNo, i) => {
        const fetched = createFetchedChunks({ requestId: `edge-request-${i}`, tenantId: TENANT, platform: 'cafe24' }, shopNo === 9 ? {} : { edge });
        fetched.add('orders', [cafe24Order(200 + i, { shopNo, items: 1 })]);
        const [chunk] = fetched.entities()[0]!.chunks;
        assert.equal(chunk!.rows === undefined, shopNo === 9);
        const headers: Record<string, Buffer> = chunk!.rows ? { [ROWS_HEADER]: chunk!.rows } : {};
        return { key: TENANT, value: chunk!.value, headers };
      });
      await kafka.produce(RAW_RESULTS_TOPIC, messages);
      await sink.start();
      await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC);
      const dlq = await readDlq(kafka);
      assert.equal(dlq.length, 1);
      assert.match(dlq[0]!.reason, /the warehouse refused its orders rows/);
      assert.equal(dlq[0]!.source.offset, '1');
      assert.equal(Object.hasOwn(dlq[0]!.headers ?? {}, ROWS_HEADER), false);
      assert.deepEqual(await counts(warehouse, { final: false }), withZeros({ orders: 3, order_items: 4, raw_records: 4 }));
      const landed = await warehouse.query<{ kafka_offset: string }>('SELECT kafka_offset FROM orders ORDER BY kafka_offset');
      assert.deepEqual(landed.map((r) => Number(r.kafka_offset)), [0, 2, 3], 'each edge row at its own message\'s offset');
    } finally {
      await sink.stop();
      await kafka.close();
      await disposeTestWarehouse(warehouse);
    }
  });
});

/** A mapper bug: for shop 9 it writes text into a UInt32 column, which the engine cannot parse. */
function buggyOrders(): PlatformMapper {
  return {
    ...cafe24Mapper,
    entities: {
      ...cafe24Mapper.entities,
      orders: {
        ...cafe24Mapper.entities.orders!,
        map: (record, ctx, out) => cafe24Mapper.entities.orders!.map(record, ctx, {
          push: (table, row) => out.push(table, (record as { shop_no: number }).shop_no === 9 && table === 'orders' ? { ...row, item_count: 'many' as unknown as number } : row),
        }),
      },
    },
  };
}
