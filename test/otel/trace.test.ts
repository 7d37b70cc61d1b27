/**
 * One trace per sync request, end to end on the real broker: the scheduler's decision (its send span is the
 * root), the Cafe24 consumer's job, each call to the Admin API (the simulator, over HTTP), and the sink's flush
 * and table inserts, all under one trace id, recorded by an in-memory exporter.
 */
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { TenantContract, type Tenant } from '../../lib/contracts/tenant.js';
import { createKeyring, generateKeySpec } from '../../lib/secrets.js';
import { waitFor } from '../../lib/wait-for.js';
import { migrate } from '../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { createCafe24Consumer } from '../../consumers/cafe24/cafe24-consumer.js';
import { grantFromTokenResponse } from '../../consumers/cafe24/token-refresher.js';
import { platformModels } from '../../consumers/platforms.js';
import { createSink } from '../../consumers/sink/sink.js';
import { ATTR } from '../../otel/attributes.js';
import { startTelemetry, type Telemetry } from '../../otel/sdk.js';
import { createScheduler } from '../../producers/scheduler/loop.js';
import { DEFAULT_POLICY, type SchedulerPolicy } from '../../producers/scheduler/policy.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';
import { cafe24Settings } from '../helpers/cafe24.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../helpers/warehouse.js';

const MALL = 'tracemall';
const TENANT = 'tenant-trace';
/** Compressed time: a slot every few seconds, no onboarding backfill, no overlap hold. */
const POLICY: SchedulerPolicy = {
  ...DEFAULT_POLICY, periodMs: { paid: 8_000, free: 60_000 }, catchUpSpreadMs: 1_000,
  overlap: { enabled: false, staleAfterPeriods: 2 }, onboarding: { ...DEFAULT_POLICY.onboarding, depthMs: 0 },
};

describe('one trace per sync request: scheduler → consumer → source calls → sink (real broker)', function () {
  this.timeout(120_000);
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let kafka: TestKafka;
  let warehouse: Warehouse;
  let sim: Cafe24Simulator;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    telemetry = startTelemetry({ serviceName: 'trace-test', exporter: 'none', spanExporter: spans });
    kafka = await testKafka('trace');
    await kafka.createTopics('all');
    warehouse = await testWarehouse();
    await migrate(warehouse);
    sim = await startCafe24Simulator({ seed: 11, shops: [{ mallId: MALL, products: 8, orders: 25 }] });
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await sim.close();
    await disposeTestWarehouse(warehouse);
    await kafka.close();
    await telemetry.shutdown();
  });

  it('finds the scheduler, consumer, source-call and sink spans of a request in one trace', async function () {
    const logger = testLogger();
    const sink = createSink({ kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
    await sink.start();
    stops.push(() => sink.stop());
    const consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('trace'), logger, keyring: createKeyring(generateKeySpec('trace')), cafe24: cafe24Settings(sim), buyerHashSalt: 'salt',
    });
    await consumer.start();
    stops.push(() => consumer.stop());
    const { response } = await sim.issueTokens(MALL);
    await consumer.credentials.put(TENANT, 'cafe24', grantFromTokenResponse(MALL, response));

    const tenant: Tenant = { v: 1, tenantId: TENANT, tier: 'paid', status: 'active', cafe24: { mallId: MALL }, updatedAt: new Date().toISOString() };
    await kafka.produce('tenants', [{ key: TENANT, value: TenantContract.encode(tenant) }]);
    const scheduler = createScheduler({ kafka, logger, policy: POLICY, instanceId: uniqueName('sched'), tickMs: 200, sessionTimeoutMs: 6_000 });
    await scheduler.start();
    stops.push(() => scheduler.stop());

    const [run] = await waitFor(() => warehouse.query<{ request_id: string }>(
      "SELECT request_id FROM sync_runs FINAL WHERE tenant_id = {tenant:String} AND status = 'succeeded' ORDER BY started_at LIMIT 1", { tenant: TENANT },
    ).then((rows) => (rows.length ? rows : undefined)), { deadlineMs: 60_000, description: 'a scheduled run in ClickHouse' });

    const trace = await waitFor(() => {
      const all = spans.getFinishedSpans();
      const root = all.find((s) => s.name === 'send sync.cafe24.high' && s.attributes[ATTR.REQUEST_ID] === run?.request_id);
      if (!root) return undefined;
      const inTrace = all.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
      const names = new Set(inTrace.map((s) => s.name));
      // The flush span ends after its inserts (and the commit): wait for the insert's parent too.
      const ids = new Set(inTrace.map((s) => s.spanContext().spanId));
      const insert = inTrace.find((s) => s.name === 'insert orders' && ids.has(s.parentSpanContext?.spanId ?? ''));
      return names.has('process sync.cafe24.high') && insert && inTrace.some((s) => s.kind === SpanKind.CLIENT) ? { root, inTrace, insert } : undefined;
    }, { deadlineMs: 20_000, description: 'the request\'s spans, sink included' });

    const byId = new Map(trace.inTrace.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
    assert.equal(parentOf(trace.root), undefined, 'the scheduler\'s decision is the root');
    assert.equal(trace.root.attributes[ATTR.TENANT_ID], TENANT);
    const job = trace.inTrace.find((s) => s.name === 'process sync.cafe24.high') as ReadableSpan;
    assert.equal(parentOf(job), trace.root, 'the consumer\'s job continues the scheduler\'s send');
    const calls = trace.inTrace.filter((s) => s.kind === SpanKind.CLIENT);
    assert.ok(calls.length >= 3, `source calls (token, orders, products, …): ${calls.length}`);
    for (const call of calls) {
      let up = parentOf(call);
      while (up && up !== job) up = parentOf(up);
      assert.equal(up, job, `${call.name} runs inside the job`);
    }
    assert.match(parentOf(trace.insert)?.name ?? '', /^process (raw\.results|sync\.runs)$/, 'the insert runs in the sink\'s flush span');
  });
});
