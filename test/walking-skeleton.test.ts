/**
 * The walking skeleton: one sync request through every real part. Produced to Kafka with a trace, consumed by a
 * platform consumer whose connector emits records, which commits records + run event + cursor + offset in one
 * transaction; the sink lands them in the embedded ClickHouse engine. One trace id covers producer, platform
 * consumer and sink spans.
 */
import assert from 'node:assert/strict';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SyncStateContract } from '../lib/contracts/index.js';
import { createPublisher, type Publisher } from '../lib/kafka/publisher.js';
import { createSyncConsumer } from '../lib/sync/sync-consumer.js';
import { waitFor } from '../lib/wait-for.js';
import { migrate } from '../lib/warehouse/migrate.js';
import type { Warehouse } from '../lib/warehouse/warehouse.js';
import { platformModels } from '../consumers/platforms.js';
import { createSink } from '../consumers/sink/sink.js';
import { startTelemetry, type Telemetry } from '../otel/sdk.js';
import { buildSyncRequest, publishSyncRequests } from '../producers/sync-requests.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from './helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from './helpers/warehouse.js';

const categories = [
  { shop_no: 1, category_no: 24, category_depth: 1, parent_category_no: 1, category_name: '아우터', use_display: 'T', display_order: 1 },
  { shop_no: 1, category_no: 25, category_depth: 2, parent_category_no: 24, category_name: '코트', use_display: 'T', display_order: 2 },
];

describe('walking skeleton: request → platform consumer → sink → ClickHouse, one trace', function () {
  this.timeout(90_000);
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let kafka: TestKafka;
  let warehouse: Warehouse;
  let publisher: Publisher;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    telemetry = startTelemetry({ serviceName: 'skeleton', exporter: 'none', spanExporter: spans });
    kafka = await testKafka('skeleton');
    await kafka.createTopics('all');
    warehouse = await testWarehouse();
    await migrate(warehouse);
    publisher = await createPublisher(kafka);
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await publisher.close();
    await disposeTestWarehouse(warehouse);
    await kafka.close();
    await telemetry.shutdown();
  });

  it('lands the records, commits the cursor, and traces the job end to end', async () => {
    const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
    await sink.start();
    stops.push(() => sink.stop());
    const consumer = createSyncConsumer({
      kafka, instanceId: uniqueName('skeleton'), logger: testLogger(),
      connector: {
        platform: 'cafe24',
        async sync(_request, cursors, ctx) {
          ctx.emit('categories', categories);
          return { cursors: { categories: `${Number(cursors.categories ?? 0) + 1}` }, done: true };
        },
      },
    });
    await consumer.start();
    stops.push(() => consumer.stop());

    const request = buildSyncRequest({ tenantId: 'skeleton-tenant', platform: 'cafe24', tier: 'paid' }, 'manual');
    await publishSyncRequests(publisher, [request]);

    const landed = await waitFor(async () => {
      const rows = await warehouse.query<{ category_id: string; name: string }>(
        "SELECT category_id, name FROM categories FINAL WHERE tenant_id = {tenant:String} ORDER BY category_id", { tenant: 'skeleton-tenant' });
      const [run] = await warehouse.query<{ status: string }>('SELECT status FROM sync_runs FINAL WHERE request_id = {id:String}', { id: request.requestId });
      return rows.length === 2 && run?.status === 'succeeded' ? rows : undefined;
    }, { deadlineMs: 30_000, description: 'the categories and the run in ClickHouse' });
    assert.deepEqual(landed.map((r) => r.name), ['아우터', '코트']);

    const [state] = (await kafka.readTopic('sync.state', 1)).map((m) => SyncStateContract.decode(m.value));
    assert.ok(state?.ok);
    assert.deepEqual(state.value.cursors, { categories: '1' });

    const finished = await waitFor(() => {
      const all = spans.getFinishedSpans();
      const produce = all.find((s) => s.name === 'send sync.cafe24.high');
      const process = all.find((s) => s.name === 'process sync.cafe24.high');
      const sinkSpan = all.find((s) => s.name === 'insert categories');
      return produce && process && sinkSpan ? { produce, process, sinkSpan } : undefined;
    }, { description: 'producer, consumer and sink spans' });
    const traceId = finished.produce.spanContext().traceId;
    assert.equal(finished.process.spanContext().traceId, traceId, 'the platform consumer continues the producer\'s trace');
    assert.equal(finished.sinkSpan.spanContext().traceId, traceId, 'the sink continues it too');
  });
});
