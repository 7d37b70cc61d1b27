/**
 * The analytics model (lib/warehouse/schema/) on the embedded engine: it applies, holds no buyer personal data,
 * lets the insert token work on every table the sink writes, and its ReplacingMergeTree versions keep the newest
 * copy of a record whatever order copies arrive in.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadMigrations, migrate } from '../../../lib/warehouse/migrate.js';
import type { Row, Warehouse } from '../../../lib/warehouse/warehouse.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

const DATA_MODEL_DOC = new URL('../../../docs/data-model.md', import.meta.url);

/** A sample value for each placeholder type the documented queries use. */
const SAMPLE_PARAMS: Record<string, unknown> = {
  String: 'tenant-1',
  "DateTime64(3, 'Asia/Seoul')": new Date('2026-01-01T00:00:00Z'),
};

const SINK_TABLES = [
  'raw_records',
  'orders',
  'order_items',
  'products',
  'categories',
  'settlements',
  'product_daily_stats',
  'order_claims',
  'reviews',
  'sync_runs',
  'freshness',
];

describe('analytics schema (embedded engine)', function () {
  let warehouse: Warehouse;

  before(async function () {
    warehouse = await testWarehouse();
    await migrate(warehouse);
  });

  /** Each table's CREATE statement as the engine now states it (settings included), by table name. */
  const createQueries = async () => new Map((await warehouse.query<{ name: string; create: string }>(
    'SELECT name, create_table_query AS create FROM system.tables WHERE database = currentDatabase()',
  )).map((row) => [row.name, row.create]));

  after(async function () {
    await disposeTestWarehouse(warehouse);
  });

  function order(overrides: Row = {}): Row {
    return {
      tenant_id: 'tenant-1',
      platform: 'cafe24',
      order_id: '20260110-0000031',
      ordered_at: '2026-01-10T09:12:44+09:00',
      status: 'paid',
      source_status: 'N20',
      item_count: 1,
      order_amount: '39500.00',
      discount_amount: '0.00',
      shipping_fee: '2500.00',
      payment_amount: '42000.00',
      buyer_hash: 'a'.repeat(64),
      source_updated_at: '2026-01-10T09:13:02+09:00',
      fetched_at: new Date('2026-01-10T00:20:00Z'),
      request_id: 'req-00000001',
      kafka_partition: 3,
      kafka_offset: 100,
      ...overrides,
    };
  }

  it('creates every table of the model, recorded as applied', async function () {
    const rows = await warehouse.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    assert.deepEqual(rows.map((row) => row.name).sort(), [...SINK_TABLES, 'schema_migrations'].sort());
    const applied = await warehouse.query<{ n: string }>('SELECT count() AS n FROM schema_migrations FINAL');
    assert.equal(Number(applied[0]?.n), (await loadMigrations()).length);
  });

  it('is idempotent: a second migrate applies nothing', async function () {
    const again = await migrate(warehouse);
    assert.deepEqual(again.applied, []);
  });

  it('lets insert_deduplication_token work on every table the sink writes', async function () {
    const creates = await createQueries();
    for (const name of SINK_TABLES) {
      const create = creates.get(name) ?? '';
      assert.match(create, /non_replicated_deduplication_window = (\d{4,})/, `${name} keeps a deduplication window`);
    }
  });

  it('merges in wide steps: raw_records ~50 parts of a size at once, the typed tables ~20 (014)', async function () {
    const creates = await createQueries();
    for (const name of SINK_TABLES) {
      const create = creates.get(name) ?? '';
      assert.match(create, new RegExp(`merge_selector_base = ${name === 'raw_records' ? 50 : 20}\\b`), `${name} merges in wide steps`);
      assert.match(create, /merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0\b/, `${name} does not narrow its merges`);
    }
  });

  it('builds no column statistics of raw_records; the typed tables keep the engine\'s (015)', async function () {
    const creates = await createQueries();
    for (const name of SINK_TABLES) {
      const create = creates.get(name) ?? '';
      if (name === 'raw_records') assert.match(create, /auto_statistics_types = ''/, 'raw_records statistics');
      else assert.doesNotMatch(create, /auto_statistics_types/, `${name} statistics`);
    }
  });

  it('stores no buyer personal data: no name, phone, email or address columns', async function () {
    const columns = await warehouse.query<{ table: string; name: string }>(
      'SELECT table, name FROM system.columns WHERE database = currentDatabase()',
    );
    const personal = columns.filter(
      (c) => /buyer|receiver|member|customer|phone|tel|email|mail|addr|postcode/.test(c.name) && c.name !== 'buyer_hash',
    );
    assert.deepEqual(personal, []);
  });

  it('keeps the newest copy of an order whatever order the copies arrive in, and drops re-deliveries', async function () {
    const newer = order({ status: 'shipping', source_status: 'N30', source_updated_at: '2026-01-11T10:00:00+09:00', kafka_offset: 90 });
    const older = order({ status: 'paid', kafka_offset: 120 });
    await warehouse.insert('orders', [newer], { deduplicationToken: 'raw.results-3-90' });
    await warehouse.insert('orders', [older], { deduplicationToken: 'raw.results-3-120' });
    await warehouse.insert('orders', [older], { deduplicationToken: 'raw.results-3-120' }); // re-delivered batch
    const rows = await warehouse.query<{ status: string; payment_amount: string; ordered_at: string }>(
      "SELECT status, toString(payment_amount) AS payment_amount, ordered_at FROM orders FINAL WHERE tenant_id = 'tenant-1'",
    );
    assert.deepEqual(rows, [{ status: 'shipping', payment_amount: '42000', ordered_at: '2026-01-10 09:12:44.000' }]);
    const copies = await warehouse.query<{ n: string }>('SELECT count() AS n FROM orders');
    assert.equal(copies[0]?.n, '2', 'two distinct copies stored, the re-delivery dropped by its token');
  });

  it('breaks a tie of source times by Kafka position', async function () {
    const base = { tenant_id: 'tenant-2', order_id: 'o-tie' };
    await warehouse.insert('orders', [order({ ...base, status: 'later', kafka_offset: 7 })]);
    await warehouse.insert('orders', [order({ ...base, status: 'earlier', kafka_offset: 6 })]);
    const rows = await warehouse.query<{ status: string }>("SELECT status FROM orders FINAL WHERE tenant_id = 'tenant-2'");
    assert.deepEqual(rows, [{ status: 'later' }]);
  });

  it('hides a product marked deleted from FINAL reads', async function () {
    const product = {
      tenant_id: 'tenant-1',
      platform: 'ably',
      product_id: '12',
      name: '린넨 블라우스',
      price: 39_500,
      status: 'on_sale',
      source_updated_at: '2026-01-10 09:00:00',
      fetched_at: new Date(),
      request_id: 'req-00000002',
      kafka_partition: 0,
      kafka_offset: 1,
    };
    await warehouse.insert('products', [product]);
    await warehouse.insert('products', [{ ...product, is_deleted: 1, source_updated_at: '2026-01-12 09:00:00', kafka_offset: 2 }]);
    const rows = await warehouse.query("SELECT product_id FROM products FINAL WHERE tenant_id = 'tenant-1'");
    assert.deepEqual(rows, []);
  });

  it('accepts a sync run with counts per entity, and freshness never moves back', async function () {
    await warehouse.insert('sync_runs', [
      {
        tenant_id: 'tenant-1',
        platform: 'ably',
        request_id: 'req-00000003',
        attempt: 1,
        status: 'succeeded',
        // Recent: sync_runs keeps 90 days (TTL), an older row may be dropped at insert.
        started_at: new Date(Date.now() - 3_600_000),
        duration_ms: 1234,
        counts: { orders: 120, products: 40 },
        data_as_of: { orders: '2026-01-10T09:00:00+09:00' },
        kafka_partition: 1,
        kafka_offset: 5,
      },
    ]);
    const [run] = await warehouse.query<{ orders: string }>("SELECT counts['orders'] AS orders FROM sync_runs FINAL");
    assert.equal(run?.orders, '120');
    const freshness = (asOf: string) => ({ tenant_id: 'tenant-1', platform: 'ably', entity: 'orders', as_of: asOf, request_id: 'r' });
    await warehouse.insert('freshness', [freshness('2026-01-10 09:00:00')]);
    await warehouse.insert('freshness', [freshness('2026-01-09 09:00:00')]); // a replayed older run
    const [fresh] = await warehouse.query<{ as_of: string }>('SELECT as_of FROM freshness FINAL');
    assert.equal(fresh?.as_of, '2026-01-10 09:00:00.000');
  });

  it('runs every example query of docs/data-model.md', async function () {
    const doc = await readFile(DATA_MODEL_DOC, 'utf8');
    const examples = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    assert.ok(examples.length >= 9, `found ${examples.length} examples`);
    for (const sql of examples) {
      if (!/^\s*SELECT/i.test(sql)) continue; // the version expression is a column definition
      const params: Record<string, unknown> = {};
      for (const [, name, type] of sql.matchAll(/\{(\w+):([^}]+)\}/g)) {
        assert.ok(type && type in SAMPLE_PARAMS, `add a sample for ${type}`);
        params[name as string] = SAMPLE_PARAMS[type as string];
      }
      await warehouse.query(sql, params).catch((error: unknown) => {
        throw new Error(`documented query failed:\n${sql}`, { cause: error });
      });
    }
  });
});
