/**
 * A process's /metrics, /healthz and /readyz during real runs: a sync consumer on the real broker with a test
 * connector, scraped over HTTP while jobs succeed and fail; consumer lag from broker offsets while the consumer
 * is stopped; and /readyz on a broker of the test's own that it stops.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startOwnBroker } from '../../faults/harness/own-broker.js';
import { SyncRequestContract, type SyncRequest } from '../../lib/contracts/index.js';
import { TransientSourceError } from '../../lib/errors.js';
import { createKafka } from '../../lib/kafka/client.js';
import { applyTopics, readTopicSpecs } from '../../lib/kafka/topics.js';
import type { Connector } from '../../lib/sync/connector.js';
import { createSyncConsumer } from '../../lib/sync/sync-consumer.js';
import { TIER_POLICIES } from '../../lib/sync/tiers.js';
import { waitFor } from '../../lib/wait-for.js';
import { parsePrometheusText, type MetricSample } from '../../otel/alerter/sources.js';
import { instrumentConnector } from '../../otel/kernel-metrics.js';
import { createMetrics } from '../../otel/metrics.js';
import { METRICS } from '../../otel/metric-names.js';
import { createObservability, type Observability } from '../../otel/observability.js';
import { testBrokers, testKafka, testLogger, testPrefix, TOPICS_FILE, uniqueName, type TestKafka } from '../helpers/kafka.js';

const fastRetry = {
  paid: { ...TIER_POLICIES.paid, retry: { initialMs: 100, maxMs: 200, multiplier: 2, jitter: 0, maxAttempts: 3 } },
  free: { ...TIER_POLICIES.free, retry: { initialMs: 100, maxMs: 200, multiplier: 2, jitter: 0, maxAttempts: 2 } },
};
const INPUTS = ['sync.cafe24.high', 'sync.cafe24.retry', 'sync.cafe24.low'];

function syncRequest(tenantId: string): SyncRequest {
  return { v: 1, requestId: randomUUID(), tenantId, platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString() };
}

/** Emits three orders and a product; a tenant named bad-* fails retriably every time. */
const connector: Connector = {
  platform: 'cafe24',
  async sync(request, _cursors, ctx) {
    if (request.tenantId.startsWith('bad-')) throw new TransientSourceError('HTTP 503 from the test source');
    ctx.emit('orders', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    ctx.emit('products', [{ p: 1 }]);
    return { cursors: { orders: '3' }, done: true };
  },
};

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await request(`http://127.0.0.1:${port}${path}`);
  return { status: response.statusCode, body: await response.body.text() };
}

async function scrape(port: number): Promise<MetricSample[]> {
  const { status, body } = await get(port, '/metrics');
  assert.equal(status, 200);
  return parsePrometheusText(body);
}

/** The sum of a series over the samples matching every given label. */
function valueOf(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

async function startConsumer(kafka: Parameters<typeof createSyncConsumer>[0]['kafka'], brokers: string[], lagIntervalMs = 200) {
  const obs = createObservability({
    settings: { enabled: true, host: '127.0.0.1', port: 0, lagIntervalMs }, kafka, brokers, logger: testLogger(),
    groups: [{ group: 'cafe24', topics: INPUTS }],
  });
  const consumer = createSyncConsumer({
    kafka, connector, wrapConnector: (c) => instrumentConnector(obs.metrics, c), instanceId: uniqueName('m'), logger: testLogger(), tierPolicies: fastRetry,
  });
  const port = (await obs.serve()) as number;
  await consumer.start();
  return { obs, consumer, port };
}

describe('the instrumented connector (no I/O)', () => {
  it('the instrumented connector hands on all it emits: records with their texts, and the pages it read', async () => {
    const texts = { bytes: Buffer.from('{"n":1}'), spans: new Uint32Array([0, 7]) };
    const got: unknown[] = [];
    const emitting: Connector = {
      platform: 'cafe24',
      async sync(_request, _cursors, ctx) {
        ctx.emit('orders', [{ n: 1 }], texts);
        const page = await ctx.readPage('products', Buffer.from('{"products":[]}'), { listKey: 'products' });
        ctx.emitPage(page!);
        return { cursors: {}, done: true };
      },
    };
    const page = { entity: 'products', listed: 3, maxKey: 9 };
    await instrumentConnector(createMetrics(), emitting).sync(syncRequest('acme'), {}, {
      signal: new AbortController().signal, log: testLogger(), shouldYield: () => false,
      emit: (...args) => got.push(['emit', ...args]),
      readPage: async (...args) => (got.push(['readPage', args[0], args[2]]), page),
      emitPage: (read) => got.push(['emitPage', read]),
    });
    assert.deepEqual(got, [['emit', 'orders', [{ n: 1 }], texts], ['readPage', 'products', { listKey: 'products' }], ['emitPage', page]]);
  });
});

describe('process metrics, /healthz and /readyz (real broker)', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let obs: Observability | undefined;
  let consumer: ReturnType<typeof createSyncConsumer> | undefined;

  beforeEach(async () => {
    kafka = await testKafka('metrics');
    await kafka.createTopics('all');
  });
  afterEach(async () => {
    await consumer?.stop();
    await obs?.stop();
    consumer = undefined;
    obs = undefined;
    await kafka.close();
  });

  it('labels no metric with a tenant', function () {
    for (const [name, spec] of Object.entries(METRICS)) assert.ok(!spec.labels.some((l: string) => /tenant/.test(l)), name);
  });

  it('counters move as jobs succeed and fail; lag from broker offsets grows while the consumer is stopped', async function () {
    const started = await startConsumer(kafka, testBrokers());
    ({ obs, consumer } = started);
    const { port } = started;
    assert.equal((await get(port, '/healthz')).status, 200);
    await waitFor(async () => (await get(port, '/readyz')).status === 200, { deadlineMs: 30_000, description: '/readyz 200 once the group is joined' });

    const publish = (tenants: string[]) => kafka.produce('sync.cafe24.high', tenants.map((t) => ({ key: t, value: SyncRequestContract.encode(syncRequest(t)) })));
    await publish(['good-1', 'good-2']);
    let samples = await waitFor(async () => {
      const s = await scrape(port);
      return valueOf(s, 'sellerstream_jobs_total', { platform: 'cafe24', tier: 'paid', outcome: 'ok' }) === 2 ? s : undefined;
    }, { deadlineMs: 30_000, description: 'two ok jobs counted' });
    assert.equal(valueOf(samples, 'sellerstream_records_fetched_total', { platform: 'cafe24', entity: 'orders' }), 6);
    assert.equal(valueOf(samples, 'sellerstream_records_fetched_total', { entity: 'products' }), 2);
    assert.equal(valueOf(samples, 'sellerstream_job_duration_seconds_count', { outcome: 'ok' }), 2);
    assert.equal(valueOf(samples, 'sellerstream_step_duration_seconds_count', { step: 'orders' }), 2);
    assert.equal(valueOf(samples, 'sellerstream_jobs_total', { outcome: 'failed' }), 0);

    // One failing tenant: its first attempt on the high topic, two retries from the retry topic, then dead.
    await publish(['bad-1']);
    samples = await waitFor(async () => {
      const s = await scrape(port);
      return valueOf(s, 'sellerstream_jobs_total', { outcome: 'failed', error_class: 'TRANSIENT_SOURCE' }) === 3 ? s : undefined;
    }, { deadlineMs: 30_000, description: 'three failed attempts counted' });
    assert.ok(valueOf(samples, 'sellerstream_jobs_total', { tier: 'paid', outcome: 'failed' }) >= 1, 'the first attempt, on the paid tier\'s topic');
    assert.equal(valueOf(samples, 'sellerstream_retries_total', { platform: 'cafe24', outcome: 'failed' }), 2);
    assert.equal(valueOf(samples, 'sellerstream_jobs_total', { outcome: 'ok' }), 2, 'the ok count did not move');
    assert.equal(valueOf(samples, 'sellerstream_runner_state', { group: 'cafe24', state: 'running' }), 1);
    const text = (await get(port, '/metrics')).body;
    assert.doesNotMatch(text, /good-1|bad-1|tenant/, 'no tenant id anywhere in /metrics');

    let lagSeen: MetricSample[] = [];
    await waitFor(async () => {
      lagSeen = (await scrape(port)).filter((x) => x.name.startsWith('sellerstream_consumer_lag'));
      // The retry topic was written in transactions: its end may be one marker past the group's commit.
      return lagSeen.some((x) => x.labels.topic === 'sync.cafe24.high')
        && valueOf(lagSeen, 'sellerstream_consumer_lag_messages', { group: 'cafe24', topic: 'sync.cafe24.high' }) === 0
        && valueOf(lagSeen, 'sellerstream_consumer_lag_messages', { group: 'cafe24', topic: 'sync.cafe24.retry' }) <= 1
        && valueOf(lagSeen, 'sellerstream_consumer_lag_seconds', { group: 'cafe24' }) === 0;
    }, { deadlineMs: 10_000, description: 'no lag once every job committed' }).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(lagSeen)}`);
    });

    // Stopped consumer, new requests: the lag is the broker's word, not the consumer's.
    await consumer.stop();
    consumer = undefined;
    await publish(['good-3', 'good-3', 'good-3']); // one tenant: one partition, three messages past its commit
    samples = await waitFor(async () => {
      const s = await scrape(port);
      return valueOf(s, 'sellerstream_consumer_lag_messages', { group: 'cafe24', topic: 'sync.cafe24.high' }) === 3
        && valueOf(s, 'sellerstream_consumer_lag_seconds', { group: 'cafe24', topic: 'sync.cafe24.high' }) >= 0.5 ? s : undefined;
    }, { deadlineMs: 15_000, description: 'lag of 3 messages, growing in seconds' });
    assert.equal(valueOf(samples, 'sellerstream_consumer_lag_messages', { group: 'cafe24', topic: 'sync.cafe24.low' }), 0);
    assert.equal((await get(port, '/readyz')).status, 503, 'a stopped runner is not ready');
  });

  it('/readyz flips to 503 when the broker goes away, while /healthz stays live', async function () {
    // A directory of its own per run: a broker dir kept across runs grew its metadata log with every run's topics.
    const dir = mkdtempSync(join(tmpdir(), 'sellerstream-readyz-'));
    const broker = await startOwnBroker(dir);
    try {
      const { brokers } = broker;
      const own = createKafka({ brokers, clientId: 'sellerstream-test', topicPrefix: testPrefix('ready'), logger: testLogger() });
      const admin = own.kafka.admin();
      await admin.connect();
      await applyTopics(admin, await readTopicSpecs(TOPICS_FILE), { prefix: own.topic(''), partitionDivisor: 8 });
      await admin.disconnect();
      const started = await startConsumer(own, brokers);
      ({ obs, consumer } = started);
      const { port } = started;
      await waitFor(async () => (await get(port, '/readyz')).status === 200, { deadlineMs: 30_000, description: '/readyz 200 on the own broker' });

      await broker.down();
      const readiness = await waitFor(async () => {
        const r = await get(port, '/readyz');
        return r.status === 503 ? (JSON.parse(r.body) as { checks: Record<string, boolean> }) : undefined;
      }, { deadlineMs: 15_000, description: '/readyz 503 after the broker stopped' });
      assert.equal(readiness.checks['broker reachable'], false);
      assert.equal((await get(port, '/healthz')).status, 200);
      // The consumer's own retries against a dead broker are not this test's subject: stop without waiting on them.
      void consumer.stop().catch(() => undefined);
      consumer = undefined;
    } finally {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
