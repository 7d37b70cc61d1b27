/** The Cafe24 mapper without I/O: reference-shaped records in, rows out (through mapRawResult, as the sink calls it). */
import assert from 'node:assert/strict';
import { cafe24Mapper, itemStatus, orderStatus } from '../../../consumers/cafe24/mapping.js';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';
import { mapRawResult, type MapOutcome } from '../../../consumers/sink/map-raw-result.js';
import { platformModels } from '../../../consumers/platforms.js';
import { cafe24Privacy } from '../../../consumers/cafe24/privacy.js';
import { recordContextOf } from '../../../lib/model/mapper.js';
import { scrubRecord } from '../../../lib/model/privacy.js';
import { RowBuffer } from '../../../lib/model/row-buffer.js';
import type { CategoryRow, OrderItemRow, OrderRow, ProductRow, RawRecordRow, TableName } from '../../../lib/model/tables.js';
import { readList, type FieldTree } from '../../../lib/json-fields.js';
import { cafe24ApiOrder, cafe24Category, cafe24Order, cafe24Product, rawResult } from '../../fixtures/sink-records.js';

const registry = platformModels();
const position = { topic: 'raw.results', partition: 2, offset: '41' };

function map(entity: string, records: unknown[], salt = 'salt'): { out: RowBuffer; outcome: MapOutcome; rows: <T>(table: TableName) => T[] } {
  const out = new RowBuffer();
  const outcome = mapRawResult(registry, rawResult('tenant-1', entity, records, { requestId: 'request-0001', fetchedAt: '2026-11-30T01:00:00.000Z' }), undefined, position, {
    hashBuyer: createBuyerHasher(salt), maxRecordBytes: 1024 * 1024,
  }, out);
  return { out, outcome, rows: <T>(table: TableName) => out.rowsOf(table) as T[] };
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
/** JSON.stringify replacer: byte cells (raw_records.payload) as their text, so a search of the rows sees it. */
const asText = (_key: string, value: unknown) =>
  value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' ? text(Buffer.from((value as { data: number[] }).data)) : value;

const fixedOrder = () => ({
  shop_no: 1, currency: 'KRW', order_id: '20260110-0000031', member_id: 'buyer01', member_email: 'buyer01@example.com', billing_name: '홍길동',
  order_date: '2026-01-10T09:12:44+09:00', payment_date: '2026-01-10T09:13:02+09:00', paid: 'T', canceled: 'F',
  order_place_id: 'self', payment_method: ['card', 'point'], payment_amount: '40000.00',
  initial_order_amount: { order_price_amount: '39500.00', shipping_fee: '2500.00', coupon_discount_price: '1000.00', points_spent_amount: '1000.00', payment_amount: '40000.00' },
  actual_order_amount: { order_price_amount: '19750.00', shipping_fee: '2500.00', payment_amount: '20250.00' },
  items: [
    { item_no: 1, order_item_code: '20260110-0000031-01', product_no: 12, variant_code: 'P000000L000A', product_name: 'Linen shirt',
      option_value: 'Color=Blue', product_price: '19750.00', option_price: '0.00', quantity: 1, order_status: 'N40',
      shipped_date: '2026-01-11T10:00:00+09:00', delivered_date: '2026-01-12T10:00:00+09:00', payment_amount: null },
    { item_no: 2, order_item_code: '20260110-0000031-02', product_no: '13', variant_code: 'P000000M000B', product_name: 'Linen pants',
      option_value: 'Size=M', product_price: 9000, option_price: '875.00', quantity: '2', order_status: 'C40', coupon_discount_price: '500.00',
      cancel_date: '2026-01-10T12:00:00+09:00', payment_amount: '19250.00' },
  ],
});

describe('cafe24 mapping', () => {
  it('maps an order with embedded items to one orders row and one order_items row per item, money exact', () => {
    const { outcome, rows } = map('orders', [fixedOrder()]);
    // An order straight from the API, not through the connector: the sink's privacy check scrubs it and says so.
    assert.deepEqual(outcome, { ok: true, landed: 1, failures: [], scrubbed: 1 });
    const [order] = rows<OrderRow>('orders');
    assert.deepEqual(JSON.parse(order!.extra)._anomalies, ['privacy:member_id', 'privacy:member_email', 'privacy:billing_name']);
    assert.equal(order?.order_id, '20260110-0000031');
    assert.equal(order?.ordered_at, String(Date.UTC(2026, 0, 10, 0, 12, 44) / 1000) + '.000');
    assert.equal(order?.order_amount, '39500.00');
    assert.equal(order?.discount_amount, '2000.00', 'coupons and points together');
    assert.equal(order?.shipping_fee, '2500.00');
    assert.equal(order?.payment_amount, '40000.00');
    assert.equal(order?.refund_amount, '19750.00', 'initial minus actual payment');
    assert.equal(order?.payment_method, 'card,point');
    assert.equal(order?.status, 'delivered', 'the live item\'s status: the other is cancelled');
    assert.equal(order?.source_status, 'C40,N40');
    assert.equal(order?.item_count, 2);
    assert.equal(order?.kafka_partition, 2);
    assert.equal(order?.kafka_offset, 41);
    assert.equal(order?.source_updated_at, order?.fetched_at, 'orders have no update time: the fetch time versions them');

    const items = rows<OrderItemRow>('order_items');
    assert.deepEqual(items.map((i) => [i.item_id, i.product_id, i.quantity, i.unit_price, i.discount_amount, i.payment_amount, i.status]), [
      ['20260110-0000031-01', '12', 1, '19750.00', '0.00', '19750.00', 'delivered'],
      ['20260110-0000031-02', '13', 2, '9875.00', '500.00', '19250.00', 'cancelled'],
    ]);
    assert.equal(JSON.parse(items[0]!.extra).payment_amount_derived, true);
    assert.equal(items[0]?.ordered_at, order?.ordered_at, 'same partition as its order');
    assert.notEqual(items[0]?.shipped_at, null);
    assert.equal(items[1]?.shipped_at, null);
  });

  it('hashes the buyer (stable per salt, tenant and platform) and keeps PII out of rows and the stored payload', () => {
    const first = map('orders', [fixedOrder()]);
    const again = map('orders', [fixedOrder()]);
    const otherSalt = map('orders', [fixedOrder()], 'another-salt');
    const hash = first.rows<OrderRow>('orders')[0]!.buyer_hash;
    assert.match(hash, /^[0-9a-f]{32}$/);
    assert.equal(again.rows<OrderRow>('orders')[0]!.buyer_hash, hash);
    assert.notEqual(otherSalt.rows<OrderRow>('orders')[0]!.buyer_hash, hash);
    const [raw] = first.rows<RawRecordRow>('raw_records');
    const everything = JSON.stringify([...first.out.tables()].map((t) => first.out.rowsOf(t)), asText);
    for (const secret of ['buyer01', '홍길동', 'example.com']) assert.ok(!everything.includes(secret), secret);
    assert.equal(JSON.parse(text(raw!.payload)).buyer_hash, hash);
    assert.equal(raw?.source_id, '1:20260110-0000031');

    // A stored payload maps again to the same buyer hash (replays from raw_records).
    const remapped = map('orders', [JSON.parse(text(raw!.payload))]);
    assert.equal(remapped.rows<OrderRow>('orders')[0]!.buyer_hash, hash);
    assert.equal(map('orders', [{ ...fixedOrder(), member_id: '' }]).rows<OrderRow>('orders')[0]!.buyer_hash, '', 'a guest has no hash');
    // The Cafe24 connector strips PII itself and sends its own hash (consumers/cafe24/privacy.ts): taken as is.
    const fromConnector = { ...fixedOrder(), member_id: undefined, member_email: undefined, billing_name: undefined, buyer_hash: 'c0ffee' };
    assert.equal(map('orders', [fromConnector]).rows<OrderRow>('orders')[0]!.buyer_hash, 'c0ffee');
  });

  it('rejects a record with a negative quantity and rolls back all its rows; its siblings land', () => {
    const bad = fixedOrder();
    bad.items[1]!.quantity = -1;
    const { outcome, out } = map('orders', [cafe24Order(1), bad, cafe24Order(2)]);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.failures.map((f) => [f.index, f.errorClass, f.reason]), [[1, 'RECORD_REJECTED', 'items[1].quantity is negative (-1)']]);
    assert.equal(outcome.landed, 2);
    assert.equal(out.rowsOf('orders').length, 2);
    assert.equal(out.rowsOf('raw_records').length, 2);
    assert.ok(out.rowsOf('order_items').every((i) => (i as OrderItemRow).order_id !== bad.order_id), 'no half order');
  });

  it('rejects what it cannot read: a missing id, unreadable money, a non-object', () => {
    const { outcome } = map('orders', [{ ...fixedOrder(), order_id: undefined }, { ...fixedOrder(), payment_amount: 'free', initial_order_amount: undefined, actual_order_amount: undefined }, 42]);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.failures.map((f) => f.reason), [
      'order_id is missing or not an id: undefined',
      'payment_amount: not an amount: "free"',
      'order: expected an object, got number',
    ]);
  });

  it('maps products with stock from variants, status from the T/F flags', () => {
    const product = cafe24Product(7);
    const { rows } = map('products', [product, { ...cafe24Product(8), selling: 'F' }, { ...cafe24Product(9), display: 'F', variants: undefined }]);
    const [p7, p8, p9] = rows<ProductRow>('products');
    assert.equal(p7?.product_id, '7');
    assert.equal(p7?.product_code, 'SKU-7');
    assert.equal(p7?.price, product.price);
    assert.equal(p7?.stock_quantity, (product.variants as { quantity: number }[]).reduce((s, v) => s + v.quantity, 0));
    assert.equal(p7?.source_updated_at, String(Date.parse(product.updated_date as string) / 1000) + '.000');
    assert.equal(p8?.status, 'stopped');
    assert.equal(p9?.status, 'hidden');
    assert.equal(p9?.is_displayed, 0);
    assert.equal(p9?.stock_quantity, null);
  });

  it('maps categories with their path; parent 1 is the root', () => {
    const { rows } = map('categories', [cafe24Category(2), cafe24Category(3)]);
    const [top, child] = rows<CategoryRow>('categories');
    assert.equal(top?.parent_id, '');
    assert.equal(child?.parent_id, '2');
    assert.equal(child?.depth, 2);
    assert.equal(child?.path.length, 2);
  });

  it('keeps hourly reports in raw_records only, keyed by their grain', () => {
    const { out, rows } = map('productsales', [{ shop_no: 1, collection_date: '2026-11-29', collection_hour: '13', product_no: 7, variants_code: 'P0000007000A', settle_count: 2 }]);
    assert.deepEqual(out.tables(), ['raw_records']);
    assert.equal(rows<RawRecordRow>('raw_records')[0]?.source_id, '1:2026-11-29:13:7:P0000007000A');
  });

  it('turns away an unknown entity as a whole', () => {
    const { outcome } = map('coupons', [{}]);
    assert.deepEqual(outcome, { ok: false, reason: 'the cafe24 mapper (v1) knows no entity "coupons"', errorClass: 'UNKNOWN_ENTITY' });
  });

  it('derives the order status from its items', () => {
    assert.equal(itemStatus('N20'), 'preparing');
    assert.equal(itemStatus('R12'), 'return_requested');
    assert.equal(itemStatus('X99'), 'unknown');
    assert.equal(orderStatus(['shipping', 'delivered'], 'T', 'F'), 'shipping');
    assert.equal(orderStatus(['delivered', 'return_requested'], 'T', 'F'), 'return_requested');
    assert.equal(orderStatus(['cancelled', 'cancelled'], 'T', 'T'), 'cancelled');
    assert.equal(orderStatus(['cancelled', 'returned'], 'T', 'F'), 'returned');
    assert.equal(orderStatus([], 'F', 'F'), 'awaiting_payment');
  });
});

/**
 * The connector parses each record for the fields its mapper names (EntityMapper.reads) and nothing else, so a
 * field the mapper reads but does not name would be silently missing at the edge: every read is watched here.
 */
describe('cafe24 mapper: the fields it names are the fields it reads', () => {
  /** `record` behind proxies that note the path of every member read at any depth (array elements as `[]`). */
  function watched(value: unknown, path: string, seen: Set<string>): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const isList = Array.isArray(value);
    const note = (key: string | symbol) => {
      if (typeof key === 'string' && !isList) seen.add(path === '' ? key : `${path}.${key}`);
    };
    return new Proxy(value, {
      get(target, key, receiver) {
        const entry: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return entry;
        if (isList) return /^\d+$/.test(key) ? watched(entry, `${path}[]`, seen) : entry;
        note(key);
        return watched(entry, path === '' ? key : `${path}.${key}`, seen);
      },
      // Asking whether a member is there reads it too; listing the members reads them all.
      has: (target, key) => (note(key), Reflect.has(target, key)),
      getOwnPropertyDescriptor: (target, key) => (note(key), Reflect.getOwnPropertyDescriptor(target, key)),
      ownKeys: (target) => (isList || seen.add(path === '' ? '*' : `${path}.*`), Reflect.ownKeys(target)),
    });
  }

  /** Whether `path` (a.b[].c; a.* for all of a's members) is named in the tree: a member named `true` covers everything under it. */
  function named(tree: FieldTree, path: string): boolean {
    let level: FieldTree | true = tree;
    for (const key of path.replaceAll('[]', '').split('.')) {
      if (level === true) return true;
      if (key === '*' || !Object.hasOwn(level, key)) return false;
      level = level[key]!;
    }
    return true;
  }

  const samples: Record<string, () => unknown[]> = {
    orders: () => [fixedOrder(), ...Array.from({ length: 40 }, (_, i) => cafe24Order(i + 1, { items: 1 + (i % 4) })), ...Array.from({ length: 10 }, (_, i) => cafe24ApiOrder(i + 100))],
    products: () => Array.from({ length: 30 }, (_, i) => cafe24Product(i + 1)),
    categories: () => [cafe24Category(1), cafe24Category(2), cafe24Category(3), { category_no: 9, full_category_name: null, full_category_no: { 1: '9' } }],
  };

  for (const [entity, records] of Object.entries(samples)) {
    it(`${entity}: every member read is named, and the named fields alone map to the same rows`, () => {
      const reads = cafe24Mapper.entities[entity]?.reads;
      assert.ok(reads, `${entity} names its fields`);
      const seen = new Set<string>();
      const ctx = recordContextOf({ requestId: 'request-0001', tenantId: 'tenant-1', platform: 'cafe24', entity, fetchedAt: '2026-11-30T01:00:00.000Z' }, { partition: 2, offset: 41 }, createBuyerHasher('salt'));
      for (const record of records()) cafe24Mapper.entities[entity]!.map(watched(record, '', seen), ctx, new RowBuffer());
      const unnamed = [...seen].filter((path) => !named(reads, path));
      assert.deepEqual(unnamed, [], `read but not named in ${entity}'s reads`);
      assert.ok(seen.size > 10, 'the watch saw the reads');

      // Both as the connector emits them: scrubbed by the privacy policy.
      const scrubbed = (list: unknown[]) => list.map((record) => {
        scrubRecord(cafe24Privacy, entity, record, (id) => `h-${id}`);
        return record;
      });
      const page = Buffer.from(JSON.stringify({ [entity]: records() }));
      const fields = readList(page, entity, { fields: reads })?.records;
      assert.ok(fields, 'the page is read for its fields');
      const whole = map(entity, scrubbed(records()));
      const byFields = map(entity, scrubbed(fields));
      for (const table of whole.out.tables().filter((t) => t !== 'raw_records')) assert.deepEqual(byFields.rows(table), whole.rows(table), table);
    });
  }
});
