/**
 * RowBinary encoding (lib/warehouse/row-binary.ts): the bytes of each supported type, the cells it refuses (so the
 * embedded adapter falls back to JSON), and, against the engine, that every table's sink rows take the binary path
 * and land exactly what the JSON payload lands.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { acquireEngine } from '../../../lib/warehouse/chdb-engine.js';
import { BINARY_MIN_ROWS, INSERT_SETTINGS, openEmbeddedWarehouse, readColumnTypes } from '../../../lib/warehouse/chdb-warehouse.js';
import { encodeCompactRows, unionOfKeys } from '../../../lib/warehouse/encode-rows.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import { combineRowBinary, expandRows, NotBinaryEncodable, parseType, planRowBinary, RowBinaryRows } from '../../../lib/warehouse/row-binary.js';
import type { InsertRow, Row, Warehouse } from '../../../lib/warehouse/warehouse.js';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';
import { platformModels } from '../../../consumers/platforms.js';
import { mappedTablePlan, type MappedTable } from '../../../lib/model/columns.js';
import { RowBuffer } from '../../../lib/model/row-buffer.js';
import { TABLES, type TableName } from '../../../lib/model/tables.js';
import { createTranslator } from '../../../consumers/sink/translate.js';
import { SyncRunContract } from '../../../lib/contracts/sync-run.js';
import { cafe24Category, cafe24Order, cafe24Product, cafe24ProductSale, encodeRawResult, rawResult } from '../../fixtures/sink-records.js';
import { disposeTestWarehouse, testDataDir, testWarehouse, uniqueDatabase } from '../../helpers/warehouse.js';

const types = (entries: Record<string, string>) => new Map(Object.entries(entries));
const encode = (columns: Record<string, string>, rows: Row[]) => {
  const plan = planRowBinary(Object.keys(columns), types(columns));
  assert.ok(plan, 'a plan for supported types');
  return Buffer.concat(plan.encode(rows));
};

describe('row-binary: RowBinary rows typed by the table', function () {
  it('writes each type as ClickHouse reads it, scalars behind a NULL flag so null means DEFAULT', function () {
    const bytes = encode(
      { s: 'LowCardinality(String)', n: 'UInt32', d: 'Decimal(18, 2)', t: "DateTime64(3, 'Asia/Seoul')", day: 'Date', x: 'Nullable(Int64)', a: 'Array(String)', m: 'Map(String, UInt64)' },
      [{ s: '한', n: 258, d: '-12.5', t: '1736467964.123', day: '1970-01-03', x: null, a: ['ab'], m: { k: 7n } }],
    );
    const expected = Buffer.concat([
      Buffer.from([0, 3]), Buffer.from('한'),
      Buffer.from([0, 2, 1, 0, 0]),
      Buffer.from([0]), le64(-1250n),
      Buffer.from([0]), le64(1736467964123n),
      Buffer.from([0, 2, 0]),
      Buffer.from([1]),
      Buffer.from([1, 2]), Buffer.from('ab'),
      Buffer.from([1, 1]), Buffer.from('k'), le64(7n),
    ]);
    assert.deepEqual(bytes, expected);
    assert.deepEqual(encode({ s: 'String' }, [{ s: undefined }, { s: 'x' }]), Buffer.from([1, 0, 1, 0x78]));
    // Short strings take an ASCII copy loop that hands over to UTF-8 at the first other character.
    assert.deepEqual(encode({ s: 'String' }, [{ s: 'ab한c' }, { s: '' }]), Buffer.concat([Buffer.from([0, 6]), Buffer.from('ab한c'), Buffer.from([0, 0])]));
  });

  it('passes large byte cells on as parts of their own, in order, without copying them', function () {
    const plan = planRowBinary(['id', 'payload'], types({ id: 'String', payload: 'String' }));
    assert.ok(plan);
    const big = Buffer.alloc(5000, 0x61);
    const small = Buffer.alloc(900, 0x62); // copied: 100 of them outgrow the first buffer, which then grows
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: `row-${i}`, payload: i % 3 === 0 ? small : big.subarray(i, 2000 + i) }));
    const parts = plan.encode(rows);
    assert.ok(parts.some((part) => part.buffer === big.buffer && part.byteOffset === 1 && part.length === 2000), 'a large cell is not copied');
    const varint = (n: number) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
    const expected = rows.map((r) => Buffer.concat([Buffer.from([0, r.id.length]), Buffer.from(r.id), Buffer.from([0, ...varint(r.payload.length)]), r.payload]));
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(expected));
  });

  it('writes long strings with a multi-byte length and large integers exactly', function () {
    const long = 'ㄱ'.repeat(100); // 300 bytes: a two-byte length
    const bytes = encode({ s: 'String', u: 'UInt64', i: 'Int64' }, [{ s: long, u: '18446744073709551615', i: -5 }]);
    assert.deepEqual(bytes.subarray(0, 3), Buffer.from([0, 0xac, 0x02]));
    assert.equal(bytes.subarray(3, 303).toString('utf8'), long);
    assert.deepEqual(bytes.subarray(303), Buffer.concat([Buffer.from([0]), Buffer.from('ffffffffffffffff', 'hex'), Buffer.from([0]), le64(-5n)]));
  });

  it('refuses the cells whose binary form would not be exact, so the rows go as JSON instead', function () {
    const refused: Array<[string, unknown]> = [
      ["DateTime64(3, 'UTC')", '2026-01-01T00:00:00+09:00'],
      ['Decimal(18, 2)', 12.5],
      ['Decimal(18, 2)', '1.005'],
      ['Date', '2026-02-31'],
      ['UInt8', 256],
      ['UInt32', -1],
      ['UInt64', 2 ** 60],
      ['String', 42],
      ['Float64', Number.NaN],
      ['Array(String)', null],
    ];
    for (const [type, value] of refused) {
      assert.throws(() => encode({ c: type }, [{ c: value }]), NotBinaryEncodable, `${type} ← ${String(value)}`);
    }
  });

  it('records each row\'s end and reads its payload back into the cells it takes, a NULL DEFAULT as a missing cell', function () {
    const columns = { s: 'LowCardinality(String)', n: 'UInt32', d: 'Decimal(18, 2)', t: "DateTime64(3, 'Asia/Seoul')", day: 'Date', x: 'Nullable(Int64)', a: 'Array(String)', m: 'Map(String, UInt64)', b: 'UInt64' };
    const plan = planRowBinary(Object.keys(columns), types(columns))!;
    const rows = [
      { s: '한', n: 258, d: '-12.50', t: '1736467964.123', day: '1970-01-03', x: null, a: ['ab'], m: { k: 7 }, b: '18446744073709551615' },
      { s: 'x'.repeat(300), n: 0, d: '0.05', t: '-1.500', day: '2026-11-29', x: -5, a: [], m: {}, b: 3 },
      { n: 1, a: [], m: {} },
    ];
    const ends: number[] = [];
    const bytes = Buffer.concat(plan.encode(rows, ends));
    assert.equal(ends.length, 3);
    assert.equal(ends[2], bytes.length);
    assert.deepEqual(ends.map((end, i) => Buffer.concat(plan.encode([rows[i]!])).length), ends.map((end, i) => end - (ends[i - 1] ?? 0)));
    const back = plan.decode(bytes);
    assert.deepEqual(back, [
      { ...rows[0], b: 18446744073709551615n },
      rows[1],
      { n: 1, x: null, a: [], m: {} },
    ]);
    assert.deepEqual(Buffer.concat(plan.encode(back)), bytes, 'what decode gives encodes to the same bytes');
  });

  it('combines object rows and pre-encoded rows into one payload of the pre-encoded plan, or refuses', function () {
    const columns = { id: 'UInt32', name: 'String' };
    const plan = planRowBinary(Object.keys(columns), types(columns))!;
    const block = new RowBinaryRows(plan, 2, Buffer.concat(plan.encode([{ id: 2, name: 'b' }, { id: 3, name: 'c' }])));
    const combined = combineRowBinary([{ id: 1, name: 'a' }, block, { id: 4 }]);
    assert.ok(combined);
    assert.equal(combined.plan, plan);
    assert.deepEqual(plan.decode(Buffer.concat(combined.parts)), [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }, { id: 4 }]);
    assert.equal(combineRowBinary([{ id: 1 }]), undefined, 'no pre-encoded rows');
    assert.equal(combineRowBinary([block, { id: 1, other: 'x' }]), undefined, 'a column the plan lacks');
    assert.equal(combineRowBinary([block, { id: -1 }]), undefined, 'a cell the encoder refuses');
    assert.deepEqual(expandRows([block, { id: -1 }]), [{ id: 2, name: 'b' }, { id: 3, name: 'c' }, { id: -1 }]);
  });

  it('plans only types it speaks, and only columns the table has', function () {
    assert.equal(parseType('UUID'), undefined);
    assert.equal(parseType("DateTime64(6, 'UTC')"), undefined);
    assert.equal(parseType('Decimal(38, 2)'), undefined);
    assert.equal(parseType('Map(LowCardinality(String), DateTime64(3, \'Asia/Seoul\'))')?.text, "Map(String, DateTime64(3, 'Asia/Seoul'))");
    assert.equal(planRowBinary(['a', 'missing'], types({ a: 'String' })), undefined);
    assert.equal(planRowBinary(['a'], types({ a: 'UUID' })), undefined);
  });

  describe('against the engine', function () {
    let binary: Warehouse;
    let json: Warehouse;
    before(async function () {
      [binary, json] = await Promise.all([testWarehouse(), testWarehouse()]);
      await Promise.all([migrate(binary), migrate(json)]);
    });
    after(async function () {
      await Promise.all([disposeTestWarehouse(binary), disposeTestWarehouse(json)]);
    });

    it("lands every table's sink rows through the binary path, equal to what the JSON payload lands", async function () {
      const rows = sinkRowsOfEveryTable();
      const lease = await acquireEngine(testDataDir());
      try {
        for (const table of TABLES) {
          const tableRows = rows.rowsOf(table) as Row[];
          assert.ok(tableRows.length >= BINARY_MIN_ROWS, `${table}: enough rows for the binary path`);
          const plan = planRowBinary(unionOfKeys(tableRows), await readColumnTypes(binary, table));
          assert.ok(plan, `${table}: every column has a binary type`);
          plan.encode(tableRows); // throws NotBinaryEncodable if a sink cell would fall back to JSON

          await binary.insert(table, tableRows, { deduplicationToken: `test|${table}` });
          await binary.insert(table, tableRows, { deduplicationToken: `test|${table}` }); // a retry: dropped
          const { columns, body } = encodeCompactRows(tableRows);
          await lease.session.insert({
            table: `${json.database}.${table}`, values: body, format: 'JSONCompactEachRow', columns,
            settings: INSERT_SETTINGS,
          });
          assert.deepEqual(await contents(binary, table), await contents(json, table), table);
          assert.equal((await contents(binary, table)).length, tableRows.length, `${table}: the retried insert was dropped`);
        }
      } finally {
        await lease.release();
      }
    });
  });
});

describe('row-binary: pre-encoded rows in an insert (edge rows)', function () {
  let warehouse: Warehouse;
  let objects: Warehouse;
  before(async function () {
    [warehouse, objects] = await Promise.all([testWarehouse(), testWarehouse()]);
    await Promise.all([migrate(warehouse), migrate(objects)]);
  });
  after(async function () {
    await Promise.all([disposeTestWarehouse(warehouse), disposeTestWarehouse(objects)]);
  });

  /** A table's rows, half of them encoded by its declared plan (lib/model/columns.ts) in runs, as the sink holds them. */
  const mixed = (table: MappedTable, rows: readonly object[]): InsertRow[] => rows.map((row, i) =>
    i % 2 ? (row as Row) : new RowBinaryRows(mappedTablePlan(table), 1, Buffer.concat(mappedTablePlan(table).encode([row as Row]))));

  it('lands them with the object rows as one insert under one token, equal to the same rows as objects', async function () {
    const rows = sinkRowsOfEveryTable();
    for (const table of ['orders', 'order_items', 'products', 'categories', 'settlements', 'product_daily_stats', 'order_claims', 'reviews'] as const) {
      const tableRows = rows.rowsOf(table).slice(0, 20);
      await warehouse.insert(table, mixed(table, tableRows), { deduplicationToken: `test|mixed|${table}` });
      await warehouse.insert(table, mixed(table, tableRows), { deduplicationToken: `test|mixed|${table}` }); // a retry: dropped
      await objects.insert(table, tableRows as Row[]);
      assert.deepEqual(await contents(warehouse, table), await contents(objects, table), table);
      const [parts] = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND table = '${table}' AND active`);
      assert.equal(Number(parts?.n), 1, `${table}: one insert, one part`);
    }
  });

  it('decodes them and inserts objects when an object row does not fit their plan, still as one insert', async function () {
    const rows = sinkRowsOfEveryTable().rowsOf('orders').slice(0, 6) as Row[];
    // An ISO time: the strict encoder refuses it, the engine's JSON parsing takes it.
    const odd = { ...rows[1]!, source_updated_at: '2026-11-29T09:00:00+09:00' };
    await warehouse.insert('orders', mixed('orders', [rows[0]!, odd, ...rows.slice(2)]), { deduplicationToken: 'test|odd|orders' });
    const [landed] = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM orders WHERE source_updated_at = toDateTime64('2026-11-29 09:00:00', 3, 'Asia/Seoul')`);
    assert.equal(Number(landed?.n), 1);
  });
});

describe('row-binary: when the insert file cannot be written', function () {
  it('sends the rows inline as JSON instead, and they land', async function () {
    const notADirectory = join(mkdtempSync(join(tmpdir(), 'row-binary-')), 'file');
    writeFileSync(notADirectory, '');
    const warehouse = await openEmbeddedWarehouse({ dataDir: testDataDir(), database: uniqueDatabase(), insertFilesDir: notADirectory });
    try {
      await migrate(warehouse);
      const rows = sinkRowsOfEveryTable().rowsOf('orders') as Row[];
      assert.ok(rows.length >= BINARY_MIN_ROWS);
      await warehouse.insert('orders', rows, { deduplicationToken: 'test|fallback|orders' });
      assert.equal((await contents(warehouse, 'orders')).length, rows.length);
    } finally {
      await disposeTestWarehouse(warehouse);
      rmSync(dirname(notADirectory), { recursive: true, force: true });
    }
  });
});

function le64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(value);
  return b;
}

/** Columns the engine fills at insert time (now64()): they differ between two inserts of the same rows. */
const INSERT_TIME: Partial<Record<TableName, string>> = { raw_records: 'ingested_at', sync_runs: 'ingested_at', freshness: 'updated_at' };

/** A table's rows as text, without insert-time columns, in a stable order. */
async function contents(warehouse: Warehouse, table: TableName): Promise<string[]> {
  const except = INSERT_TIME[table] ? ` EXCEPT (${INSERT_TIME[table]})` : '';
  return (await warehouse.query(`SELECT *${except} FROM ${table}`)).map((row) => JSON.stringify(row)).sort();
}

/** An Ably return (`/seller/order_cancels/`), as the connector emits it: no phones, no comments. */
const ablyClaim = (i: number) => ({
  sno: 7000 + i, cancel_type: i % 2 ? 'return' : 'cancel', status: 'RETURN_REQUESTED', processing_sub_status: 41, cancel_received_at: '2026-11-29 09:00:00',
  order_sno: 900 + i, order_items: [{ sno: i, goods_sno: 100_001, goods_name: '린넨 셔츠', ea: 1, option_info: '블루 / M', return_delivery_fee: 3000, cancel_reason: '사이즈 불만' }],
});
/** An Ably review (`/seller/reviews`), as the connector emits it. */
const ablyReview = (i: number) => ({
  sno: 3000 + i, contents: '재질이 좋아요', images: ['a.jpg'], status: 'VISIBLE', created_at: '2026-11-20 08:00:00', goods: { sno: 100_001, name: '린넨 셔츠' },
  rating: 1 + (i % 5), order_item_sno: i,
});

/** What the sink writes for Cafe24 and Ably records and sync runs, plus hand-made settlement and daily-stat rows: enough of each. */
function sinkRowsOfEveryTable(): RowBuffer {
  const n = BINARY_MIN_ROWS + 4;
  const out = new RowBuffer();
  const translate = createTranslator({ registry: platformModels(), hashBuyer: createBuyerHasher('salt'), maxRecordBytes: 1 << 20 });
  const fetchedAt = new Date(Date.now() - 60_000).toISOString();
  const seq = Array.from({ length: n }, (_, i) => i + 2);
  const messages = [
    encodeRawResult(rawResult('tenant-rb', 'orders', seq.map((i) => cafe24Order(i)), { fetchedAt })),
    encodeRawResult(rawResult('tenant-rb', 'products', seq.map((i) => cafe24Product(i)), { fetchedAt })),
    encodeRawResult(rawResult('tenant-rb', 'categories', seq.map((i) => cafe24Category(i)), { fetchedAt })),
    encodeRawResult(rawResult('tenant-rb', 'productsales', seq.map((i) => cafe24ProductSale(i)), { fetchedAt })),
    encodeRawResult(rawResult('tenant-rb', 'order_cancels', seq.map((i) => ablyClaim(i)), { fetchedAt, platform: 'ably' })),
    encodeRawResult(rawResult('tenant-rb', 'reviews', seq.map((i) => ablyReview(i)), { fetchedAt, platform: 'ably' })),
  ];
  messages.forEach((value, offset) => translate({ topic: 'raw.results', partition: 0, offset: String(offset), key: null, value, headers: {} } as never, out, []));
  seq.forEach((i) => {
    const run = SyncRunContract.encode({
      v: 1, requestId: `request-rb-${String(i).padStart(4, '0')}`, attempt: 1, tenantId: `tenant-rb-${i}`, platform: 'cafe24', status: 'succeeded',
      startedAt: fetchedAt, durationMs: 1_000, counts: { orders: i }, dataAsOf: { orders: fetchedAt },
    });
    translate({ topic: 'sync.runs', partition: 1, offset: String(i), key: null, value: run, headers: {} } as never, out, []);
  });
  const lineage = { fetched_at: '1764460000.5', request_id: 'request-rb-0001', kafka_partition: 0, kafka_offset: 7, source_updated_at: '1764460000' };
  for (const i of seq) {
    out.push('settlements', {
      ...lineage, tenant_id: 'tenant-rb', platform: 'ably', shop_no: 1, settlement_id: `s-${i}`, period_start: '2026-11-01', period_end: '2026-11-15',
      scheduled_at: '1764460000', paid_at: i % 2 ? null : '1764470000.25', status: 'scheduled', currency: 'KRW', order_count: i, sales_amount: `${i}0000.00`,
      commission_amount: '12000.00', payment_fee: '3600', deduction_amount: '0', adjustment_amount: '-10.5', settlement_amount: '104389.50', extra: '{}',
    });
    out.push('product_daily_stats', {
      ...lineage, tenant_id: 'tenant-rb', platform: 'ably', stat_date: '2026-11-29', shop_no: 1, product_id: `p-${i}`, variant_id: '',
      order_count: 2, sold_quantity: i, sales_amount: '59000.00', view_count: 120, cart_count: null, like_count: 4, cancel_count: i % 3 ? null : 1,
      return_count: 0, exchange_count: null, extra: '{}',
    });
  }
  return out;
}
