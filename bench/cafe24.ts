/**
 * `npm run bench -- cafe24 [--json] [--shops N] [--latency-ms N] [--only ours|baseline] [--sim-prerender-mb N]`:
 * 1,000 Cafe24 shops, from sync requests on Kafka to rows in ClickHouse, against the old system's way of syncing
 * them, and against the API's lower bound (every option: below).
 *
 * Setup (not timed): a fresh topic prefix on the broker (KAFKA_BROKERS, or the local one, started if needed), the
 * simulator in its own process (bench/cafe24-sim.ts: `fleetSpecs` sizes from the seed, a fixed latency per call,
 * the real bucket limits), each shop's app install (tokens on the credentials topic), the sink in its own process
 * on a fresh embedded engine directory (bench/cafe24-sink.ts), and the Cafe24 consumer group in this process.
 *
 * Ours (timed): every shop's sync request published at once (tier paid → sync.cafe24.high); the clock runs from
 * the first publish until every shop's chain of jobs ended (a terminal sync run: succeeded, dead, needs_reauth)
 * and every record those runs fetched, and every run event, landed in ClickHouse (the sink reports each committed
 * flush group). A full first sync: orders of the last `initialDays` (90, as configured), all products, categories.
 *
 * Baseline (timed, same run, after ours): a second simulator process with the same seed and data anchor (fresh
 * buckets and tokens, the same shops and orders), and bench/cafe24-baseline.ts doing what the old system did:
 * batches of 20 shops, each batch waiting for its slowest shop, with the same connector code; after each batch its
 * records are mapped (the sink's mapping, the same rows) and inserted into ClickHouse, batched per table (kinder
 * than the old row-at-a-time inserts); no Kafka. The fetch phases alone are reported too (`baseline_fetch_s`):
 * a fetch-only old system, the most favourable reading of it (`ratio_vs_fetch_only`).
 *
 * Bound: see bench/cafe24-bound.ts: max(the slowest mall's minimum time for its calls under the API's latency
 * and limits, the pipeline's CPU time ÷ cores). The pipeline is this process (consumer group), the sink process
 * and the Kafka broker; the simulator (Cafe24's servers in production) is reported apart, and so is the bound
 * with it counted (`bound_machine_s`), since on this machine it competes for the same cores.
 *
 * Concurrency (jobs in flight in the consumer group) defaults to 128. The run is CPU-bound on 2 cores, and the
 * simulator serves every mall from one thread: past ~100 jobs in flight more jobs only queue at the simulator and
 * on the event loops, calls take seconds, jobs overrun their 30 s budget and are retried, and the retries fetch
 * again. Measured at 1,000 shops: 300 in flight → 1,265 failed attempts, 14,039 calls (+39%), simulator CPU +25%,
 * consumer RSS +30%, and no faster; 128 → 92 failed attempts; 64 → 11, but a slower start (large shops start late).
 * With the real API and more cores, the same reasoning scales it up: enough jobs to keep every core busy.
 *
 * The simulator serializes the orders the runs will read before each run's clock starts (`prerenderOrders`, up to
 * --sim-prerender-mb of them; the rest are built on demand): Cafe24 builds its pages on its own servers, and building
 * them here took 17-20 CPU s of the two cores during a 100-shop run (against ~9 s left for serving), a load the
 * pipeline never meets in production. Both runs get the same; `sim_prerendered_orders` says how many.
 *
 * Options: --shops N (1000) · --concurrency N (128) · --latency-ms N (100) · --sim-prerender-mb N (3072; 0: none)
 * · --seed N (2026) · --batch N (baseline batch size, 20) · --job-timeout-ms N (30000, the production default)
 * · --page-threads N (the consumer's page threads; the production default)
 * · --baseline-fetch-only (the baseline neither maps nor inserts) · --only ours|baseline (investigation runs; no
 * ratio) · CAFE24_PROFILE_DIR=<dir> profiles the child processes.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafka } from '../lib/kafka/client.js';
import { createPublisher } from '../lib/kafka/publisher.js';
import { RUNNER_EVENTS } from '../lib/kafka/runner.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';
import { createLogger } from '../lib/logger.js';
import { createKeyring, generateKeySpec } from '../lib/secrets.js';
import { waitFor } from '../lib/wait-for.js';
import { createCafe24Consumer } from '../consumers/cafe24/cafe24-consumer.js';
import type { Cafe24Settings } from '../consumers/cafe24/connector-stack.js';
import { addDays, kstDay } from '../consumers/cafe24/order-windows.js';
import { buildSyncRequest, publishSyncRequests } from '../producers/sync-requests.js';
import { connectCafe24 } from '../producers/tenant-admin.js';
import type { BaselineResult, BaselineRun } from './cafe24-baseline.js';
import { lowerBound } from './cafe24-bound.js';
import { startChild, usage, type Child, type Usage } from './cafe24-ipc.js';
import { cpuMarks, median, watchRuns } from './pipeline-marks.js';
import type { EngineWork } from './cafe24-sink.js';
import type { MallCalls, SimInfo, SimStart } from './cafe24-sim.js';
import { ensureLocalBroker } from '../scripts/kafka/local-broker.js';
import type { BenchArgs, BenchResult } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_VERSION = '2025-12-01';
const LOOKBACK_DAYS = 15;
const INITIAL_DAYS = 90;
const SALT = 'bench-salt';
const TERMINAL = new Set(['succeeded', 'dead', 'needs_reauth']);

interface Settings {
  shops: number;
  concurrency: number;
  latencyMs: number;
  seed: number;
  batchSize: number;
  jobTimeoutMs: number;
  /** Undefined: the sync consumer's default. */
  pageThreads: number | undefined;
  cores: number;
  baselineLands: boolean;
  sim: SimStart;
  log: (line: string) => void;
}

const option = (argv: string[], name: string, fallback: number) => {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0`);
  return value;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'ours' && only !== 'baseline') throw new Error('--only takes ours or baseline');
  const shops = option(argv, '--shops', 1000);
  const seed = option(argv, '--seed', 2026);
  const latencyMs = option(argv, '--latency-ms', 100);
  const s: Settings = {
    shops, seed, latencyMs, concurrency: option(argv, '--concurrency', 128), batchSize: option(argv, '--batch', 20),
    jobTimeoutMs: option(argv, '--job-timeout-ms', 30_000),
    pageThreads: argv.includes('--page-threads') ? option(argv, '--page-threads', 0) : undefined, cores: cpus().length, log, baselineLands: !argv.includes('--baseline-fetch-only'),
    // One data anchor for both runs, so both simulators hold the same orders whatever the hour.
    sim: {
      shops, seed, prefix: 'bench', latencyMs, dataAnchorMs: Math.floor(Date.now() / 3_600_000) * 3_600_000,
      prerenderBytes: option(argv, '--sim-prerender-mb', 3072) * 2 ** 20,
      // A day before the runs' window, in case one of them starts after the next KST midnight.
      prerenderSinceMs: Date.parse(initialWindowStart()) - 86_400_000,
    },
  };

  const others = spawnSync('bash', ['-c', 'ps -eo pid,args | grep -E "bench/run\\.ts|bench/[a-z0-9-]+\\.ts|mocha" | grep -v grep'], { encoding: 'utf8' }).stdout
    .split('\n').filter((l) => l.trim() && !l.includes(String(process.pid)) && !l.includes(String(process.ppid)) && !/ cafe24( |$)/.test(l));
  if (others.length > 0) log(`warning: other benchmarks or tests are running; figures will be noisy:\n  ${others.map((l) => l.slice(0, 160)).join('\n  ')}`);
  log(`cafe24 bench: ${shops} shops (fleet seed ${seed}), ${latencyMs} ms per call, first sync of ${INITIAL_DAYS} days of orders, ${s.cores} cores`);

  const ours = only === 'baseline' ? undefined : await measureOurs(s);
  const baseline = only === 'ours' ? undefined : await measureBaseline(s);

  const value = ours?.wallS ?? Number.NaN;
  const baselineS = baseline?.wallS ?? Number.NaN;
  const calls = ours?.calls ?? baseline!.calls;
  const bound = lowerBound(calls.map((c) => ({ mallId: c.mallId, calls: c.ok })), latencyMs, ours?.pipelineCpuS ?? 0, s.cores);
  const boundMachineS = Math.max(bound.apiS, ((ours?.pipelineCpuS ?? 0) + (ours?.cpu.simulator ?? 0)) / s.cores);
  const ratio = baselineS / value;
  log(`bound: ${bound.boundS.toFixed(1)} s = max(API ${bound.apiS.toFixed(1)} s [${bound.apiMall}: ${bound.apiMallCalls} calls], ` +
    `pipeline CPU ${(ours?.pipelineCpuS ?? 0).toFixed(0)} s ÷ ${s.cores} cores = ${bound.cpuS.toFixed(1)} s); counting the simulator's CPU too: ${boundMachineS.toFixed(1)} s`);
  log(`RESULT ours ${value.toFixed(1)} s, baseline ${baselineS.toFixed(1)} s (fetch only: ${(baseline?.fetchS ?? Number.NaN).toFixed(1)} s), ` +
    `ratio ${ratio.toFixed(2)}× (vs fetch only ${((baseline?.fetchS ?? Number.NaN) / value).toFixed(2)}×), bound ${bound.boundS.toFixed(1)} s, ` +
    `ours ÷ bound ${(value / bound.boundS).toFixed(2)} (÷ API bound ${(value / bound.apiS).toFixed(1)}, ÷ bound with the simulator ${(value / boundMachineS).toFixed(2)})`);

  return {
    bench: 'cafe24', metric: 'wall_time', unit: 's', value: round(value), baseline: round(baselineS), ratio: round(ratio, 2),
    bound: round(bound.boundS), of_bound: round(value / bound.boundS, 2),
    peak_rss_mb: ours ? Math.round(ours.rssMb.consumer + ours.rssMb.sink) : null,
    shops, concurrency: s.concurrency, page_threads: s.pageThreads ?? null, latency_ms: latencyMs, job_timeout_ms: s.jobTimeoutMs, baseline_batch: s.batchSize,
    bound_api_s: round(bound.apiS), bound_api_mall: bound.apiMall, bound_api_mall_calls: bound.apiMallCalls,
    bound_cpu_s: round(bound.cpuS), bound_machine_s: round(boundMachineS), of_bound_machine: round(value / boundMachineS, 2),
    ...(ours ? {
      cpu_us_per_order: Math.round((ours.pipelineCpuS * 1e6) / Math.max(1, ours.tables.orders ?? 0)),
      cpu_us_per_order_by_process: Object.fromEntries((['consumer', 'sink', 'broker', 'broker_jit'] as const)
        .map((p) => [p, Math.round((ours.cpu[p] * 1e6) / Math.max(1, ours.tables.orders ?? 0))])),
      cpu_s: ours.cpu, pipeline_cores: round(ours.pipelineCpuS / ours.wallS, 2), other_load_cores: round(ours.otherLoadCores, 2),
      loop_delay_p99_ms: ours.loopDelayP99, peak_rss_mb_by_process: ours.rssMb,
      calls: sum(ours.calls, (c) => c.calls), calls_ok: sum(ours.calls, (c) => c.ok), rate_limited_429: sum(ours.calls, (c) => c.rateLimited),
      calls_by_endpoint: ours.byEndpoint, runs: ours.runs, runs_by_status: ours.byStatus, failed_attempts: ours.errors,
      job_ms_p50: ours.jobMs.p50, job_ms_p95: ours.jobMs.p95, fetched: ours.fetched, rows_by_table: ours.tables, expected: ours.expected, correct: ours.correct,
      sim_prerendered_orders: ours.simPrerendered, sink_engine: ours.sinkEngine,
    } : {}),
    ...(baseline ? {
      baseline_includes: s.baselineLands ? 'fetch, map, insert into ClickHouse (batched)' : 'fetch only',
      baseline_fetch_s: round(baseline.fetchS), baseline_land_s: round(baseline.landS), ratio_vs_fetch_only: round(baseline.fetchS / value, 2),
      baseline_calls: sum(baseline.calls, (c) => c.calls), baseline_429: sum(baseline.calls, (c) => c.rateLimited), baseline_cpu_s: round(baseline.cpuS),
      baseline_peak_rss_mb: Math.round(baseline.rssMb), baseline_failed: baseline.result.failed.length, baseline_fetched: baseline.result.records,
      baseline_rows_by_table: baseline.tables,
    } : {}),
  };
}

// ------------------------------------------------------------------------------------------------------ ours

interface OursResult {
  wallS: number;
  pipelineCpuS: number;
  cpu: { consumer: number; sink: number; broker: number; broker_jit: number; simulator: number; machine_busy: number };
  otherLoadCores: number;
  loopDelayP99: { consumer: number; sink: number };
  rssMb: { consumer: number; sink: number; simulator: number };
  calls: MallCalls[];
  byEndpoint: Record<string, number>;
  runs: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  jobMs: { p50: number; p95: number; max: number };
  fetched: Record<string, number>;
  tables: Record<string, number>;
  expected: { orders: number; ordersAtEnd: number; products: number; categories: number };
  correct: boolean;
  /** Orders the simulator had serialized before the clock started. */
  simPrerendered: number;
  sinkEngine: EngineWork & { flush_groups: number };
}

async function measureOurs(s: Settings): Promise<OursResult> {
  const { log } = s;
  const broker = await ensureLocalBroker(log);
  process.env.KAFKA_BROKERS = broker.brokers;
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const prefix = `bench-c24-${randomBytes(4).toString('hex')}.`;
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'bench-cafe24', destination: process.stderr });
  const kafka = createKafka({ brokers, clientId: 'bench-cafe24', topicPrefix: prefix, logger });
  const admin = kafka.kafka.admin();
  await admin.connect();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-cafe24-'));
  const specs = await readTopicSpecs(join(ROOT, 'topics.json'));
  const children: Child[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const windowStart = initialWindowStart();
  try {
    await applyTopics(admin, specs, { prefix });
    const sim = startChild('cafe24-sim.ts');
    children.push(sim);
    const info = await sim.call<SimInfo>('start', s.sim);
    logPrerendered(log, info);
    const tenants = info.mallIds.map((mallId) => ({ tenantId: `t-${mallId}`, mallId }));
    const tokenResponses = await sim.call<unknown[]>('tokens', { mallIds: info.mallIds });

    const sink = startChild('cafe24-sink.ts');
    children.push(sink);
    await sink.call('start', { brokers, prefix, dataDir: join(dataDir, 'chdb'), salt: SALT });

    const consumer = createCafe24Consumer({
      kafka, logger, instanceId: 'bench-0', keyring: createKeyring(generateKeySpec('bench')), buyerHashSalt: SALT,
      cafe24: cafe24Settings(info),
      concurrency: s.concurrency, jobTimeoutMs: s.jobTimeoutMs, ...(s.pageThreads === undefined ? {} : { pageThreads: s.pageThreads }),
    });
    let joined = false;
    consumer.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => void (joined ||= reason === 'group join'));
    await consumer.start();
    cleanups.push(() => consumer.stop());
    for (let i = 0; i < tenants.length; i += 50) {
      await Promise.all(tenants.slice(i, i + 50).map((t, j) => connectCafe24(consumer.credentials, t.tenantId, t.mallId, tokenResponses[i + j])));
    }
    await waitFor(() => joined, { deadlineMs: 60_000, description: 'the Cafe24 consumer group to get its partitions' });

    // What the runs fetched, from sync.runs; what landed, from the sink's committed flush groups.
    const runs = {
      seen: 0, fetched: 0, byStatus: {} as Record<string, number>, errors: {} as Record<string, number>, terminal: new Set<string>(),
      fetchedByEntity: {} as Record<string, number>, durations: [] as number[],
    };
    const landed: Record<string, number> = {};
    let doneAt: number | undefined;
    const check = () => {
      if (doneAt === undefined && runs.terminal.size >= tenants.length && (landed.raw_records ?? 0) >= runs.fetched && (landed.sync_runs ?? 0) >= runs.seen) {
        doneAt = performance.now();
      }
    };
    let flushGroups = 0;
    sink.on('landed', ({ rowsByTable }: { rowsByTable: Record<string, number> }) => {
      flushGroups++;
      for (const [table, n] of Object.entries(rowsByTable)) landed[table] = (landed[table] ?? 0) + n;
      check();
    });
    const watcher = await watchRuns(kafka, (run) => {
      runs.seen++;
      runs.byStatus[run.status] = (runs.byStatus[run.status] ?? 0) + 1;
      runs.durations.push(run.durationMs);
      if (run.errorClass) {
        const key = `${run.status} ${run.errorClass}: ${(run.errorMessage ?? '').replace(/[0-9a-f-]{36}|\d+/g, 'N').slice(0, 80)}`;
        runs.errors[key] = (runs.errors[key] ?? 0) + 1;
      }
      for (const [entity, n] of Object.entries(run.counts)) {
        if (entity.endsWith('_oversize')) continue;
        runs.fetched += n;
        runs.fetchedByEntity[entity] = (runs.fetchedByEntity[entity] ?? 0) + n;
      }
      if (TERMINAL.has(run.status)) runs.terminal.add(run.tenantId);
      check();
    });
    cleanups.push(() => watcher.disconnect());
    const publisher = await createPublisher(kafka);
    cleanups.push(() => publisher.close());
    const requests = tenants.map((t) => buildSyncRequest({ tenantId: t.tenantId, platform: 'cafe24', tier: 'paid' }, 'scheduled', { since: windowStart }));

    // The clock starts after every process's CPU mark.
    const before = await cpuMarks(sim, sink);
    const startedAtMs = Date.now();
    const t0 = performance.now();
    await publishSyncRequests(publisher, requests);
    const published = performance.now();
    let peakRss = process.memoryUsage().rss;
    const progress = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      log(`  ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s: ${runs.terminal.size}/${tenants.length} shops done, ` +
        `${runs.seen} runs (${Object.entries(runs.byStatus).map(([st, n]) => `${st} ${n}`).join(', ')}), ` +
        `fetched ${runs.fetched}, landed ${landed.raw_records ?? 0} records, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
    }, 10_000);
    try {
      await waitFor(() => doneAt !== undefined, { intervalMs: 50, deadlineMs: 60 * 60_000, description: 'every shop synced and landed' });
    } finally {
      clearInterval(progress);
    }
    const after = await cpuMarks(sim, sink);
    const endedAtMs = Date.now();
    const wallS = (doneAt! - t0) / 1000;
    await consumer.stop();
    cleanups.length = 0;
    await publisher.close();
    await watcher.disconnect();

    const mainUsage = usage();
    const sinkUsage = await sink.call<Usage>('usage');
    const calls = await sim.call<MallCalls[]>('stats');
    const engine = await sink.call<EngineWork>('engine');
    const stored = await sink.call<{ tables: Record<string, number>; rawByEntity: Record<string, number> }>('counts');
    // Orders keep arriving: every order placed before the first publish must land, and none placed after the end.
    type Truth = { mallId: string; orders: number; products: number; categories: number }[];
    const truth = await sim.call<Truth>('expected', { since: windowStart, until: startedAtMs });
    const truthAtEnd = await sim.call<Truth>('expected', { since: windowStart, until: endedAtMs + 1 });
    const simUsage = await sim.call<Usage>('usage');
    await sink.call('stop');
    await sim.call('close');

    const cpu = {
      consumer: round((after.main - before.main) / 1000), sink: round((after.sink - before.sink) / 1000), broker: round((after.broker - before.broker) / 1000),
      broker_jit: round((after.brokerJit - before.brokerJit) / 1000),
      simulator: round((after.sim - before.sim) / 1000), machine_busy: round((after.machineBusy - before.machineBusy) / 1000),
    };
    const pipelineCpuS = cpu.consumer + cpu.sink + cpu.broker;
    const byEndpoint: Record<string, number> = {};
    for (const c of calls) for (const [e, n] of Object.entries(c.byEndpoint)) byEndpoint[e] = (byEndpoint[e] ?? 0) + n;
    // Orders, products, categories per shop_no; the simulator's truth counts products and categories per mall.
    const expected = {
      orders: sum(truth, (e) => e.orders), ordersAtEnd: sum(truthAtEnd, (e) => e.orders), products: sum(truth, (e) => e.products), categories: sum(truth, (e) => e.categories),
    };
    const durations = runs.durations.sort((a, b) => a - b);
    const pct = (p: number) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0;
    const rssMb = { consumer: Math.round(Math.max(mainUsage.maxRssMb, peakRss / 2 ** 20)), sink: Math.round(sinkUsage.maxRssMb), simulator: Math.round(simUsage.maxRssMb) };
    const otherLoadCores = (cpu.machine_busy - pipelineCpuS - cpu.simulator) / wallS;
    const delay = (u: Usage) => `mean ${u.loopDelay.meanMs.toFixed(0)} ms, p99 ${u.loopDelay.p99Ms.toFixed(0)} ms, max ${u.loopDelay.maxMs.toFixed(0)} ms`;
    // Every record fetched is a raw_records row (its key holds the request); typed tables hold each order once.
    const correct = (stored.tables.raw_records ?? 0) === runs.fetched
      && (stored.tables.orders ?? 0) >= expected.orders && (stored.tables.orders ?? 0) <= expected.ordersAtEnd
      && (stored.tables.products ?? 0) === (runs.fetchedByEntity.products ?? 0) && (stored.tables.sync_runs ?? 0) === runs.seen
      && (runs.byStatus.dead ?? 0) === 0 && (runs.byStatus.needs_reauth ?? 0) === 0;

    const totalCalls = sum(calls, (c) => c.calls);
    log(`ours: ${wallS.toFixed(1)} s from the first publish (publishing ${s.shops} requests took ${((published - t0) / 1000).toFixed(2)} s) to the last row; ` +
      `concurrency ${s.concurrency}, job budget ${s.jobTimeoutMs / 1000} s`);
    log(`  runs: ${runs.seen} ${JSON.stringify(runs.byStatus)}; job time p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms`);
    if (Object.keys(runs.errors).length > 0) log(`  failed attempts: ${JSON.stringify(runs.errors)}`);
    log(`  fetched ${JSON.stringify(runs.fetchedByEntity)}; the simulator's orders since ${windowStart}: ${expected.orders} placed before the start, ` +
      `${expected.ordersAtEnd} before the end`);
    log(`  landed (FINAL): ${JSON.stringify(stored.tables)}`);
    log(`  calls: ${totalCalls} (${sum(calls, (c) => c.ok)} answered 200, ${sum(calls, (c) => c.rateLimited)} × 429); ${JSON.stringify(byEndpoint)}`);
    log(`  CPU s: consumer ${cpu.consumer}, sink ${cpu.sink}, broker ${cpu.broker} (JIT ${cpu.broker_jit}) → pipeline ${pipelineCpuS.toFixed(1)} (${(pipelineCpuS / wallS).toFixed(2)} cores); ` +
      `simulator ${cpu.simulator} (${(cpu.simulator / wallS).toFixed(2)} cores); machine busy ${(cpu.machine_busy / wallS).toFixed(2)} of ${s.cores} cores ` +
      `(other processes ${otherLoadCores.toFixed(2)})`);
    log(`  event-loop delay: consumer ${delay(after.mainUsage)}; sink ${delay(after.sinkUsage)}`);
    log(`  peak RSS MB: consumer ${rssMb.consumer}, sink ${rssMb.sink} (simulator ${rssMb.simulator})`);
    log(`  sink engine: ${flushGroups} flush groups, ${engine.inserts} inserts writing ${engine.parts_written} parts ` +
      `(${(engine.parts_written / Math.max(1, flushGroups)).toFixed(1)} per group), ${engine.merges} merges of ${engine.merged_rows} rows, ` +
      `${engine.files_opened} files opened, ${engine.active_parts} active parts at the end`);
    if (!correct) log('  WARNING: landed rows differ from what was fetched, or some shops failed: see above');
    return {
      wallS, pipelineCpuS, cpu, otherLoadCores, rssMb, calls, byEndpoint, runs: runs.seen, byStatus: runs.byStatus, errors: runs.errors,
      loopDelayP99: { consumer: Math.round(after.mainUsage.loopDelay.p99Ms), sink: Math.round(after.sinkUsage.loopDelay.p99Ms) },
      jobMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) }, fetched: runs.fetchedByEntity, tables: stored.tables, expected, correct,
      simPrerendered: info.prerendered.orders, sinkEngine: { flush_groups: flushGroups, ...engine },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    for (const child of children) await child.close().catch(() => undefined);
    await admin.deleteTopics({ topics: specs.map((t) => kafka.topic(t.name)) }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
    broker.stop();
  }
}

// -------------------------------------------------------------------------------------------------- baseline

interface BaselineMeasure {
  wallS: number;
  /** Σ per batch of the fetch phase: what a fetch-only baseline takes. */
  fetchS: number;
  landS: number;
  cpuS: number;
  rssMb: number;
  result: BaselineResult;
  tables: Record<string, number>;
  calls: MallCalls[];
}

async function measureBaseline(s: Settings): Promise<BaselineMeasure> {
  const { log } = s;
  const sim = startChild('cafe24-sim.ts');
  const old = startChild('cafe24-baseline.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-cafe24-baseline-'));
  try {
    const info = await sim.call<SimInfo>('start', s.sim);
    logPrerendered(log, info);
    const tokens = await sim.call<unknown[]>('tokens', { mallIds: info.mallIds });
    if (s.baselineLands) await old.call('open', { dataDir: join(dataDir, 'chdb') });
    const args: BaselineRun = {
      cafe24: cafe24Settings(info), batchSize: s.batchSize, salt: SALT, land: s.baselineLands, dataDir, since: initialWindowStart(),
      shops: info.mallIds.map((mallId, i) => ({ tenantId: `t-${mallId}`, mallId, tokenResponse: tokens[i] })),
    };
    log(`baseline: ${s.shops} shops in batches of ${s.batchSize}, each batch waiting for its slowest shop, ` +
      `${s.baselineLands ? 'then mapping and inserting its rows into ClickHouse' : 'fetch only'}…`);
    const before = await old.call<Usage>('usage');
    const result = await old.call<BaselineResult>('run', args);
    const after = await old.call<Usage>('usage');
    const calls = await sim.call<MallCalls[]>('stats');
    const tables = s.baselineLands ? await old.call<Record<string, number>>('counts') : {};
    await old.call('close');
    await sim.call('close');
    const batchMs = result.fetchMs.map((ms, i) => ms + (result.landMs[i] ?? 0));
    const slowest = [...batchMs].sort((a, b) => b - a).slice(0, 3).map((ms) => (ms / 1000).toFixed(1));
    const fetchS = sum(result.fetchMs, (ms) => ms) / 1000;
    const landS = sum(result.landMs, (ms) => ms) / 1000;
    const cpuS = (after.cpuMs - before.cpuMs) / 1000;
    log(`baseline: ${(result.wallMs / 1000).toFixed(1)} s = fetch ${fetchS.toFixed(1)} s + landing ${landS.toFixed(1)} s; ${batchMs.length} batches, ` +
      `median ${(median(batchMs) / 1000).toFixed(1)} s, slowest ${slowest.join(', ')} s`);
    log(`  fetched ${JSON.stringify(result.records)}; ${sum(calls, (c) => c.calls)} calls, ${sum(calls, (c) => c.rateLimited)} × 429; ` +
      `${result.failed.length} shops failed; CPU ${cpuS.toFixed(1)} s; peak RSS ${after.maxRssMb.toFixed(0)} MB`);
    if (s.baselineLands) log(`  landed (FINAL): ${JSON.stringify(tables)}`);
    return { wallS: result.wallMs / 1000, fetchS, landS, cpuS, rssMb: after.maxRssMb, result, tables, calls };
  } finally {
    await old.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------- plumbing

/**
 * Where a first sync's orders begin (INITIAL_DAYS back, a whole KST day), fixed when a run begins and named in its
 * requests: a job that starts after KST midnight would otherwise reach one day less far back than the run's truth.
 */
function initialWindowStart(): string {
  return `${addDays(kstDay(Date.now()), -INITIAL_DAYS)}T00:00:00+09:00`;
}

function logPrerendered(log: (line: string) => void, { prerendered: p }: SimInfo): void {
  if (p.orders > 0) log(`simulator: ${p.orders} orders serialized before the clock starts (${(p.bytes / 2 ** 20).toFixed(0)} MB, ${p.seconds.toFixed(1)} s)`);
}

/** Both sides talk to their simulator with the same settings: only its address and app credentials differ. */
function cafe24Settings(info: SimInfo): Cafe24Settings {
  return {
    apiBaseTemplate: info.apiBaseTemplate, apiVersion: API_VERSION, clientId: info.clientId, clientSecret: info.clientSecret,
    lookbackDays: LOOKBACK_DAYS, initialDays: INITIAL_DAYS,
  };
}
