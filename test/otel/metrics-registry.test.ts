/**
 * The metrics registry, the kernel subscriber, the health server and the lag arithmetic, without a broker: every
 * metric of otel/metric-names.ts is exported under its Prometheus name, kernel events move the right series,
 * /readyz says which check failed, and lag seconds are told from end-offset samples.
 */
import assert from 'node:assert/strict';
import { request } from 'undici';
import { createLogger } from '../../lib/logger.js';
import { emitInstrumentation, INSTRUMENTATION_EVENTS as EV } from '../../lib/kafka/instrumentation.js';
import { parsePrometheusText } from '../../otel/alerter/sources.js';
import { oldestUncommittedAgeMs, trimSamples, type EndSample } from '../../otel/consumer-lag.js';
import { startHealthServer, type HealthServer } from '../../otel/health-server.js';
import { instrumentBreaker, instrumentBrowserPool, subscribeKernelMetrics } from '../../otel/kernel-metrics.js';
import { METRICS, type MetricSpec } from '../../otel/metric-names.js';
import { createMetrics, type CounterName, type GaugeName, type HistogramName, type Metrics } from '../../otel/metrics.js';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';

const log = createLogger({ level: 'silent' });

async function scrapeText(port: number, path = '/metrics') {
  const response = await request(`http://127.0.0.1:${port}${path}`);
  return { status: response.statusCode, body: await response.body.text() };
}

describe('metrics registry and health server', function () {
  let metrics: Metrics;
  let server: HealthServer;
  let ready = true;
  beforeEach(async () => {
    metrics = createMetrics();
    server = await startHealthServer({
      host: '127.0.0.1', port: 0, metrics, checkTimeoutMs: 200,
      checks: [{ name: 'store', check: () => ready }, { name: 'slow', check: () => new Promise<boolean>((r) => setTimeout(() => r(true), ready ? 0 : 1_000)) }],
    });
  });
  afterEach(async () => {
    await server.close();
    await metrics.shutdown();
  });

  it('exports every metric of the table under its name and nothing else', async function () {
    const labelsOf = (spec: MetricSpec) => Object.fromEntries(spec.labels.map((l) => [l, 'x']));
    for (const [name, spec] of Object.entries(METRICS) as [string, MetricSpec][]) {
      if (spec.kind === 'counter') metrics.add(name as CounterName, labelsOf(spec));
      else if (spec.kind === 'histogram') metrics.record(name as HistogramName, 1, labelsOf(spec));
      else metrics.set(name as GaugeName, labelsOf(spec), 1);
    }
    const { status, body } = await scrapeText(server.port);
    assert.equal(status, 200);
    const names = new Set(parsePrometheusText(body).map((s) => s.name));
    for (const [name, spec] of Object.entries(METRICS) as [string, MetricSpec][]) {
      const expected = spec.kind === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
      for (const series of expected) assert.ok(names.has(series), `${series} missing from /metrics`);
    }
    const known = new Set(Object.entries(METRICS).flatMap(([n, s]) => ((s as MetricSpec).kind === 'histogram' ? [`${n}_bucket`, `${n}_count`, `${n}_sum`] : [n])));
    assert.deepEqual([...names].filter((n) => !known.has(n)), []);
    assert.match(body, /sellerstream_job_duration_seconds_bucket\{[^}]*le="30"/, 'the table\'s buckets');
  });

  it('/healthz is live; /readyz is 200 when every check passes, else 503 naming the failing and the hung ones', async function () {
    assert.deepEqual(await scrapeText(server.port, '/healthz'), { status: 200, body: '{"status":"live"}' });
    assert.deepEqual(JSON.parse((await scrapeText(server.port, '/readyz')).body), { ready: true, checks: { store: true, slow: true } });
    ready = false;
    const r = await scrapeText(server.port, '/readyz');
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.body), { ready: false, checks: { store: false, slow: false } });
    assert.equal((await scrapeText(server.port, '/nope')).status, 404);
  });

  it('moves the job, DLQ, state, rejoin and sink series from the kernel\'s instrumentation events', async function () {
    const kernel = subscribeKernelMetrics(metrics, (g) => g.replace(/^p\./, ''));
    try {
      const source = { component: 'runner' as const, groupId: 'p.cafe24' };
      const job = { ...source, topic: 'sync.cafe24.high', partition: 0, offset: '1', tenantId: 'tenant-secret', platform: 'cafe24', tier: 'paid', scope: { context: ROOT_CONTEXT } };
      emitInstrumentation(log, EV.TRANSITION, { ...source, from: 'starting', to: 'running' });
      emitInstrumentation(log, EV.JOB_END, { ...job, outcome: 'ok', durationMs: 1200 });
      emitInstrumentation(log, EV.JOB_END, { ...job, topic: 'sync.cafe24.retry', outcome: 'failed', errorClass: 'TRANSIENT_SOURCE', durationMs: 300 });
      emitInstrumentation(log, EV.DLQ, { ...source, topic: 'sync.dlq', sourceTopic: 'sync.cafe24.high', errorClass: 'CONTRACT', count: 2 });
      emitInstrumentation(log, EV.REJOIN, { ...source, reason: 'rebalancing' });
      emitInstrumentation(log, EV.BATCH_FLUSH, {
        component: 'sink', groupId: 'p.sink', id: 'g', topic: 'raw.results', members: 1, messages: 3, rows: 40, resumed: false, links: [], scope: { context: ROOT_CONTEXT },
        rowsByTable: { orders: 30, raw_records: 10, products: 0 }, bytes: 100, dlq: 0, durationMs: 250,
      });
      emitInstrumentation(log, EV.WAREHOUSE_UNAVAILABLE, { component: 'sink', groupId: 'p.sink', table: 'orders', attempt: 1, delayMs: 100, errorClass: 'WAREHOUSE_UNAVAILABLE' });
      const { body } = await scrapeText(server.port);
      const samples = parsePrometheusText(body);
      const value = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      assert.equal(value('sellerstream_jobs_total', { platform: 'cafe24', tier: 'paid', outcome: 'ok', error_class: '' }), 1);
      assert.equal(value('sellerstream_jobs_total', { outcome: 'failed', error_class: 'TRANSIENT_SOURCE' }), 1);
      assert.equal(value('sellerstream_retries_total', { platform: 'cafe24', outcome: 'failed' }), 1);
      assert.equal(value('sellerstream_job_duration_seconds_count', { outcome: 'ok' }), 1);
      assert.equal(value('sellerstream_dlq_messages_total', { topic: 'sync.dlq', error_class: 'CONTRACT' }), 2);
      assert.equal(value('sellerstream_runner_state', { group: 'cafe24', state: 'running' }), 1);
      assert.equal(value('sellerstream_runner_state', { group: 'cafe24', state: 'idle' }), 0);
      assert.equal(value('sellerstream_rejoins_total', { group: 'cafe24', reason: 'rebalancing' }), 1);
      assert.equal(value('sellerstream_sink_rows_total', { table: 'orders' }), 30);
      assert.equal(value('sellerstream_sink_rows_total', { table: 'products' }), undefined);
      assert.equal(value('sellerstream_sink_batch_rows_sum', {}), 40);
      assert.doesNotMatch(body, /tenant-secret/);
      assert.equal(kernel.stateOf('p.cafe24'), 'running');
      assert.equal(kernel.warehouseUp('p.sink'), false);
      emitInstrumentation(log, EV.WAREHOUSE_AVAILABLE, { component: 'sink', groupId: 'p.sink', downMs: 100 });
      assert.equal(kernel.warehouseUp('p.sink'), true);
    } finally {
      kernel.stop();
    }
  });
});

describe('browser pool and breaker gauges', function () {
  it('count browsers, pages, RSS and restarts from the pool\'s events, and the breaker\'s state', async function () {
    const metrics = createMetrics();
    const server = await startHealthServer({ host: '127.0.0.1', port: 0, metrics, checks: [] });
    const pool = { events: new EventEmitter(), stats: { openPages: 0 } };
    const breaker = { state: 'closed' as 'closed' | 'open' | 'half_open' };
    const stops = [instrumentBrowserPool(metrics, pool, { rssMb: () => 100 }), instrumentBreaker(metrics, 'ably', breaker)];
    try {
      pool.events.emit('browserLaunched', 11);
      pool.events.emit('browserLaunched', 12);
      pool.stats.openPages = 3;
      pool.events.emit('browserRetired', 11);
      pool.events.emit('browserClosed', 11);
      pool.events.emit('browserCrashed', 12);
      pool.events.emit('browserLaunched', 13);
      pool.events.emit('pageClosed');
      breaker.state = 'open';
      stops.pop()?.();
      const again = instrumentBreaker(metrics, 'ably', breaker);
      stops.push(again);
      const samples = parsePrometheusText((await scrapeText(server.port)).body);
      const value = (name: string, labels: Record<string, string> = {}) => samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
      assert.equal(value('sellerstream_browser_pool_browsers'), 1);
      assert.equal(value('sellerstream_browser_pool_contexts'), 3);
      assert.equal(value('sellerstream_browser_pool_rss_bytes'), 100 * 1024 * 1024);
      assert.equal(value('sellerstream_browser_restarts_total', { reason: 'retired' }), 1);
      assert.equal(value('sellerstream_browser_restarts_total', { reason: 'crashed' }), 1);
      assert.equal(value('sellerstream_breaker_state', { platform: 'ably' }), 2);
    } finally {
      stops.forEach((stop) => stop());
      await server.close();
      await metrics.shutdown();
    }
  });
});

describe('consumer lag from end-offset samples', function () {
  const s = (at: number, end: number): EndSample => ({ at, end: BigInt(end) });

  it('is the time since the end first passed the committed offset and the marker that may follow it, 0 when caught up', function () {
    const samples = [s(0, 10), s(1_000, 12), s(2_000, 15)];
    assert.equal(oldestUncommittedAgeMs(samples, 15n, 5_000), 0);
    assert.equal(oldestUncommittedAgeMs(samples, 14n, 5_000), 0, 'one offset short of the end: a transaction marker, not a backlog');
    assert.equal(oldestUncommittedAgeMs(samples, 12n, 5_000), 3_000, 'offsets 12-14 appeared by the 2 s poll');
    assert.equal(oldestUncommittedAgeMs(samples, 10n, 5_000), 4_000, 'offset 11 appeared by the 1 s poll');
    assert.equal(oldestUncommittedAgeMs(samples, 3n, 5_000), 5_000, 'older than the history: a lower bound from the first poll');
    assert.equal(oldestUncommittedAgeMs([], 3n, 5_000), 0);
  });

  it('keeps only the samples a committed offset at or above the current one can need', function () {
    const samples = [s(0, 10), s(1_000, 12), s(2_000, 15)];
    trimSamples(samples, 11n);
    assert.deepEqual(samples.map((x) => x.at), [2_000]);
    const capped = Array.from({ length: 10 }, (_, i) => s(i, 100 + i));
    trimSamples(capped, 0n, 4);
    assert.deepEqual(capped.map((x) => x.at), [6, 7, 8, 9]);
  });
});
