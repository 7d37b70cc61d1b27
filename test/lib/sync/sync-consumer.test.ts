import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DlqEntryContract, RawResultContract, SyncRequestContract, SyncRunContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { TransientSourceError } from '../../../lib/errors.js';
import type { Connector } from '../../../lib/sync/connector.js';
import { createSyncConsumer } from '../../../lib/sync/sync-consumer.js';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';
import { waitFor } from '../../../lib/wait-for.js';
import { drainTopic, testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

const fastRetry = {
  paid: { ...TIER_POLICIES.paid, retry: { initialMs: 200, maxMs: 400, multiplier: 2, jitter: 0, maxAttempts: 3 } },
  free: { ...TIER_POLICIES.free, retry: { initialMs: 200, maxMs: 400, multiplier: 2, jitter: 0, maxAttempts: 2 } },
};

function request(tenantId: string, extra: Partial<SyncRequest> = {}): SyncRequest {
  return { v: 1, requestId: randomUUID(), tenantId, platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString(), ...extra };
}

const runsOf = (messages: { value: Buffer | null }[]) => messages.map((m) => {
  const run = SyncRunContract.decode(m.value);
  assert.ok(run.ok);
  return run.value;
});

describe('sync consumer (real broker)', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  let consumer: ReturnType<typeof createSyncConsumer> | undefined;

  beforeEach(async () => {
    kafka = await testKafka('sync');
    await kafka.createTopics('all');
  });
  afterEach(async () => {
    await consumer?.stop();
    await kafka.close();
  });

  async function start(connector: Connector, extra: Partial<Parameters<typeof createSyncConsumer>[0]> = {}) {
    consumer = createSyncConsumer({ kafka, connector, instanceId: uniqueName('i'), logger: testLogger(), tierPolicies: fastRetry, ...extra });
    await consumer.start();
  }

  const publish = (r: SyncRequest, topic = 'sync.cafe24.high') => kafka.produce(topic, [{ key: r.tenantId, value: SyncRequestContract.encode(r) }]);

  it('resumes each sync from the cursor the previous one committed', async () => {
    const seenCursors: Record<string, string>[] = [];
    await start({
      platform: 'cafe24',
      async sync(_r, cursors, ctx) {
        seenCursors.push({ ...cursors });
        const next = Number(cursors.orders ?? 0) + 3;
        ctx.emit('orders', [{ n: next - 2 }, { n: next - 1 }, { n: next }]);
        return { cursors: { orders: String(next) }, done: true };
      },
    });
    await publish(request('acme'));
    await kafka.readTopic('sync.runs', 1);
    await publish(request('acme'));
    await kafka.readTopic('sync.runs', 2);
    assert.deepEqual(seenCursors, [{}, { orders: '3' }]);
    const chunks = (await kafka.readTopic('raw.results', 2)).map((m) => RawResultContract.decode(m.value));
    assert.deepEqual(chunks.flatMap((c) => (c.ok ? c.value.records : [])), [1, 2, 3, 4, 5, 6].map((n) => ({ n })));
  });

  it('a job that yields continues in a continuation request until done', async () => {
    await start({
      platform: 'cafe24',
      async sync(_r, cursors) {
        const page = Number(cursors.orders ?? 0) + 1;
        return { cursors: { orders: String(page) }, done: page >= 3 };
      },
    });
    await publish(request('bigshop'));
    const runs = runsOf(await kafka.readTopic('sync.runs', 3));
    assert.deepEqual(runs.map((r) => r.status), ['continued', 'continued', 'succeeded']);
  });

  it('a transient failure is retried from the retry topic after its not-before time, then succeeds', async () => {
    let calls = 0;
    await start({
      platform: 'cafe24',
      async sync() {
        calls++;
        if (calls === 1) throw new TransientSourceError('upstream 503');
        return { cursors: {}, done: true };
      },
    });
    await publish(request('flaky'));
    const runs = runsOf(await kafka.readTopic('sync.runs', 2));
    assert.deepEqual(runs.map((r) => [r.status, r.attempt]), [['retrying', 1], ['succeeded', 2]]);
    assert.equal(runs[0]!.errorClass, 'TRANSIENT_SOURCE');
    assert.ok(Date.parse(runs[1]!.startedAt) - Date.parse(runs[0]!.startedAt) >= 200, 'the retry waited for its not-before time');
  });

  it('a request of another platform on this platform\'s topic goes to the DLQ as a contract error, never to a retry topic', async () => {
    const synced: string[] = [];
    await start({
      platform: 'cafe24',
      async sync(r) {
        synced.push(r.tenantId);
        return { cursors: {}, done: true };
      },
    });
    await publish(request('lost', { platform: 'ably' }));
    await publish(request('lost'));
    const runs = runsOf(await kafka.readTopic('sync.runs', 1));
    const [entry] = (await kafka.readTopic('sync.dlq', 1)).map((m) => DlqEntryContract.decode(m.value));
    assert.ok(entry?.ok);
    assert.equal(entry.value.errorClass, 'CONTRACT');
    assert.match(entry.value.reason, /ably request on the cafe24 topic/);
    assert.equal(SyncRequestContract.decode(Buffer.from(entry.value.value, 'base64')).ok, true, 'the original request, replayable');
    assert.deepEqual(synced, ['lost'], 'only the cafe24 request ran');
    assert.deepEqual(runs.map((r) => r.platform), ['cafe24']);
    assert.deepEqual(await drainTopic(kafka, 'sync.ably.retry'), []);
    assert.deepEqual(await drainTopic(kafka, 'sync.cafe24.retry'), []);
    assert.equal((await drainTopic(kafka, 'sync.runs')).length, 1, 'no run event for a request that was not understood');
  });

  it('queuedPerPartition reaches the runner: with 1, a partition holding a running job fetches nothing more', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await start({
      platform: 'cafe24',
      async sync(r) {
        started.push(r.tenantId);
        if (r.tenantId === 'slow') await gate;
        return { cursors: {}, done: true };
      },
    }, { queuedPerPartition: 1 });
    // One key, so one partition: the slow tenant's request, then another tenant's behind it.
    await kafka.produce('sync.cafe24.high', [
      { key: 'same', value: SyncRequestContract.encode(request('slow')) },
      { key: 'same', value: SyncRequestContract.encode(request('behind')) },
    ]);
    await waitFor(() => started.includes('slow'), { description: 'the slow job to start' });
    // With the default (32) the other tenant's job starts at once beside the slow one (runner.test.ts).
    await waitFor(() => started.includes('behind'), { deadlineMs: 2_000 }).then(() => assert.fail('a second job was fetched'), () => undefined);
    release();
    await waitFor(() => started.includes('behind'), { description: 'the job behind, once the slow one committed' });
  });

  it('serves paid (high) requests before a backlog of free (low) ones, keeping a share for low', async () => {
    const order: string[] = [];
    await start({
      platform: 'cafe24',
      async sync(r) {
        order.push(r.tier);
        return { cursors: {}, done: true };
      },
    }, { concurrency: 1, lowShare: 0.25 });
    await consumer!.stop();
    for (let i = 0; i < 12; i++) await publish(request(`free${i}`, { tier: 'free' }), 'sync.cafe24.low');
    for (let i = 0; i < 12; i++) await publish(request(`paid${i}`), 'sync.cafe24.high');
    await start({
      platform: 'cafe24',
      async sync(r) {
        order.push(r.tier);
        return { cursors: {}, done: true };
      },
    }, { concurrency: 1, lowShare: 0.25 });
    await kafka.readTopic('sync.runs', 24);
    const firstEight = order.slice(0, 8);
    const freeEarly = firstEight.filter((t) => t === 'free').length;
    assert.ok(freeEarly >= 1 && freeEarly <= 3, `free got ${freeEarly} of the first 8 starts: ${order.join(',')}`);
  });
});
