import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SyncRequestContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { jobHeaders } from '../../../lib/kafka/headers.js';
import {
  INSTRUMENTATION_EVENTS, isInstrumented, onInstrumentation, emitInstrumentation,
  type InstrumentationEvent, type InstrumentationEventMap,
} from '../../../lib/kafka/instrumentation.js';
import { createSyncConsumer } from '../../../lib/sync/sync-consumer.js';
import { waitFor } from '../../../lib/wait-for.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

describe('kernel instrumentation events', () => {
  it('a throwing listener is logged; the others still hear the event and the emitter goes on', () => {
    const heard: string[] = [];
    const logged: unknown[] = [];
    const log = { error: (fields: unknown) => logged.push(fields) } as unknown as Parameters<typeof emitInstrumentation>[0];
    const offs = [
      onInstrumentation(INSTRUMENTATION_EVENTS.REJOIN, () => {
        throw new Error('listener bug');
      }),
      onInstrumentation(INSTRUMENTATION_EVENTS.REJOIN, ({ reason }) => heard.push(reason)),
    ];
    emitInstrumentation(log, INSTRUMENTATION_EVENTS.REJOIN, { component: 'runner', groupId: 'g', reason: 'rebalancing' });
    assert.deepEqual(heard, ['rebalancing']);
    assert.equal(logged.length, 1);
    for (const off of offs) off();
    assert.equal(isInstrumented(INSTRUMENTATION_EVENTS.REJOIN), false);
  });

  describe('from a sync consumer (real broker)', function () {
    this.timeout(60_000);
    let kafka: TestKafka;
    const offs: (() => void)[] = [];
    const seen: { [E in InstrumentationEvent]?: InstrumentationEventMap[E][] } = {};

    function record<E extends InstrumentationEvent>(event: E) {
      offs.push(onInstrumentation(event, (payload) => {
        const list = (seen[event] ??= []) as InstrumentationEventMap[E][];
        list.push(payload);
      }));
    }

    before(async () => {
      kafka = await testKafka('instr');
      await kafka.createTopics('all');
    });
    after(async () => {
      for (const off of offs) off();
      await kafka.close();
    });

    it('job.start/job.end with platform, tier, outcome; transaction.commit with its size; dlq; lag; a throwing listener harms nothing', async () => {
      for (const event of [INSTRUMENTATION_EVENTS.JOB_START, INSTRUMENTATION_EVENTS.JOB_END, INSTRUMENTATION_EVENTS.TRANSACTION_COMMIT,
        INSTRUMENTATION_EVENTS.DLQ, INSTRUMENTATION_EVENTS.LAG, INSTRUMENTATION_EVENTS.TRANSITION]) record(event);
      offs.push(onInstrumentation(INSTRUMENTATION_EVENTS.JOB_START, () => {
        throw new Error('a broken subscriber');
      }));
      const consumer = createSyncConsumer({
        kafka, instanceId: uniqueName('i'), logger: testLogger(),
        connector: {
          platform: 'cafe24',
          async sync(_request, _cursors, ctx) {
            ctx.emit('orders', [{ order_id: 'o-1' }]);
            return { cursors: {}, done: true };
          },
        },
      });
      await consumer.start();
      try {
        const request: SyncRequest = { v: 1, requestId: randomUUID(), tenantId: 'acme', platform: 'cafe24', tier: 'free', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString() };
        await kafka.produce('sync.cafe24.low', [
          { key: 'acme', value: SyncRequestContract.encode(request), headers: jobHeaders('acme', request.requestId, SyncRequestContract.name) },
          { key: 'acme', value: 'not json' },
        ]);
        const ends = await waitFor(() => {
          const mine = (seen[INSTRUMENTATION_EVENTS.JOB_END] ?? []).filter((e) => e.groupId === kafka.topic('cafe24'));
          return mine.length >= 2 ? mine : undefined;
        }, { deadlineMs: 30_000, description: 'two job.end events' });
        const ok = ends.find((e) => e.outcome === 'ok');
        assert.ok(ok, 'the good request committed despite the throwing job.start listener');
        assert.equal(ok.platform, 'cafe24');
        assert.equal(ok.tier, 'free');
        assert.equal(ok.tenantId, 'acme');
        assert.equal(ok.requestId, request.requestId);
        assert.equal(ok.topic, 'sync.cafe24.low');
        assert.ok(ok.durationMs >= 0);
        assert.ok(ends.some((e) => e.outcome === 'poison'));
        const commits = (seen[INSTRUMENTATION_EVENTS.TRANSACTION_COMMIT] ?? []).filter((e) => e.groupId === kafka.topic('cafe24'));
        assert.equal(commits.reduce((n, c) => n + c.jobs, 0), 2);
        assert.ok(commits.every((c) => c.messages > 0 && c.bytes > 0 && c.durationMs >= 0));
        const dlq = (seen[INSTRUMENTATION_EVENTS.DLQ] ?? []).filter((e) => e.groupId === kafka.topic('cafe24'));
        assert.deepEqual(dlq.map(({ topic, sourceTopic, errorClass, count }) => ({ topic, sourceTopic, errorClass, count })),
          [{ topic: 'sync.dlq', sourceTopic: 'sync.cafe24.low', errorClass: 'CONTRACT', count: 1 }]);
        assert.ok((seen[INSTRUMENTATION_EVENTS.LAG] ?? []).some((e) => e.groupId === kafka.topic('cafe24') && e.topic === 'sync.cafe24.low' && e.lag >= 0));
        assert.ok((seen[INSTRUMENTATION_EVENTS.TRANSITION] ?? []).some((e) => e.groupId === kafka.topic('cafe24') && e.to === 'running'));
      } finally {
        await consumer.stop();
      }
    });
  });
});
