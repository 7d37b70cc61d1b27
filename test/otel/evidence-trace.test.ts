/**
 * A failed job's evidence leads to its trace (real broker, in-memory exporter): a sync request sent under a root
 * span (as the scheduler sends it) whose job fails for good after writing evidence (consumers/ably/drift.ts
 * storeEvidence, as a drift does). The sync.dlq entry and the evidence file name the request's trace id, the job's
 * span in that trace carries the request id that the run row and the DLQ entry show, and a poison message's DLQ
 * entry names the trace its producer sent it in.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { storeEvidence } from '../../consumers/ably/drift.js';
import { DlqEntryContract, type DlqEntry } from '../../lib/contracts/dlq.js';
import { SyncRequestContract, type SyncRequest } from '../../lib/contracts/sync-request.js';
import { NonRetriableError } from '../../lib/errors.js';
import { injectTraceHeaders, jobHeaders } from '../../lib/kafka/headers.js';
import type { Connector } from '../../lib/sync/connector.js';
import { createSyncConsumer } from '../../lib/sync/sync-consumer.js';
import { waitFor } from '../../lib/wait-for.js';
import { ATTR } from '../../otel/attributes.js';
import { startTelemetry, type Telemetry } from '../../otel/sdk.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../helpers/kafka.js';

class DriftForTest extends NonRetriableError {
  override readonly code: string = 'SCHEMA_DRIFT';
}

describe('a failed job\'s evidence names its trace (real broker)', function () {
  this.timeout(60_000);
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let kafka: TestKafka;
  let evidenceDir: string;
  let consumer: ReturnType<typeof createSyncConsumer> | undefined;

  before(async () => {
    telemetry = startTelemetry({ serviceName: 'evidence-test', exporter: 'none', spanExporter: spans });
    kafka = await testKafka('evidence');
    await kafka.createTopics('all');
    evidenceDir = await mkdtemp(join(tmpdir(), 'evidence-trace-'));
  });
  after(async () => {
    await consumer?.stop();
    await kafka.close();
    await telemetry.shutdown();
    await rm(evidenceDir, { recursive: true, force: true });
  });

  it('the DLQ entry and the evidence file carry the request\'s trace id; the job span carries its request id', async function () {
    const connector: Connector = {
      platform: 'cafe24',
      async sync(request) {
        const path = await storeEvidence(evidenceDir, request.tenantId, 'schema-drift', { entity: 'orders', missing: ['order_id'] });
        throw new DriftForTest(`orders lack order_id; evidence ${path}`);
      },
    };
    consumer = createSyncConsumer({ kafka, connector, instanceId: uniqueName('evidence'), logger: testLogger() });
    await consumer.start();

    const tenantId = uniqueName('tenant');
    const request: SyncRequest = { v: 1, requestId: randomUUID(), tenantId, platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString() };
    const root = trace.getTracer('evidence-test').startSpan('send sync.cafe24.high', { kind: SpanKind.PRODUCER, root: true });
    const traceId = root.spanContext().traceId;
    const headers = injectTraceHeaders(jobHeaders(tenantId, request.requestId, 'SyncRequest'), trace.setSpan(ROOT_CONTEXT, root));
    await kafka.produce('sync.cafe24.high', [{ key: tenantId, value: SyncRequestContract.encode(request), headers }]);
    root.end();
    // A message nobody can decode, sent in a trace of its own: the runner's poison path.
    const poisonRoot = trace.getTracer('evidence-test').startSpan('send garbage', { root: true });
    await kafka.produce('sync.cafe24.high', [{ key: tenantId, value: 'not json', headers: injectTraceHeaders({}, trace.setSpan(ROOT_CONTEXT, poisonRoot)) }]);
    poisonRoot.end();

    const entries = (await kafka.readTopic('sync.dlq', 2, { deadlineMs: 30_000 })).map((m) => {
      const decoded = DlqEntryContract.decode(m.value);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
      return decoded.value;
    });
    const dead = entries.find((e) => e.errorClass === 'SCHEMA_DRIFT') as DlqEntry;
    const poison = entries.find((e) => e.errorClass === 'CONTRACT') as DlqEntry;
    assert.ok(dead && poison, `entries: ${entries.map((e) => e.errorClass).join(', ')}`);
    assert.equal(dead.traceId, traceId, 'the dead job\'s entry names the request\'s trace');
    assert.equal(poison.traceId, poisonRoot.spanContext().traceId, 'the poison entry names the trace it was sent in');

    const evidencePath = /evidence (\S+)$/.exec(dead.reason)?.[1];
    assert.ok(evidencePath, dead.reason);
    const evidence = JSON.parse(await readFile(evidencePath, 'utf8')) as { traceId?: string; tenantId: string };
    assert.equal(evidence.tenantId, tenantId);
    assert.equal(evidence.traceId, traceId, 'the evidence file names the job\'s trace');

    const job = await waitFor(() => spans.getFinishedSpans().find((s) => s.name === 'process sync.cafe24.high' && s.spanContext().traceId === traceId), {
      deadlineMs: 10_000, description: 'the job\'s span',
    });
    assert.equal(job.attributes[ATTR.REQUEST_ID], request.requestId, 'the run row\'s request id finds the job span');
    assert.equal(job.attributes[ATTR.OUTCOME], 'failed');
  });
});
