/**
 * `npm run bench -- ably [--json] [--sellers N] [--challenge-share X]`: Ably sellers on the simulator, from sync
 * requests on Kafka to rows in ClickHouse, against the old system's way in the same run.
 *
 * Setup (not timed): a fresh topic prefix on the broker (KAFKA_BROKERS or the local one), the simulator in its own
 * process (bench/ably-sim.ts; `--challenge-share` of the sellers need the browser login), every seller's e-mail and
 * password sealed on the credentials topic, the sink in its own process on a fresh embedded engine
 * (bench/cafe24-sink.ts), the Ably consumer group in this process (one Chromium at most, launched on the first
 * challenge login).
 * Ours (timed): every seller's sync request published at once (tier paid); the clock runs until every seller's
 * chain of jobs ended and every record and run event they produced landed in ClickHouse (the sink reports each
 * committed flush group). A first sync: 90 days of orders and claims, the catalog, 31 days of option stats,
 * settlements, reviews. Checked after the clock stops: the FINAL rows equal the simulator's truth.
 * Baseline (timed, same run, after ours): a second simulator process (same seed and clock: the same data) and
 * bench/ably-baseline.ts: batches of 20 sellers, each batch waiting for its slowest; per seller a fresh Chromium,
 * the SPA's login, every entity read from the rendered tables (fetch only). Every batch runs (at 200 sellers: 10
 * batches of 20 Chromiums at once); `--baseline-batches N` runs only the first N and extrapolates the rest at
 * their mean, for quick looks only (said so in the output and the JSON).
 * Memory: RSS summed over this process's tree (consumer, sink, Chromium and its helpers; the simulator apart),
 * sampled every 200 ms; the baseline's the same over its process and its browsers.
 *
 * Options: --sellers N (200) · --challenge-share X (0.1) · --latency-ms N (100, per API call, both runs)
 * · --concurrency N (48) · --browser-pages N (3) · --baseline-batches N (0 = all) · --batch N (20) · --seed N (2026) · --only ours|baseline · --help
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAblyConsumer } from '../consumers/ably/ably-consumer.js';
import type { AblySettings } from '../consumers/ably/connector-stack.js';
import type { AblySecret } from '../consumers/ably/login.js';
import { createKafka } from '../lib/kafka/client.js';
import { createPublisher } from '../lib/kafka/publisher.js';
import { RUNNER_EVENTS } from '../lib/kafka/runner.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';
import { createLogger } from '../lib/logger.js';
import { createKeyring, generateKeySpec } from '../lib/secrets.js';
import { waitFor } from '../lib/wait-for.js';
import { buildSyncRequest, publishSyncRequests } from '../producers/sync-requests.js';
import { ensureLocalBroker } from '../scripts/kafka/local-broker.js';
import type { AblyBaselineResult, AblyBaselineRun } from './ably-baseline.js';
import type { AblySimInfo, AblySimStart, AblyTruthTotals } from './ably-sim.js';
import { startChild, type Child, type Usage } from './cafe24-ipc.js';
import { cpuMarks, median, watchRuns } from './pipeline-marks.js';
import { processTree, sampleTree } from './proc-tree.js';
import type { BenchArgs, BenchResult } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SALT = 'bench-salt';
const TERMINAL = new Set(['succeeded', 'dead', 'needs_reauth']);
const DAY_MS = 86_400_000;
const SIZES = { goods: 4, ordersPerDay: 3, historyDays: 30 };

const HELP = `npm run bench -- ably [--json] [options]
  --sellers N            sellers on the simulator (200)
  --challenge-share X    share of them that need the browser login (0.1)
  --latency-ms N         latency of every API call, both runs (100)
  --concurrency N        jobs in flight in the consumer group (48)
  --browser-pages N      browser logins at once in ours (3)
  --baseline-batches N   baseline batches measured; the rest extrapolated (0 = all, the default)
  --batch N              baseline batch size (20)
  --seed N               simulator seed (2026)
  --only ours|baseline   one side alone, no ratio (diagnosis)
  --json                 last line: the result as one JSON object`;

const option = (argv: string[], name: string, fallback: number) => {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0`);
  return value;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const kst = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

interface Settings {
  sim: AblySimStart;
  concurrency: number;
  browserPages: number;
  baselineBatches: number;
  batchSize: number;
  log: (line: string) => void;
}

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  if (argv.includes('--help')) {
    log(HELP);
    process.exit(0);
  }
  const sellers = option(argv, '--sellers', 200);
  const s: Settings = {
    sim: { sellers, seed: option(argv, '--seed', 2026), challengeShare: option(argv, '--challenge-share', 0.1), latencyMs: option(argv, '--latency-ms', 100), ...SIZES },
    concurrency: option(argv, '--concurrency', 48), browserPages: option(argv, '--browser-pages', 3), baselineBatches: option(argv, '--baseline-batches', 0), batchSize: option(argv, '--batch', 20), log,
  };
  log(`ably bench: ${sellers} sellers (${Math.round(s.sim.challengeShare * 100)} % need the browser login), ${s.sim.latencyMs} ms per API call, ` +
    `${SIZES.goods} products and ${SIZES.ordersPerDay} orders a day over ${SIZES.historyDays} days each, ${cpus().length} cores`);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'ours' && only !== 'baseline') throw new Error('--only must be ours or baseline');
  if (only === 'ours') return partial('ours', await measureOurs(s));
  if (only === 'baseline') return partial('baseline', await measureBaseline(s));
  const ours = await measureOurs(s);
  const baseline = await measureBaseline(s);
  const ratio = baseline.wallS / ours.wallS;
  const perItem = (cpuS: number, items: number) => (items > 0 ? Math.round((cpuS * 1e6) / items) : null);
  log(`RESULT ours ${ours.wallS.toFixed(1)} s, baseline ${baseline.wallS.toFixed(1)} s${baseline.extrapolated ? ' (extrapolated)' : ''}, ratio ${ratio.toFixed(1)}× (target ≥ 20×); ` +
    `peak RSS ours ${Math.round(ours.peakRssMb)} MB (target ≤ 1536), baseline ${Math.round(baseline.peakRssMb)} MB`);
  return {
    bench: 'ably', metric: 'wall_time', unit: 's', value: round(ours.wallS), baseline: round(baseline.wallS), ratio: round(ratio, 1),
    peak_rss_mb: Math.round(ours.peakRssMb), peak_pss_mb: Math.round(ours.peakPssMb), peak_rss_browser_mb: Math.round(ours.peakBrowserMb), peak_rss_sink_mb: Math.round(ours.peakSinkMb), peak_pss_sink_mb: Math.round(ours.peakSinkPssMb), baseline_peak_rss_mb: Math.round(baseline.peakRssMb),
    sellers, challenge_share: s.sim.challengeShare, latency_ms: s.sim.latencyMs, concurrency: s.concurrency, browser_pages: s.browserPages,
    jobs: ours.jobs, runs_by_status: ours.byStatus, failed_attempts: ours.errors,
    browser_launches_per_100_jobs: round((100 * ours.launches) / ours.jobs, 2), logins_per_100_jobs: round((100 * ours.logins) / ours.jobs, 1),
    browser_logins: ours.browserLogins, api_logins: ours.apiLogins,
    baseline_browser_launches_per_100_jobs: round((100 * baseline.result.launches) / Math.max(1, baseline.result.sellers), 1),
    baseline_logins_per_100_jobs: round((100 * baseline.result.logins) / Math.max(1, baseline.result.sellers), 1),
    order_items: ours.truth.orderItems, cpu_us_per_order_item: perItem(ours.pipelineCpuS, ours.truth.orderItems),
    baseline_cpu_us_per_order_item: perItem(baseline.cpuS, baseline.result.records.order_items ?? 0),
    cpu_s: ours.cpu, rows_by_table: ours.tables, expected: ours.truth, correct: ours.correct,
    baseline_measured_sellers: baseline.result.sellers, baseline_extrapolated: baseline.extrapolated, baseline_batch_s: baseline.result.batchMs.map((ms) => round(ms / 1000)),
    baseline_records: baseline.result.records, baseline_failed: baseline.result.failed.length, baseline_includes: 'fetch only (rendered SPA tables), nothing stored',
  };
}

/** One side alone (`--only`), for diagnosis: no ratio, since both sides must come from the same run. */
function partial(side: 'ours' | 'baseline', m: OursResult | BaselineMeasure): BenchResult {
  const { result: _result, ...figures } = m as BaselineMeasure;
  return { bench: 'ably', metric: 'wall_time', unit: 's', value: side === 'ours' ? round(m.wallS) : 0, baseline: side === 'baseline' ? round(m.wallS) : 0, ratio: 0, only: side, ...figures };
}

// ------------------------------------------------------------------------------------------------------ ours

interface OursResult {
  wallS: number;
  pipelineCpuS: number;
  cpu: Record<string, number>;
  peakRssMb: number;
  peakPssMb: number;
  peakBrowserMb: number;
  /** The sink's process alone (the embedded engine maps its whole library: most of its RSS is shared file pages). */
  peakSinkMb: number;
  peakSinkPssMb: number;
  jobs: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  launches: number;
  logins: number;
  apiLogins: number;
  browserLogins: number;
  tables: Record<string, number>;
  truth: AblyTruthTotals;
  correct: boolean;
}

function ablySettings(info: AblySimInfo, browserPages: number): AblySettings {
  return {
    apiBaseUrl: info.apiUrl, webUrl: info.webUrl, hostRatePerSec: 2_000, accountRatePerSec: 5, lookbackDays: 7, initialDays: 90,
    browserPages, browserRetireAfter: 100, browserMaxRssMb: 1024, evidenceDir: '',
  };
}

async function measureOurs(s: Settings): Promise<OursResult> {
  const { log } = s;
  const broker = await ensureLocalBroker(log);
  const brokers = broker.brokers.split(',');
  const prefix = `bench-ably-${randomBytes(4).toString('hex')}.`;
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'bench-ably', destination: process.stderr });
  const kafka = createKafka({ brokers, clientId: 'bench-ably', topicPrefix: prefix, logger });
  const admin = kafka.kafka.admin();
  await admin.connect();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ably-'));
  const specs = await readTopicSpecs(join(ROOT, 'topics.json'));
  const children: Child[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await applyTopics(admin, specs, { prefix });
    const sim = startChild('ably-sim.ts');
    children.push(sim);
    const info = await sim.call<AblySimInfo>('start', s.sim);
    const sink = startChild('cafe24-sink.ts');
    children.push(sink);
    await sink.call('start', { brokers, prefix, dataDir: join(dataDir, 'chdb'), salt: SALT });
    const consumer = createAblyConsumer({
      kafka, logger, instanceId: 'bench-ably-0', keyring: createKeyring(generateKeySpec('bench')), buyerHashSalt: SALT, ably: ablySettings(info, s.browserPages),
      now: () => info.nowMs, concurrency: s.concurrency, jobTimeoutMs: 60_000,
    });
    let joined = false;
    consumer.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => void (joined ||= reason === 'group join'));
    await consumer.start();
    cleanups.push(() => consumer.stop());
    const tenants = info.accounts.map((a) => ({ ...a, tenantId: `t-${a.sellerId}` }));
    for (let i = 0; i < tenants.length; i += 50) {
      await Promise.all(tenants.slice(i, i + 50).map((t) => consumer.credentials.put(t.tenantId, 'ably', { email: t.email, password: t.password } satisfies AblySecret)));
    }
    await waitFor(() => joined, { deadlineMs: 60_000, description: 'the Ably consumer group to get its partitions' });

    const runs = { seen: 0, fetched: 0, byStatus: {} as Record<string, number>, errors: {} as Record<string, number>, terminal: new Set<string>() };
    const landed: Record<string, number> = {};
    let doneAt: number | undefined;
    const check = () => {
      if (doneAt === undefined && runs.terminal.size >= tenants.length && (landed.raw_records ?? 0) >= runs.fetched && (landed.sync_runs ?? 0) >= runs.seen) doneAt = performance.now();
    };
    sink.on('landed', ({ rowsByTable }: { rowsByTable: Record<string, number> }) => {
      for (const [table, n] of Object.entries(rowsByTable)) landed[table] = (landed[table] ?? 0) + n;
      check();
    });
    const watcher = await watchRuns(kafka, (r) => {
      runs.seen++;
      runs.byStatus[r.status] = (runs.byStatus[r.status] ?? 0) + 1;
      if (r.errorClass) {
        const key = `${r.status} ${r.errorClass}: ${(r.errorMessage ?? '').replace(/[0-9a-f-]{36}|\d+/g, 'N').slice(0, 80)}`;
        runs.errors[key] = (runs.errors[key] ?? 0) + 1;
      }
      for (const [entity, n] of Object.entries(r.counts)) if (!entity.endsWith('_oversize')) runs.fetched += n;
      if (TERMINAL.has(r.status)) runs.terminal.add(r.tenantId);
      check();
    });
    cleanups.push(() => watcher.disconnect());
    const publisher = await createPublisher(kafka);
    cleanups.push(() => publisher.close());
    const requests = tenants.map((t) => buildSyncRequest({ tenantId: t.tenantId, platform: 'ably', tier: 'paid' }, 'scheduled'));

    const rss = sampleTree(process.pid, [sim.process.pid!]);
    const sinkRss = sampleTree(sink.process.pid!);
    const before = await cpuMarks(sim, sink);
    const t0 = performance.now();
    await publishSyncRequests(publisher, requests);
    const progress = setInterval(() => log(`  ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s: ${runs.terminal.size}/${tenants.length} sellers done, ` +
      `${runs.seen} runs, fetched ${runs.fetched}, landed ${landed.raw_records ?? 0}, RSS (tree) ${Math.round(rss.peakMb)} MB peak`), 10_000);
    try {
      await waitFor(() => doneAt !== undefined, { intervalMs: 50, deadlineMs: 30 * 60_000, description: 'every seller synced and landed' });
    } finally {
      clearInterval(progress);
    }
    const after = await cpuMarks(sim, sink);
    rss.stop();
    sinkRss.stop();
    const wallS = (doneAt! - t0) / 1000;
    const browserCpuS = rss.browserCpuMs() / 1000;
    const { counts } = consumer.stack.sessions;
    const stats = consumer.stack.browsers.stats;
    await consumer.stop();
    cleanups.length = 0;
    await publisher.close();
    await watcher.disconnect();
    const leftover = processTree(process.pid, [sim.process.pid!, sink.process.pid!]).filter((p) => p.pid !== process.pid);
    const stored = await sink.call<{ tables: Record<string, number> }>('counts');
    const truth = await sim.call<AblyTruthTotals>('truth');
    await sink.call('stop');
    await sim.call('close');

    const cpu = {
      consumer: round((after.main - before.main) / 1000), sink: round((after.sink - before.sink) / 1000), broker: round((after.broker - before.broker) / 1000),
      browser: round(browserCpuS), simulator: round((after.sim - before.sim) / 1000),
    };
    const pipelineCpuS = cpu.consumer + cpu.sink + cpu.broker + cpu.browser;
    const t = stored.tables;
    const correct = t.order_items === truth.orderItems && t.orders === truth.orders && t.products === truth.goods && t.order_claims === truth.claims
      && t.reviews === truth.reviews && t.settlements === truth.settlements && (runs.byStatus.dead ?? 0) === 0 && (runs.byStatus.needs_reauth ?? 0) === 0;
    log(`ours: ${wallS.toFixed(1)} s from the first publish to the last row; ${runs.seen} runs ${JSON.stringify(runs.byStatus)}`);
    if (Object.keys(runs.errors).length > 0) log(`  failed attempts: ${JSON.stringify(runs.errors)}`);
    log(`  logins: ${counts.apiLogins} over the API, ${counts.browserLogins} in Chromium; ${stats.launches} browser launch(es), ${stats.crashes} crash(es)`);
    log(`  landed (FINAL): ${JSON.stringify(t)}; truth ${JSON.stringify(truth)} → ${correct ? 'exact' : 'MISMATCH'}`);
    log(`  CPU s: ${JSON.stringify(cpu)}; peak RSS of the tree ${Math.round(rss.peakMb)} MB (Chromium ${Math.round(rss.peakBrowserMb)} MB, sink ${Math.round(sinkRss.peakMb)} MB); ` +
      `PSS ${Math.round(rss.peakPssMb)} MB; processes left after stop: ${leftover.length}${leftover.length ? ` (${leftover.map((p) => `${p.pid} ${p.comm}`).join(', ')})` : ''}`);
    return {
      wallS, pipelineCpuS, cpu, peakRssMb: rss.peakMb, peakPssMb: rss.peakPssMb, peakBrowserMb: rss.peakBrowserMb, peakSinkMb: sinkRss.peakMb, peakSinkPssMb: sinkRss.peakPssMb, jobs: runs.seen, byStatus: runs.byStatus, errors: runs.errors,
      launches: stats.launches, logins: counts.apiLogins + counts.browserLogins, apiLogins: counts.apiLogins, browserLogins: counts.browserLogins,
      tables: t, truth, correct,
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
  extrapolated: boolean;
  cpuS: number;
  peakRssMb: number;
  result: AblyBaselineResult;
}

async function measureBaseline(s: Settings): Promise<BaselineMeasure> {
  const { log } = s;
  const sim = startChild('ably-sim.ts');
  const old = startChild('ably-baseline.ts');
  try {
    const info = await sim.call<AblySimInfo>('start', s.sim);
    const totalBatches = Math.ceil(info.accounts.length / s.batchSize);
    const batches = s.baselineBatches === 0 ? totalBatches : Math.min(totalBatches, s.baselineBatches);
    const args: AblyBaselineRun = {
      webUrl: info.webUrl, sellers: info.accounts, batchSize: s.batchSize, batches,
      from: `${kst(info.nowMs - 90 * DAY_MS).slice(0, 10)} 00:00:00`, to: kst(info.nowMs),
      statsFrom: kst(info.nowMs - 30 * DAY_MS).slice(0, 10), statsTo: kst(info.nowMs).slice(0, 10),
    };
    log(`baseline: batches of ${s.batchSize}, each waiting for its slowest; a fresh Chromium per seller, the SPA's login, the rendered tables; ` +
      `${batches} of ${totalBatches} batches measured…`);
    old.on('batch', ({ batch, ms, failed }: { batch: number; ms: number; failed: number }) => {
      log(`  batch ${batch}/${batches}: ${(ms / 1000).toFixed(1)} s${failed ? `, ${failed} failed so far` : ''}`);
    });
    const rss = sampleTree(old.process.pid!);
    const before = await old.call<Usage>('usage');
    const result = await old.call<AblyBaselineResult>('run', args);
    const after = await old.call<Usage>('usage');
    rss.stop();
    await old.call('close').catch(() => undefined);
    await sim.call('close');
    const measuredS = result.batchMs.reduce((n, ms) => n + ms, 0) / 1000;
    const extrapolated = batches < totalBatches;
    const wallS = extrapolated ? (measuredS / batches) * totalBatches : measuredS;
    const cpuS = (after.cpuMs - before.cpuMs) / 1000 + rss.browserCpuMs() / 1000;
    log(`baseline: ${measuredS.toFixed(1)} s for ${result.sellers} sellers in ${batches} batch(es) (median ${(median(result.batchMs) / 1000).toFixed(1)} s)` +
      `${extrapolated ? ` → ${wallS.toFixed(1)} s extrapolated to ${totalBatches} batches at their mean` : ''}; ${result.navigations} page loads; ` +
      `read ${JSON.stringify(result.records)}; ${result.failed.length} failed${result.failed.length ? ` (${result.failed.slice(0, 3).join('; ')})` : ''}; ` +
      `CPU ${cpuS.toFixed(1)} s (with Chromium); peak RSS ${Math.round(rss.peakMb)} MB (Chromium ${Math.round(rss.peakBrowserMb)} MB)`);
    return { wallS, extrapolated, cpuS, peakRssMb: rss.peakMb, result };
  } finally {
    await old.close();
    await sim.close();
  }
}
