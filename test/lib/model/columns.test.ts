/**
 * The declared column types of the mapped tables (lib/model/columns.ts) are the migrated schema's: edge rows are
 * encoded under them at the platform consumer and inserted as they are, so a migration that changes a type (or adds
 * a column the mappers do not write, without a DEFAULT) must fail here until columns.ts says the same.
 */
import assert from 'node:assert/strict';
import { MAPPED_COLUMNS, MAPPED_TABLES, mappedTablePlan } from '../../../lib/model/columns.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

describe('model: declared column types of the mapped tables', function () {
  let warehouse: Warehouse;
  before(async function () {
    warehouse = await testWarehouse();
    await migrate(warehouse);
  });
  after(async function () {
    await disposeTestWarehouse(warehouse);
  });

  it('match system.columns after the migrations, in table order, and leave out only columns the engine fills', async function () {
    for (const table of MAPPED_TABLES) {
      const found = await warehouse.query<{ name: string; type: string; default_kind: string }>(
        'SELECT name, type, default_kind FROM system.columns WHERE database = {database:String} AND table = {table:String} ORDER BY position',
        { database: warehouse.database, table },
      );
      const declared = Object.entries(MAPPED_COLUMNS[table]);
      const written = found.filter((c) => Object.hasOwn(MAPPED_COLUMNS[table], c.name));
      assert.deepEqual(written.map((c) => [c.name, c.type]), declared, `${table}: declared types`);
      for (const c of found) {
        if (!Object.hasOwn(MAPPED_COLUMNS[table], c.name)) assert.notEqual(c.default_kind, '', `${table}.${c.name}: not declared, so it needs a DEFAULT`);
      }
      assert.deepEqual(mappedTablePlan(table).columns.slice(-2), ['kafka_partition', 'kafka_offset'], table);
    }
  });
});
