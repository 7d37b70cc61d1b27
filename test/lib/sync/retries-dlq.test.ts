import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DlqEntryContract, SyncRequestContract, SyncRunContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { RateLimitedError, TransientSourceError } from '../../../lib/errors.js';
import { createSyncConsumer } from '../../../lib/sync/sync-consumer.js';
import { TIER_POLICIES, type TierPolicy } from '../../../lib/sync/tiers.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

/** The tiers' own shape (exponential, full jitter) on a test's time scale: paid 4 attempts, free 2. */
const tiers: Record<'paid' | 'free', TierPolicy> = {
  paid: { ...TIER_POLICIES.paid, retry: { ...TIER_POLICIES.paid.retry, initialMs: 100, maxMs: 400, maxAttempts: 4 } },
  free: { ...TIER_POLICIES.free, retry: { ...TIER_POLICIES.free.retry, initialMs: 100, maxMs: 400, maxAttempts: 2 } },
};

describe('sync consumer: retries per tier, then sync.dlq with the error history (real broker)', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  let consumer: ReturnType<typeof createSyncConsumer> | undefined;

  beforeEach(async () => {
    kafka = await testKafka('retry');
    await kafka.createTopics('all');
  });
  afterEach(async () => {
    await consumer?.stop();
    await kafka.close();
  });

  it('a job failing transiently is retried per its tier\'s attempts, waits the source\'s hint, and lands in sync.dlq', async () => {
    const calls = new Map<string, number>();
    consumer = createSyncConsumer({
      kafka, instanceId: uniqueName('i'), logger: testLogger(), tierPolicies: tiers,
      connector: {
        platform: 'cafe24',
        async sync(r) {
          const n = (calls.get(r.tenantId) ?? 0) + 1;
          calls.set(r.tenantId, n);
          if (n === 1) throw new RateLimitedError('429 Too Many Requests', 700);
          throw new TransientSourceError(`503 on call ${n}`);
        },
      },
    });
    await consumer.start();
    const publish = (tenantId: string, tier: 'paid' | 'free') => {
      const r: SyncRequest = { v: 1, requestId: randomUUID(), tenantId, platform: 'cafe24', tier, reason: 'scheduled', attempt: 1, requestedAt: new Date().toISOString() };
      return kafka.produce(tier === 'paid' ? 'sync.cafe24.high' : 'sync.cafe24.low', [{ key: tenantId, value: SyncRequestContract.encode(r) }]);
    };
    await publish('paid1', 'paid');
    await publish('free1', 'free');
    const runs = (await kafka.readTopic('sync.runs', 6)).map((m) => {
      const run = SyncRunContract.decode(m.value);
      assert.ok(run.ok);
      return run.value;
    });
    const of = (t: string) => runs.filter((r) => r.tenantId === t);
    assert.deepEqual(of('paid1').map((r) => [r.attempt, r.status]), [[1, 'retrying'], [2, 'retrying'], [3, 'retrying'], [4, 'dead']]);
    assert.deepEqual(of('free1').map((r) => [r.attempt, r.status]), [[1, 'retrying'], [2, 'dead']]);
    for (const t of ['paid1', 'free1']) {
      const [first, second] = of(t);
      const waited = Date.parse(second!.startedAt) - (Date.parse(first!.startedAt) + first!.durationMs);
      assert.ok(waited >= 700, `${t}: the second attempt waited ${waited} ms, less than the source's Retry-After of 700`);
    }
    assert.deepEqual([calls.get('paid1'), calls.get('free1')], [4, 2], 'no attempt beyond the tier\'s');

    const dlq = (await kafka.readTopic('sync.dlq', 2)).map((m) => {
      const entry = DlqEntryContract.decode(m.value);
      assert.ok(entry.ok);
      return entry.value;
    });
    const paid = dlq.find((e) => e.tenantId === 'paid1')!;
    assert.deepEqual(paid.errors?.map((e) => [e.attempt, e.errorClass]), [[1, 'RATE_LIMITED'], [2, 'TRANSIENT_SOURCE'], [3, 'TRANSIENT_SOURCE'], [4, 'TRANSIENT_SOURCE']]);
    assert.equal(paid.reason, '503 on call 4');
    const original = SyncRequestContract.decode(Buffer.from(paid.value, 'base64'));
    assert.ok(original.ok && original.value.attempt === 4, 'the DLQ keeps the last attempt\'s request, replayable');
    assert.deepEqual(dlq.find((e) => e.tenantId === 'free1')!.errors?.map((e) => e.attempt), [1, 2]);
  });
});
