/**
 * The Warehouse contract, written once and run against every adapter (chdb-warehouse.test.ts,
 * http-warehouse.test.ts). An adapter passes when it behaves the same as the others on everything here.
 * Old servers lack some features; `capabilities` names each gap, and a test of a missing feature checks that
 * the adapter fails loudly and typed instead of pretending.
 */
import assert from 'node:assert/strict';
import type { Row, Warehouse } from '../../../lib/warehouse/warehouse.js';
import { planRowBinary, RowBinaryRows } from '../../../lib/warehouse/row-binary.js';
import {
  WarehouseRejectedError,
  WarehouseRetriableError,
  type WarehouseError,
} from '../../../lib/warehouse/parse-error.js';

export interface WarehouseCapabilities {
  /** `{name:Type}` bound parameters (ClickHouse ≥ 19.15). */
  queryParams: boolean;
  /** insert_deduplication_token (ClickHouse ≥ 22.2). */
  deduplicationToken: boolean;
  /** DateTime64, and Decimal sent as a JSON string (ClickHouse ≥ 20.x). */
  modernTypes: boolean;
}

export const ALL_CAPABILITIES: WarehouseCapabilities = { queryParams: true, deduplicationToken: true, modernTypes: true };

export interface ConformanceTarget {
  /** Opens a warehouse on a fresh database (created). */
  open(): Promise<Warehouse>;
  /** Drops the warehouse's database and closes it. */
  dispose(warehouse: Warehouse): Promise<void>;
  capabilities: WarehouseCapabilities;
}

/** Values that break naive escaping: quotes, backslashes, control characters, Korean, emoji, JSON in a string. */
export const TRICKY_STRINGS = [
  `it's "quoted"`,
  'back\\slash and \\n that is not a newline',
  'line\nbreak\ttab\rreturn',
  '블라우스 · 원피스 🧥',
  '',
  '{"json":"in a string","n":1}',
  `'); DROP TABLE t; --`,
];

/** Registers the suite. `target` is called inside the hooks, so it may be resolved in the caller's `before`. */
export function describeWarehouseConformance(name: string, target: () => ConformanceTarget): void {
  describe(`Warehouse conformance: ${name}`, function () {
    let warehouse: Warehouse;
    const others: Warehouse[] = [];

    beforeEach(async function () {
      warehouse = await target().open();
    });

    afterEach(async function () {
      for (const other of others.splice(0)) await target().dispose(other).catch(() => other.close());
      await target().dispose(warehouse);
    });

    async function openOther(): Promise<Warehouse> {
      const other = await target().open();
      others.push(other);
      return other;
    }

    it('answers ping', async function () {
      await warehouse.ping();
    });

    it('round-trips inserted rows byte-exact, with 64-bit integers as strings', async function () {
      await warehouse.command('CREATE TABLE t (id UInt32, name String, big UInt64) ENGINE = MergeTree() ORDER BY id');
      const rows = TRICKY_STRINGS.map((name, id) => ({ id, name, big: id === 0 ? 2n ** 64n - 1n : id }));
      await warehouse.insert('t', rows);
      const back = await warehouse.query<{ id: number; name: string; big: string }>('SELECT id, name, big FROM t ORDER BY id');
      assert.deepEqual(
        back.map((row) => row.name),
        TRICKY_STRINGS,
      );
      assert.equal(back[0]?.big, '18446744073709551615');
      assert.equal(back[1]?.big, '1');
    });

    it('inserts rows already encoded as RowBinary among object rows, in one insert', async function () {
      await warehouse.command("CREATE TABLE t (id UInt32, name String, note String DEFAULT 'none', big UInt64) ENGINE = MergeTree() ORDER BY id");
      const columns = new Map([['id', 'UInt32'], ['name', 'String'], ['note', 'String'], ['big', 'UInt64']]);
      const plan = planRowBinary([...columns.keys()], columns)!;
      const encoded = TRICKY_STRINGS.map((name, id) => ({ id: id + 10, name, big: id === 0 ? 2n ** 64n - 1n : id }));
      await warehouse.insert('t', [
        { id: 1, name: 'object', note: 'given', big: 5 },
        new RowBinaryRows(plan, encoded.length, Buffer.concat(plan.encode(encoded))),
        { id: 2, name: 'object without a note', big: 6 },
      ]);
      const back = await warehouse.query<{ id: number; name: string; note: string; big: string }>('SELECT id, name, note, big FROM t ORDER BY id');
      assert.deepEqual(back.map((row) => row.name), ['object', 'object without a note', ...TRICKY_STRINGS]);
      // Filled as for an object row that leaves the column out (the DEFAULT; on 18.x servers the type's default).
      assert.deepEqual(back.map((row) => row.note).slice(2), TRICKY_STRINGS.map(() => back[1]?.note), 'a NULL cell is a missing cell');
      assert.equal(back[2]?.big, '18446744073709551615');
    });

    it('binds {name:Type} parameters server-side (or refuses them typed where the server cannot)', async function () {
      await warehouse.command('CREATE TABLE t (id UInt32, name String) ENGINE = MergeTree() ORDER BY id');
      await warehouse.insert('t', TRICKY_STRINGS.map((name, id) => ({ id, name })));
      if (!target().capabilities.queryParams) {
        await assert.rejects(warehouse.query('SELECT id FROM t WHERE name = {name:String}', { name: 'x' }), (error) =>
          isTyped(error, WarehouseRejectedError, 'UNKNOWN_SETTING'),
        );
        return;
      }
      for (const [id, name] of TRICKY_STRINGS.entries()) {
        const found = await warehouse.query('SELECT id, {name:String} AS echoed FROM t WHERE name = {name:String}', { name });
        assert.deepEqual(found, [{ id, echoed: name }], `lookup of ${JSON.stringify(name)}`);
      }
      const [big] = await warehouse.query('SELECT {v:UInt64} AS v', { v: 2n ** 64n - 1n });
      assert.equal(big?.v, '18446744073709551615');
      assert.deepEqual(await warehouse.query('SELECT id FROM t WHERE id IN {ids:Array(UInt32)} ORDER BY id', { ids: [1, 3] }), [
        { id: 1 },
        { id: 3 },
      ]);
    });

    it('keeps Decimal(18,2) exact', async function () {
      await warehouse.command('CREATE TABLE d (id UInt32, amount Decimal(18, 2)) ENGINE = MergeTree() ORDER BY id');
      // Past 2^53 only a string carries the value; old servers parse Decimal from JSON numbers only. Every
      // amount ends in a non-zero cent: toString() pads zeros on 18.x and trims them on current servers.
      const amounts: Array<string | number> = target().capabilities.modernTypes
        ? ['1234567890123456.78', -5.55, '0.01', 19_900.99]
        : [12_345_678.91, -5.55, 0.01, 19_900.99];
      await warehouse.insert('d', amounts.map((amount, id) => ({ id, amount })));
      const back = await warehouse.query<{ amount: string }>('SELECT toString(amount) AS amount FROM d ORDER BY id');
      assert.deepEqual(
        back.map((row) => row.amount),
        amounts.map((amount) => String(amount)),
      );
      const [total] = await warehouse.query<{ exact: number }>(
        `SELECT sum(amount) = toDecimal128('${sumOf(amounts)}', 2) AS exact FROM d`,
      );
      assert.equal(total?.exact, 1);
    });

    it("round-trips DateTime64(3, 'Asia/Seoul') where the engine has it, and refuses it typed where it does not", async function () {
      if (!target().capabilities.modernTypes) {
        // DateTime64 arrived in ClickHouse 20.1: an old server must refuse the schema loudly, not store wrong times.
        await assert.rejects(
          warehouse.command("CREATE TABLE ts (id UInt32, at DateTime64(3, 'Asia/Seoul')) ENGINE = Memory"),
          (error: { retriable?: boolean }) => error.retriable === false,
        );
        return;
      }
      await warehouse.command(
        "CREATE TABLE ts (id UInt32, at DateTime64(3, 'Asia/Seoul')) ENGINE = MergeTree() ORDER BY id",
      );
      const instant = new Date('2024-05-01T03:04:05.678Z');
      await warehouse.insert('ts', [
        { id: 1, at: instant },
        { id: 2, at: '2024-05-01 12:04:05.678' },
        { id: 3, at: '2024-05-01T12:04:05.678+09:00' },
        { id: 4, at: '1714532645.678' }, // Unix seconds as text: zone-free, and the sink's fast form
      ]);
      const back = await warehouse.query<{ id: number; at: string; ms: string }>(
        'SELECT id, at, toUnixTimestamp64Milli(at) AS ms FROM ts ORDER BY id',
      );
      for (const row of back) {
        assert.equal(row.at, '2024-05-01 12:04:05.678', `row ${row.id} as KST wall clock`);
        assert.equal(row.ms, String(instant.getTime()), `row ${row.id} as an instant`);
      }
      if (target().capabilities.queryParams) {
        const [hits] = await warehouse.query<{ n: string }>(
          "SELECT count() AS n FROM ts WHERE at = {at:DateTime64(3, 'Asia/Seoul')}",
          { at: instant },
        );
        assert.equal(hits?.n, '4', 'a bound Date is the same instant in any zone');
      }
    });

    it('drops a retried insert that carries the same deduplication token', async function () {
      const rows = [{ id: 1, v: 'a' }, { id: 2, v: 'b' }];
      if (!target().capabilities.deduplicationToken) {
        await warehouse.command('CREATE TABLE dd (id UInt32, v String) ENGINE = MergeTree() ORDER BY id');
        // The server cannot deduplicate: the adapter must say so rather than insert twice.
        await assert.rejects(warehouse.insert('dd', rows, { deduplicationToken: 'batch-1' }), (error) =>
          isTyped(error, WarehouseRejectedError, 'UNKNOWN_SETTING'),
        );
        return;
      }
      await warehouse.command(
        'CREATE TABLE dd (id UInt32, v String) ENGINE = MergeTree() ORDER BY id ' +
          'SETTINGS non_replicated_deduplication_window = 1000',
      );
      await warehouse.insert('dd', rows, { deduplicationToken: 'batch-1' });
      await warehouse.insert('dd', rows, { deduplicationToken: 'batch-1' });
      assert.equal(await count(warehouse, 'dd'), 2, 'the retry with the same token is dropped');
      await warehouse.insert('dd', rows, { deduplicationToken: 'batch-2' });
      assert.equal(await count(warehouse, 'dd'), 4, 'another token is another batch');
    });

    it('maps failures to typed errors: unknown table retriable, bad SQL and bad data not', async function () {
      await assert.rejects(warehouse.query('SELECT * FROM no_such_table'), (error) =>
        isTyped(error, WarehouseRetriableError, 'UNKNOWN_TABLE', 60),
      );
      await assert.rejects(warehouse.insert('no_such_table', [{ id: 1 }]), (error) =>
        isTyped(error, WarehouseRetriableError, 'UNKNOWN_TABLE', 60),
      );
      await assert.rejects(warehouse.query('SELEC 1'), (error) => isTyped(error, WarehouseRejectedError, 'SYNTAX_ERROR', 62));
      await warehouse.command('CREATE TABLE n (id UInt32) ENGINE = MergeTree() ORDER BY id');
      await assert.rejects(warehouse.insert('n', [{ id: 'not a number' }]), (error) => {
        assert.ok(error instanceof WarehouseRejectedError, `rejected, got ${String(error)}`);
        assert.match(error.type, /^CANNOT_PARSE|^INCORRECT_DATA$/);
        return true;
      });
      await assert.rejects(warehouse.insert('n; DROP TABLE n', [{ id: 1 }]), (error) =>
        isTyped(error, WarehouseRejectedError, 'BAD_IDENTIFIER'),
      );
    });

    it('keeps two warehouses on two databases apart, also under concurrent calls', async function () {
      const other = await openOther();
      assert.notEqual(other.database, warehouse.database);
      for (const [w, rows] of [[warehouse, 3], [other, 5]] as const) {
        await w.command('CREATE TABLE t (id UInt32) ENGINE = MergeTree() ORDER BY id');
        await w.insert('t', Array.from({ length: rows }, (_, id) => ({ id })));
      }
      const calls = Array.from({ length: 40 }, (_, i) => {
        const [w, rows] = i % 2 === 0 ? [warehouse, '3'] : [other, '5'];
        return w
          .query<{ db: string; n: string }>('SELECT currentDatabase() AS db, count() AS n FROM t')
          .then(([row]) => assert.deepEqual(row, { db: w.database, n: rows }));
      });
      await Promise.all(calls);
    });

    it('returns [] for no rows and does nothing for an empty insert', async function () {
      await warehouse.command('CREATE TABLE e (id UInt32) ENGINE = MergeTree() ORDER BY id');
      await warehouse.insert('e', []);
      assert.deepEqual(await warehouse.query('SELECT id FROM e'), []);
    });

    it('closes idempotently; a closed warehouse fails typed and retriable', async function () {
      const other = await openOther();
      await other.close();
      await other.close();
      await assert.rejects(other.query('SELECT 1'), (error) => isTyped(error, WarehouseRetriableError, 'CLOSED'));
      others.splice(others.indexOf(other), 1);
      await warehouse.command(`DROP DATABASE IF EXISTS ${other.database}`);
    });
  });
}

function isTyped(
  error: unknown,
  kind: typeof WarehouseRetriableError | typeof WarehouseRejectedError,
  type: string,
  clickhouseCode?: number,
): true {
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
  const typed = error as WarehouseError;
  assert.equal(typed.type, type, typed.message);
  assert.equal(typed.retriable, kind === WarehouseRetriableError);
  if (clickhouseCode !== undefined) assert.equal(typed.clickhouseCode, clickhouseCode);
  return true;
}

async function count(warehouse: Warehouse, table: string): Promise<number> {
  const [row] = await warehouse.query<Row & { n: string }>(`SELECT count() AS n FROM ${table}`);
  return Number(row?.n);
}

/** Exact decimal sum of 2-decimal amounts, in cents through bigint (Number would round the big one). */
function sumOf(amounts: ReadonlyArray<string | number>): string {
  const cents = amounts.reduce<bigint>((total, amount) => {
    const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(amount));
    assert.ok(match, `amount ${amount}`);
    const value = BigInt(match[2] as string) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
    return total + (match[1] === '-' ? -value : value);
  }, 0n);
  const abs = cents < 0n ? -cents : cents;
  return `${cents < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
