import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncRequestContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { createSyncConsumer } from '../../../lib/sync/sync-consumer.js';
import { waitFor } from '../../../lib/wait-for.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

interface Start { instance: string; tier: string; at: number }

describe('priority across the group: two instances of one consumer group (real broker)', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  const consumers: ReturnType<typeof createSyncConsumer>[] = [];

  beforeEach(async () => {
    kafka = await testKafka('prio');
    await kafka.createTopics('all');
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await kafka.close();
  });

  const request = (tenantId: string, tier: 'paid' | 'free'): SyncRequest =>
    ({ v: 1, requestId: randomUUID(), tenantId, platform: 'cafe24', tier, reason: 'scheduled', attempt: 1, requestedAt: new Date().toISOString() });
  const publish = (tier: 'paid' | 'free', count: number) => kafka.produce(tier === 'paid' ? 'sync.cafe24.high' : 'sync.cafe24.low',
    Array.from({ length: count }, (_, i) => {
      const r = request(`${tier}-${randomUUID().slice(0, 8)}-${i}`, tier);
      return { key: r.tenantId, value: SyncRequestContract.encode(r) };
    }));

  it('a burst of paid requests overtakes a free backlog while free still progresses on both instances', async () => {
    const starts: Start[] = [];
    const done = { paid: 0, free: 0 };
    for (const instance of ['a', 'b']) {
      const consumer = createSyncConsumer({
        kafka, instanceId: uniqueName(instance), logger: testLogger(), concurrency: 2, lowShare: 0.25,
        connector: {
          platform: 'cafe24',
          async sync(r) {
            starts.push({ instance, tier: r.tier, at: Date.now() });
            await sleep(40);
            done[r.tier]++;
            return { cursors: {}, done: true };
          },
        },
      });
      consumers.push(consumer);
    }
    await publish('free', 400);
    await Promise.all(consumers.map((c) => c.start()));
    // Both members hold a share of the free backlog before the burst (the second join rebalances the first).
    await waitFor(() => ['a', 'b'].every((i) => starts.filter((s) => s.instance === i).length >= 5), { deadlineMs: 60_000, description: 'both instances working the free backlog' });
    const burstAt = Date.now();
    await publish('paid', 80);
    await waitFor(() => done.paid === 80, { deadlineMs: 60_000, description: `the 80 paid jobs (done ${done.paid})` });
    const freeLeft = 400 - done.free;
    assert.ok(freeLeft > 100, `paid overtook the free backlog: ${freeLeft} free requests still waiting when the last paid one finished`);

    // Each instance over its own paid work (first to last paid start): an instance whose share of the paid
    // partitions is done serves free at full speed, as it should, while the other still works its paid ones.
    const window: Start[] = [];
    for (const instance of ['a', 'b']) {
      const mine = starts.filter((s) => s.instance === instance);
      const paidAt = mine.filter((s) => s.tier === 'paid').map((s) => s.at);
      const during = mine.filter((s) => s.at >= Math.min(...paidAt) && s.at <= Math.max(...paidAt));
      window.push(...during);
      const paid = during.filter((s) => s.tier === 'paid').length;
      const free = during.length - paid;
      assert.ok(paid > 0 && free > 0, `instance ${instance} during its paid work: ${paid} paid, ${free} free starts`);
      assert.ok(paid > free, `instance ${instance} served paid first: ${paid} paid, ${free} free`);
    }
    const freeShare = window.filter((s) => s.tier === 'free').length / window.length;
    assert.ok(freeShare >= 0.1 && freeShare <= 0.45, `free kept about its share (0.25) of the group's starts during the burst: ${freeShare.toFixed(2)}`);
    const firstPaid = Math.min(...starts.filter((s) => s.tier === 'paid').map((s) => s.at));
    assert.ok(firstPaid - burstAt < 5_000, `the first paid job started ${firstPaid - burstAt} ms after the burst`);
  });
});
