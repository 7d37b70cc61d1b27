/**
 * Rows mapped at the connector edge (lib/model/edge-rows.ts) land exactly what the sink's own mapping of the same
 * message lands, and the sink takes them only when it can vouch for them: otherwise the message goes the full way
 * (parse, privacy check, map), which scrubs and flags a leaked field and gives a rejected record its DLQ entry.
 * No I/O: chunks as a platform consumer writes them (createFetchedChunks), the sink's translator.
 */
import assert from 'node:assert/strict';
import { ablyPrivacy } from '../../../consumers/ably/privacy.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';
import type { Platform } from '../../../lib/contracts/fields.js';
import { isMappedTable, mappedTablePlan, type MappedTable } from '../../../lib/model/columns.js';
import { ROWS_HEADER } from '../../../lib/model/edge-rows.js';
import { scrubRecord } from '../../../lib/model/privacy.js';
import { createModelRegistry, type ModelRegistry } from '../../../lib/model/registry.js';
import { RowBuffer } from '../../../lib/model/row-buffer.js';
import { TABLES } from '../../../lib/model/tables.js';
import { createFetchedChunks } from '../../../lib/sync/fetched-chunks.js';
import { expandRows, RowBinaryRows } from '../../../lib/warehouse/row-binary.js';
import type { DlqItem, SourceMessage } from '../../../consumers/sink/dlq.js';
import { landEdgeRows, type MapOptions } from '../../../consumers/sink/map-raw-result.js';
import { createTranslator } from '../../../consumers/sink/translate.js';
import { cafe24Category, cafe24Order, cafe24Product, cafe24ProductSale } from '../../fixtures/sink-records.js';

const registry = platformModels();
const hashBuyer = createBuyerHasher('fixture-salt');
const options: MapOptions = { hashBuyer, maxRecordBytes: 900 * 1024 };
const FETCHED = new Date(Date.now() - 60_000);

/** The chunks of one emit as a platform consumer writes them: values and their `rows` headers. */
function chunksOf(platform: Platform, entity: string, records: unknown[], models: ModelRegistry = registry) {
  const fetched = createFetchedChunks(
    { requestId: 'edge-request-1', tenantId: 'edge-tenant', platform },
    { edge: { model: models.get(platform)!, hashBuyer }, now: () => FETCHED },
  );
  fetched.add(entity, records);
  return fetched.entities()[0]!.chunks;
}

function message(value: Buffer, rows: Buffer | undefined, offset = 41): SourceMessage {
  return { topic: 'raw.results', partition: 3, offset: String(offset), key: 'edge-tenant', value, headers: rows ? { [ROWS_HEADER]: rows, tenantId: Buffer.from('edge-tenant') } : {} };
}

/**
 * What the sink's translator lands for a message, and whether the short way took it: `tables`, each table's rows as
 * objects (edge rows decoded), and `payloads`, what the insert of each mapped table carries: its RowBinary under the
 * declared plan (edge rows as they came, object rows encoded by the warehouse's encoder), raw_records as objects.
 */
function land(m: SourceMessage, models: ModelRegistry = registry) {
  const out = new RowBuffer();
  const dlq: DlqItem[] = [];
  const short = landEdgeRows(models, m, options, new RowBuffer()) !== undefined;
  createTranslator({ registry: models, ...options })(m, out, dlq);
  const used = TABLES.filter((t) => out.rowsOf(t).length > 0);
  const tables = Object.fromEntries(used.map((t) => [t, expandRows(out.rowsOf(t))]));
  const payloads = Object.fromEntries(used.map((t) => [t, isMappedTable(t) ? payloadOf(t, out.rowsOf(t)) : out.rowsOf(t)]));
  return { short, tables, payloads, dlq };
}

function payloadOf(table: MappedTable, entries: readonly object[]): Buffer {
  const plan = mappedTablePlan(table);
  return Buffer.concat(entries.flatMap((e) => (e instanceof RowBinaryRows ? [e.bytes] : plan.encode([e as Record<string, unknown>]))));
}

const ablyLine = (sno: number) => ({
  sno, order_sno: 900, ea: 2, price: 19_900, status: 'PREPARING', processing_status: 2, ordered_at: '2026-11-28 10:00:00',
  checked_at: '2026-11-28 10:01:00', goods_sno: 100_001, goods_option_sno: 10_000_101, goods_name: '린넨 셔츠', option_info: '블루 / M',
  delivery_type: 'standard', exact_amount: 37_800, exact_coupon_discount: 2_000, exact_emoney_discount: 0, pay_method_name: '카드',
  buyer_name: '홍길동', receiver_addr: '서울시 강남구', invoice: '123456789', user_sno: 55,
});

/** An Ably order as its connector emits it: scrubbed by the Ably policy. */
function ablyOrder(): Record<string, unknown> {
  const order = { order_sno: 900, ordered_at: '2026-11-28 10:00:00', buyer_key: '55', order_items: [ablyLine(1), ablyLine(2)] };
  scrubRecord(ablyPrivacy, 'orders', order, (id) => hashBuyer('ably', 'edge-tenant', id));
  return order;
}

describe('sink: rows mapped at the connector edge', () => {
  const cases: [Platform, string, () => unknown[]][] = [
    ['cafe24', 'orders', () => Array.from({ length: 150 }, (_, i) => cafe24Order(i + 1))],
    ['cafe24', 'products', () => Array.from({ length: 40 }, (_, i) => cafe24Product(i + 1))],
    ['cafe24', 'categories', () => Array.from({ length: 12 }, (_, i) => cafe24Category(i + 2))],
    ['cafe24', 'productsales', () => Array.from({ length: 30 }, (_, i) => cafe24ProductSale(i))],
    ['ably', 'orders', () => [ablyOrder()]],
  ];
  for (const [platform, entity, records] of cases) {
    it(`lands the same rows as the sink's own mapping, without parsing: ${platform} ${entity}`, () => {
      const chunks = chunksOf(platform, entity, records());
      assert.ok(chunks.length >= 1);
      chunks.forEach(({ value, rows }, i) => {
        assert.ok(rows, `chunk ${i} carries its rows`);
        const edge = land(message(value, rows, 100 + i));
        const full = land(message(value, undefined, 100 + i));
        assert.equal(edge.short, true, 'the short way took it');
        assert.equal(full.short, false);
        assert.deepEqual(edge.dlq, []);
        assert.deepEqual(Object.keys(edge.payloads), Object.keys(full.payloads));
        for (const table of Object.keys(full.payloads)) assert.deepEqual(edge.payloads[table], full.payloads[table], table);
        assert.ok((edge.tables.raw_records as unknown[]).length > 0);
      });
    });
  }

  it('stamps each row with the message position, not the edge placeholder', () => {
    const { value, rows } = chunksOf('cafe24', 'orders', [cafe24Order(7)])[0]!;
    const { tables } = land(message(value, rows, 2 ** 33 + 9_876));
    for (const table of ['orders', 'order_items', 'raw_records']) {
      for (const row of tables[table] as Record<string, unknown>[]) assert.deepEqual([row.kafka_partition, row.kafka_offset], [3, 2 ** 33 + 9_876], table);
    }
  });

  it('sends a chunk whose text still holds a personal key the full way: scrubbed, flagged, never stored in clear', () => {
    const leaked = cafe24Order(3);
    leaked.buyer_name = 'CANARY-홍길동';
    const { value, rows } = chunksOf('cafe24', 'orders', [cafe24Order(2), leaked])[0]!;
    assert.ok(rows, 'the edge mapped it (the leak is the connector bug the sink guards against)');
    const { short, tables } = land(message(value, rows));
    assert.equal(short, false);
    const stored = JSON.stringify(tables, (_, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('utf8') : v));
    assert.ok(!stored.includes('CANARY'), 'the canary reached a row');
    assert.ok(stored.includes('buyer_name'), 'the flag names the scrubbed field');
  });

  it('sends a chunk the full way when the sink runs another mapper version', () => {
    const { value, rows } = chunksOf('cafe24', 'products', [cafe24Product(5)])[0]!;
    const cafe24 = registry.get('cafe24')!;
    const newer = createModelRegistry([{ ...cafe24, mapper: { ...cafe24.mapper, version: cafe24.mapper.version + 1 } }]);
    const { short, tables } = land(message(value, rows), newer);
    assert.equal(short, false);
    assert.equal((tables.products as unknown[]).length, 1);
  });

  it('sends a chunk the full way when its header was written under other column types, or its lengths do not add up', () => {
    const { value, rows } = chunksOf('cafe24', 'orders', [cafe24Order(30), cafe24Order(31)])[0]!;
    const otherTypes = Buffer.from(rows!);
    otherTypes[5] = otherTypes[5]! ^ 0xff; // the columns fingerprint
    for (const header of [otherTypes, rows!.subarray(0, rows!.length - 1), Buffer.concat([rows!, Buffer.from([0])])]) {
      const { short, tables, dlq } = land(message(value, header));
      assert.equal(short, false);
      assert.deepEqual(dlq, []);
      assert.equal((tables.orders as unknown[]).length, 2);
    }
  });

  it('writes no rows header when a cell is one the strict encoder refuses, and the sink maps the chunk itself', () => {
    const cafe24 = registry.get('cafe24')!;
    const orders = cafe24.mapper.entities.orders!;
    // A mapper whose order rows carry an item count no UInt32 holds: RowBinary would have to wrap it.
    const huge = createModelRegistry([{ ...cafe24, mapper: { ...cafe24.mapper, entities: { ...cafe24.mapper.entities, orders: {
      map: (record, ctx, out) => orders.map(record, ctx, { push: (table, row) => out.push(table, table === 'orders' ? { ...row, item_count: 2 ** 40 } as never : row) }),
    } } } }]);
    const [chunk] = chunksOf('cafe24', 'orders', [cafe24Order(40)], huge);
    assert.equal(chunk!.rows, undefined);
    const out = new RowBuffer();
    createTranslator({ registry: huge, ...options })(message(chunk!.value, undefined), out, []);
    assert.deepEqual(out.rowsOf('orders').map((row) => (row as { item_count: number }).item_count), [2 ** 40]);
  });

  it('writes no rows header for a chunk with a record the mapper rejects, so the sink DLQs that record with its reason', () => {
    const bad = cafe24Order(11);
    bad.items = 'not a list';
    const { value, rows } = chunksOf('cafe24', 'orders', [cafe24Order(10), bad])[0]!;
    assert.equal(rows, undefined);
    const { tables, dlq } = land(message(value, rows));
    assert.equal((tables.orders as unknown[]).length, 1);
    assert.equal(dlq.length, 1);
    assert.match(dlq[0]!.reason, /record 1 of orders chunk 0: items: expected an array/);
  });

  it('refuses a header whose records do not match the message, and keeps rows headers out of DLQ entries', () => {
    const [first] = chunksOf('cafe24', 'orders', [cafe24Order(20), cafe24Order(21)]);
    const [other] = chunksOf('cafe24', 'orders', [cafe24Order(22)]);
    const { short, tables } = land(message(first!.value, other!.rows));
    assert.equal(short, false, 'a header for 1 record on a chunk of 2');
    assert.equal((tables.orders as unknown[]).length, 2);
    const broken = land(message(Buffer.from('{"v":1,"records":['), first!.rows));
    assert.equal(broken.short, false);
    assert.equal(broken.dlq.length, 1);
    assert.deepEqual(Object.keys(broken.dlq[0]!.headers), ['tenantId']);
  });
});
