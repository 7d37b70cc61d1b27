/**
 * The sink benchmark's measured process (bench/sink.ts starts it): a sink on its own engine directory consumes
 * the pre-produced topics to their end; then, in the same process, the baseline inserts a sample of the same
 * records one row per statement. Prints one line `RESULT {json}`.
 * Env: KAFKA_BROKERS, TOPIC_PREFIX, CHDB_DATA_DIR, END_OFFSETS ({topic: {partition: end}}), EXPECTED_ROWS
 * ({table: rows}), SAMPLE_FILE (base64 raw.results values, one per line), BASELINE_ROWS, and the sink's tuning as
 * SINK_BATCH_ROWS / SINK_BATCH_BYTES / SINK_BATCH_AGE_MS / SINK_MAX_BYTES_PER_PARTITION when set.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createKafka } from '../lib/kafka/client.js';
import { createLogger } from '../lib/logger.js';
import { migrate } from '../lib/warehouse/migrate.js';
import { openEmbeddedWarehouse } from '../lib/warehouse/chdb-warehouse.js';
import type { Row } from '../lib/warehouse/warehouse.js';
import { waitFor } from '../lib/wait-for.js';
import { createBuyerHasher } from '../lib/buyer-hash.js';
import { platformModels } from '../consumers/platforms.js';
import { RowBuffer } from '../lib/model/row-buffer.js';
import { createSink } from '../consumers/sink/sink.js';
import { TABLES } from '../lib/model/tables.js';
import { createTranslator } from '../consumers/sink/translate.js';
import { finalCounts } from './final-counts.js';

const env = process.env;
const endOffsets = JSON.parse(env.END_OFFSETS!) as Record<string, Record<string, string>>;
const expected = JSON.parse(env.EXPECTED_ROWS!) as Record<string, number>;
const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn', destination: process.stderr });
const tuning = Object.fromEntries(
  ([['batchRows', 'SINK_BATCH_ROWS'], ['batchBytes', 'SINK_BATCH_BYTES'], ['batchAgeMs', 'SINK_BATCH_AGE_MS'], ['maxBytesPerPartition', 'SINK_MAX_BYTES_PER_PARTITION'], ['maxBufferedBytes', 'SINK_MAX_BUFFERED_BYTES']] as const)
    .filter(([, name]) => env[name]).map(([key, name]) => [key, Number(env[name])]),
);

const warehouse = await openEmbeddedWarehouse({ dataDir: env.CHDB_DATA_DIR!, database: 'bench' });
await migrate(warehouse);
const kafka = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'bench-sink', topicPrefix: env.TOPIC_PREFIX!, logger });
const sink = createSink({ kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: 'bench', ...tuning });

// Where memory goes: V8 heap vs the rest (the engine's native memory, buffers), sampled during the run.
const memory = { heapMb: 0, externalMb: 0, rssMb: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  memory.heapMb = Math.max(memory.heapMb, m.heapTotal / 2 ** 20);
  memory.externalMb = Math.max(memory.externalMb, (m.external + m.arrayBuffers) / 2 ** 20);
  memory.rssMb = Math.max(memory.rssMb, m.rss / 2 ** 20);
}, 100);
const started = Date.now();
// How busy the JS thread is over the run: near 1 means it, not the engine (on its own threads), sets the pace.
const loopAtStart = performance.eventLoopUtilization();
await sink.start();
const done = () => {
  const committed = sink.committed();
  return Object.entries(endOffsets).every(([topic, ends]) => Object.entries(ends).every(([partition, end]) =>
    BigInt(end) === 0n || BigInt(committed[`${topic}:${partition}`] ?? '-1') >= BigInt(end)));
};
await waitFor(done, { deadlineMs: 30 * 60_000, intervalMs: 20, description: 'the sink to commit every partition to its end' });
const { rows, groups, firstMessageAt, lastCommitAt } = sink.stats;
const jsThreadBusy = performance.eventLoopUtilization(loopAtStart).utilization;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
clearInterval(sampler);
const cpu = process.cpuUsage();
await sink.stop();

const landed = await finalCounts(warehouse);
const correct = TABLES.every((t) => landed[t] === (expected[t] ?? 0));

// Baseline: the old system's pattern, one INSERT statement per row, on a sample of the same records.
const baselineDb = await openEmbeddedWarehouse({ dataDir: env.CHDB_DATA_DIR!, database: 'bench_baseline' });
await migrate(baselineDb);
const translate = createTranslator({ registry: platformModels(), hashBuyer: createBuyerHasher('bench'), maxRecordBytes: 1024 * 1024 });
const sample = new RowBuffer();
readFileSync(env.SAMPLE_FILE!, 'utf8').trim().split('\n').forEach((line, i) => {
  translate({ topic: 'raw.results', partition: 0, offset: String(i), key: undefined, value: Buffer.from(line, 'base64'), headers: {} }, sample, []);
});
const want = Number(env.BASELINE_ROWS ?? 2_000);
const picks: { table: string; row: object }[] = [];
for (const table of sample.tables()) {
  const all = sample.rowsOf(table);
  const take = Math.max(1, Math.round((all.length / sample.count) * want));
  for (const row of all.slice(0, take)) picks.push({ table, row });
}
const baselineStarted = performance.now();
for (const { table, row } of picks) await baselineDb.insert(table, [row as Row]);
const baselineMs = performance.now() - baselineStarted;
await baselineDb.close();
await warehouse.close();

process.stdout.write(`RESULT ${JSON.stringify({
  rows, groups, landed, correct,
  startupMs: (firstMessageAt ?? started) - started,
  elapsedMs: (lastCommitAt ?? Date.now()) - (firstMessageAt ?? started),
  peakRssMb, memory, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
  baselineRows: picks.length, baselineMs, jsThreadBusy,
})}\n`);
process.exit(0);
