import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationError, migrate, splitStatements, STATEMENT_BREAKPOINT } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

describe('migrate (embedded engine)', function () {
  let warehouse: Warehouse;
  let dir: string;

  beforeEach(async function () {
    warehouse = await testWarehouse();
    dir = await mkdtemp(join(tmpdir(), 'sellerstream-migrations-'));
    await writeFile(join(dir, '001-first.sql'), 'CREATE TABLE IF NOT EXISTS a (id UInt32) ENGINE = MergeTree ORDER BY id;\n');
    await writeFile(
      join(dir, '002-second.sql'),
      [
        '-- two statements in one file',
        'CREATE TABLE IF NOT EXISTS b (id UInt32, note String DEFAULT \'x;y\') ENGINE = MergeTree ORDER BY id;',
        STATEMENT_BREAKPOINT,
        'CREATE TABLE IF NOT EXISTS c (id UInt32) ENGINE = MergeTree ORDER BY id',
      ].join('\n'),
    );
  });

  afterEach(async function () {
    await disposeTestWarehouse(warehouse);
    await rm(dir, { recursive: true, force: true });
  });

  async function tables(): Promise<string[]> {
    const rows = await warehouse.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    return rows.map((row) => row.name);
  }

  async function recorded(): Promise<Array<{ version: number; name: string; checksum: string; applied_at: string }>> {
    return warehouse.query('SELECT version, name, checksum, applied_at FROM schema_migrations FINAL ORDER BY version');
  }

  it('applies every file in order and records version, name, checksum and time', async function () {
    const result = await migrate(warehouse, { dir });
    assert.deepEqual(
      result.applied.map((m) => `${m.version}-${m.name}`),
      ['1-first', '2-second'],
    );
    assert.deepEqual(await tables(), ['a', 'b', 'c', 'schema_migrations']);
    const rows = await recorded();
    assert.deepEqual(
      rows.map((row) => [row.version, row.name, row.checksum]),
      result.applied.map((m) => [m.version, m.name, m.checksum]),
    );
    assert.ok(rows.every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(row.applied_at)));
  });

  it('changes nothing when applied twice', async function () {
    await migrate(warehouse, { dir });
    const before = await recorded();
    const again = await migrate(warehouse, { dir });
    assert.deepEqual(again.applied, []);
    assert.equal(again.skipped.length, 2);
    assert.deepEqual(await recorded(), before, 'no new rows, same applied_at');
    assert.deepEqual(await tables(), ['a', 'b', 'c', 'schema_migrations']);
  });

  it('applies only what is new', async function () {
    await migrate(warehouse, { dir });
    await writeFile(join(dir, '003-third.sql'), 'CREATE TABLE IF NOT EXISTS d (id UInt32) ENGINE = MergeTree ORDER BY id');
    const result = await migrate(warehouse, { dir });
    assert.deepEqual(
      result.applied.map((m) => m.version),
      [3],
    );
    assert.ok((await tables()).includes('d'));
  });

  it('fails loudly, before applying anything, when an applied file changed', async function () {
    await migrate(warehouse, { dir });
    await appendFile(join(dir, '001-first.sql'), '-- edited after it was applied\n');
    await writeFile(join(dir, '003-third.sql'), 'CREATE TABLE IF NOT EXISTS d (id UInt32) ENGINE = MergeTree ORDER BY id');
    await assert.rejects(migrate(warehouse, { dir }), (error) => {
      assert.ok(error instanceof MigrationError);
      assert.equal(error.retriable, false);
      assert.match(error.message, /migration 001-first changed after it was applied/);
      return true;
    });
    assert.ok(!(await tables()).includes('d'), 'the new migration was not applied either');
  });

  it('refuses a misnamed file and a duplicate version', async function () {
    await writeFile(join(dir, '4-bad name.sql'), 'SELECT 1');
    await assert.rejects(migrate(warehouse, { dir }), /not named NNN-lower-kebab-name\.sql/);
    await rm(join(dir, '4-bad name.sql'));
    await writeFile(join(dir, '002-again.sql'), 'SELECT 1');
    await assert.rejects(migrate(warehouse, { dir }), /share version 2/);
  });
});

describe('splitStatements', function () {
  it('splits on breakpoint lines only, drops trailing semicolons and comment-only parts', function () {
    const text = [
      '-- header comment',
      "CREATE TABLE x (s String DEFAULT ';') ENGINE = Memory;",
      `  ${STATEMENT_BREAKPOINT}  `,
      '-- nothing but a comment',
      STATEMENT_BREAKPOINT,
      'SELECT 1',
    ].join('\n');
    assert.deepEqual(splitStatements(text), [
      "-- header comment\nCREATE TABLE x (s String DEFAULT ';') ENGINE = Memory",
      'SELECT 1',
    ]);
  });
});
