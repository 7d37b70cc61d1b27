/**
 * `npm run bench -- sink-stages [--json] [--tenants N]`: where the sink's CPU goes, stage by stage, on the sink
 * benchmark's data (bench/sink-data.ts, 880 tenants ≈ 1M rows), without Kafka: each stage measured alone, in
 * batches of ~25k rows as the sink forms them. JS stages are timed on the (otherwise idle) JS thread; inserts by
 * the engine's own elapsed time, one engine thread each (max_threads = 1, so elapsed is its CPU), background
 * merges stopped. Process CPU would not do: V8's concurrent GC of one stage runs during the next one's wait.
 *   parse   JSON.parse of the RawResult messages (the least any mapper must do);
 *   map     the platform mappers, parse excluded (RawResult → rows, consumers/cafe24/mapping.ts);
 *   encode + engine, ours: RowBinary typed by the table (lib/warehouse/row-binary.ts) and INSERT … FROM file;
 *   encode + engine, baseline (same run, same rows, fresh tables): JSONCompactEachRow inline, the path before.
 * Value: rows/s of ours' encode + insert on one core; ratio against the JSON path. The stages also give the
 * sink's ceiling: 1e6 ÷ (parse + map + encode + engine µs/row) × cores.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBuyerHasher } from '../lib/buyer-hash.js';
import { acquireEngine } from '../lib/warehouse/chdb-engine.js';
import { fileInsertSql, INSERT_SETTINGS, openEmbeddedWarehouse, readColumnTypes } from '../lib/warehouse/chdb-warehouse.js';
import { encodeCompactRows, unionOfKeys } from '../lib/warehouse/encode-rows.js';
import { migrate } from '../lib/warehouse/migrate.js';
import { planRowBinary, type RowBinaryPlan } from '../lib/warehouse/row-binary.js';
import { platformModels } from '../consumers/platforms.js';
import { RowBuffer } from '../lib/model/row-buffer.js';
import type { TableName } from '../lib/model/tables.js';
import { createTranslator } from '../consumers/sink/translate.js';
import type { BenchArgs, BenchResult } from './run.js';
import { tenantMessages } from './sink-data.js';

const TENANTS_PER_BATCH = 22; // ≈ 25k rows: the sink's default flush group

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  const at = argv.indexOf('--tenants');
  const tenants = at >= 0 ? Number(argv[at + 1]) : 880;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stages-'));
  const ours = await openEmbeddedWarehouse({ dataDir, database: 'stages_binary' });
  const json = await openEmbeddedWarehouse({ dataDir, database: 'stages_json' });
  const lease = await acquireEngine(dataDir);
  try {
    await migrate(ours);
    await migrate(json);
    // Background merges would land in whichever stage's CPU window they happen to run: measure inserts alone.
    await lease.session.queryAsync('SYSTEM STOP MERGES');
    const translate = createTranslator({ registry: platformModels(), hashBuyer: createBuyerHasher('bench'), maxRecordBytes: 1 << 20 });
    const plans = new Map<string, RowBinaryPlan>();
    const typesOf = new Map<TableName, Map<string, string>>();
    const cpu = { parse: 0, translate: 0, binaryEncode: 0, binaryEngine: 0, jsonEncode: 0, jsonEngine: 0 };
    let rows = 0;
    let bytes = 0;
    let offset = 0;
    for (let first = 0; first < tenants; first += TENANTS_PER_BATCH) {
      const values: Buffer[] = [];
      for (let t = first; t < Math.min(tenants, first + TENANTS_PER_BATCH); t++) values.push(...tenantMessages(t).rawResults);
      bytes += values.reduce((n, v) => n + v.length, 0);
      cpu.parse += timeOf(() => values.forEach((v) => JSON.parse(v.toString('utf8'))));
      const out = new RowBuffer();
      cpu.translate += timeOf(() => values.forEach((value) => translate({ topic: 'raw.results', partition: 0, offset: String(offset++), key: undefined, value, headers: {} }, out, [])));
      rows += out.count;
      for (const table of out.tables()) {
        const tableRows = out.rowsOf(table) as Record<string, unknown>[];
        const columns = unionOfKeys(tableRows);
        if (!typesOf.has(table)) typesOf.set(table, await readColumnTypes(ours, table));
        const key = `${table}(${columns.join(',')})`;
        if (!plans.has(key)) plans.set(key, planRowBinary(columns, typesOf.get(table)!)!);
        const plan = plans.get(key)!;
        let parts!: Buffer[];
        cpu.binaryEncode += timeOf(() => (parts = plan.encode(tableRows)));
        const file = join(dataDir, `${table}.rowbinary`);
        writeFileSync(file, Buffer.concat(parts));
        cpu.binaryEngine += (await lease.session.queryAsync(fileInsertSql(`${ours.database}.${table}`, plan, file))).elapsed;
        let compact!: ReturnType<typeof encodeCompactRows>;
        cpu.jsonEncode += timeOf(() => (compact = encodeCompactRows(tableRows)));
        cpu.jsonEngine += (await lease.session.insert({
          table: `${json.database}.${table}`, values: compact.body, format: 'JSONCompactEachRow', columns: compact.columns,
          settings: { ...INSERT_SETTINGS, max_threads: 1 },
        })).elapsed;
      }
    }
    const us = (seconds: number) => Math.round((seconds / rows) * 1e7) / 10;
    const perRow = {
      parse: us(cpu.parse), map: us(cpu.translate - cpu.parse), encode: us(cpu.binaryEncode), engine: us(cpu.binaryEngine),
      json_encode: us(cpu.jsonEncode), json_engine: us(cpu.jsonEngine),
    };
    const value = Math.round(rows / (cpu.binaryEncode + cpu.binaryEngine));
    const baseline = Math.round(rows / (cpu.jsonEncode + cpu.jsonEngine));
    const total = perRow.parse + perRow.map + perRow.encode + perRow.engine;
    log(`${rows} rows (${(bytes / 1e6).toFixed(0)} MB of RawResults), µs per row on one core: parse ${perRow.parse}, map ${perRow.map}, ` +
      `encode ${perRow.encode} + engine ${perRow.engine} (RowBinary) against ${perRow.json_encode} + ${perRow.json_engine} (JSON)`);
    log(`encode + insert: ${value} rows per core-second against ${baseline} with JSON; the sink's stages together: ${total.toFixed(1)} µs per row, ` +
      `at most ${Math.round(2e6 / total)} rows/s on 2 cores before Kafka, batching and GC`);
    return {
      bench: 'sink-stages', metric: 'encode_insert_rows_per_core_s', unit: 'rows/s', value, baseline, ratio: Math.round((value / baseline) * 100) / 100,
      rows, source_mb: Math.round(bytes / 1e6), cpu_us_per_row: perRow, stages_us_per_row: Math.round(total * 10) / 10,
      ceiling_rows_per_s_2_cores: Math.round(2e6 / total),
    };
  } finally {
    await lease.release();
    await ours.close();
    await json.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Seconds a synchronous stage holds the JS thread. */
function timeOf(work: () => unknown): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}
