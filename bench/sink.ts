/**
 * `npm run bench -- sink [--json] [--rows N] [--baseline-rows N]`: the ClickHouse sink end to end.
 *
 * Ours: ≥ 1M rows across tables (bench/sink-data.ts: realistic Cafe24 records of many shops) are produced to
 * raw.results and sync.runs first (not timed); then a sink process (bench/sink-worker.ts, its own engine
 * directory) consumes them from Kafka, maps, batches and inserts into the embedded engine, committing offsets as
 * in production. Rate = rows landed ÷ (last commit − first message fetched); the group join before the first
 * fetch is reported apart (startup_s).
 * Baseline, same run, same process: the old system's pattern, one INSERT per row, on a sample of the same mapped
 * rows (a few thousand: at its rate a million rows would take hours), its rate extrapolated.
 * Needs the broker: KAFKA_BROKERS, or the local one (started here when it is not running, stopped afterwards).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RAW_RESULTS_TOPIC } from '../lib/contracts/raw-result.js';
import { SINK_DLQ_TOPIC } from '../lib/contracts/dlq.js';
import { SYNC_RUNS_TOPIC } from '../lib/contracts/sync-run.js';
import { createKafka, PRODUCE_COMPRESSION } from '../lib/kafka/client.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';
import { ensureLocalBroker } from '../scripts/kafka/local-broker.js';
import type { BenchArgs, BenchResult } from './run.js';
import { tenantMessages } from './sink-data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const option = (argv: string[], name: string, fallback: number) => {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] ? Number(argv[at + 1]) : fallback;
};

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  const targetRows = option(argv, '--rows', 1_000_000);
  const baselineRows = option(argv, '--baseline-rows', 2_000);
  const broker = await ensureLocalBroker(log);
  process.env.KAFKA_BROKERS = broker.brokers;
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'bench', topicPrefix: prefix });
  const admin = kafka.kafka.admin();
  await admin.connect();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-sink-'));
  const topics = [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC, SINK_DLQ_TOPIC];
  try {
    const specs = (await readTopicSpecs(join(ROOT, 'topics.json'))).filter((s) => topics.includes(s.name));
    await applyTopics(admin, specs, { prefix });

    // Produce (not timed).
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    const producer = kafka.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const expected: Record<string, number> = {};
    const sample: string[] = [];
    let tenants = 0;
    let rows = 0;
    let bytes = 0;
    let records = 0;
    const producedAt = Date.now();
    while (rows < targetRows) {
      const group = Array.from({ length: 8 }, (_, i) => tenantMessages(tenants + i));
      await Promise.all(group.map((t) => producer.send({ topic: kafka.topic(RAW_RESULTS_TOPIC), compression: PRODUCE_COMPRESSION, messages: t.rawResults.map((value) => ({ key: t.tenant, value })) })));
      await producer.send({ topic: kafka.topic(SYNC_RUNS_TOPIC), compression: PRODUCE_COMPRESSION, messages: group.map((t) => ({ key: t.tenant, value: t.syncRun })) });
      for (const t of group) {
        for (const [table, n] of Object.entries(t.rows)) {
          expected[table] = (expected[table] ?? 0) + n;
          rows += n;
        }
        for (const value of t.rawResults) bytes += value.length;
        records += t.rows.raw_records ?? 0;
        if (sample.length < 8) sample.push(...t.rawResults.map((v) => v.toString('base64')));
      }
      tenants += group.length;
    }
    await producer.disconnect();
    log(`produced ${tenants} tenants: ${records} records, ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB of RawResults in ${((Date.now() - producedAt) / 1000).toFixed(1)} s`);

    const endOffsets: Record<string, Record<string, string>> = {};
    for (const topic of [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC]) {
      endOffsets[topic] = Object.fromEntries((await admin.fetchTopicOffsets(kafka.topic(topic))).map((o) => [o.partition, o.high]));
    }
    const sampleFile = join(dataDir, 'sample.b64');
    writeFileSync(sampleFile, sample.join('\n'));

    const result = await runWorker({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!, TOPIC_PREFIX: prefix, CHDB_DATA_DIR: join(dataDir, 'chdb'),
      END_OFFSETS: JSON.stringify(endOffsets), EXPECTED_ROWS: JSON.stringify(expected), SAMPLE_FILE: sampleFile,
      BASELINE_ROWS: String(baselineRows),
    });
    if (!result.correct) throw new Error(`the sink landed ${JSON.stringify(result.landed)}, expected ${JSON.stringify(expected)}`);
    const value = Math.round(result.rows / (result.elapsedMs / 1000));
    const baseline = Math.round(result.baselineRows / (result.baselineMs / 1000));
    log(`sink: ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.groups} flush groups, startup ${(result.startupMs / 1000).toFixed(1)} s): ${value} rows/s, ${(bytes / 1e6 / (result.elapsedMs / 1000)).toFixed(1)} MB/s of RawResults, peak RSS ${result.peakRssMb.toFixed(0)} MB (V8 heap ≤ ${result.memory.heapMb.toFixed(0)} MB, buffers ≤ ${result.memory.externalMb.toFixed(0)} MB, the rest the engine's), CPU ${((result.cpuUserMs + result.cpuSystemMs) / result.elapsedMs).toFixed(2)} cores, JS thread busy ${(result.jsThreadBusy * 100).toFixed(0)} %`);
    log(`baseline (one INSERT per row): ${result.baselineRows} rows in ${(result.baselineMs / 1000).toFixed(1)} s: ${baseline} rows/s; a million rows at that rate: ${(1e6 / baseline / 3600).toFixed(1)} h`);
    log(`landed per table (FINAL, all equal to produced): ${JSON.stringify(result.landed)}`);
    return {
      bench: 'sink', metric: 'rows_per_s', unit: 'rows/s', value, baseline, ratio: Math.round((value / baseline) * 10) / 10,
      peak_rss_mb: Math.round(result.peakRssMb),
      peak_v8_heap_mb: Math.round(result.memory.heapMb), peak_buffers_mb: Math.round(result.memory.externalMb),
      rows: result.rows, records, source_mb: Math.round(bytes / 1e6), mb_per_s: Math.round((bytes / 1e6 / (result.elapsedMs / 1000)) * 10) / 10,
      elapsed_s: Math.round(result.elapsedMs / 100) / 10, startup_s: Math.round(result.startupMs / 100) / 10, flush_groups: result.groups,
      baseline_sample_rows: result.baselineRows, baseline_extrapolated: true, rows_by_table: result.landed,
      // Share of the run the sink's JS thread was busy (event-loop utilisation): ≈ 1 means it sets the pace.
      js_thread_busy: Math.round(result.jsThreadBusy * 100) / 100,
      cpu_cores_used: Math.round(((result.cpuUserMs + result.cpuSystemMs) / result.elapsedMs) * 100) / 100,
      // CPU time of the sink process per row (both threads: JS and the engine): what a busy machine cannot inflate.
      cpu_us_per_row: Math.round(((result.cpuUserMs + result.cpuSystemMs) * 1000) / result.rows * 10) / 10,
      // The same per source record (an order, a product: its typed rows and its raw_records row together).
      cpu_us_per_record: Math.round(((result.cpuUserMs + result.cpuSystemMs) * 1000) / records * 10) / 10,
    };
  } finally {
    await admin.deleteTopics({ topics: topics.map((t) => kafka.topic(t)) }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
    broker.stop();
  }
}

interface WorkerResult {
  rows: number; groups: number; landed: Record<string, number>; correct: boolean; startupMs: number; elapsedMs: number;
  peakRssMb: number; memory: { heapMb: number; externalMb: number; rssMb: number }; cpuUserMs: number; cpuSystemMs: number; baselineRows: number; baselineMs: number;
  jsThreadBusy: number;
}

function runWorker(env: Record<string, string>): Promise<WorkerResult> {
  // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of the sink process there (profiling, not for the figures).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const worker = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(new URL('./sink-worker.ts', import.meta.url))], {
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => worker.on('exit', (code) => {
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as WorkerResult);
    else reject(new Error(`the sink worker exited ${code}: ${out.slice(-2000)}`));
  }));
}
