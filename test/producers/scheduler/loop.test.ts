import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { SyncRequestContract, type SyncRequest } from '../../../lib/contracts/sync-request.js';
import { TenantContract, type Tenant } from '../../../lib/contracts/tenant.js';
import { createLogger } from '../../../lib/logger.js';
import { waitFor } from '../../../lib/wait-for.js';
import { DEFAULT_POLICY, type SchedulerPolicy } from '../../../producers/scheduler/policy.js';
import { createScheduler, type Scheduler } from '../../../producers/scheduler/loop.js';
import { drainTopic, testKafka, uniqueName, type TestKafka } from '../../helpers/kafka.js';

const PERIOD = { paid: 6_000, free: 9_000 };
/** Compressed time: frames of seconds, no onboarding (every link starts with a normal slot), no overlap. */
const POLICY: SchedulerPolicy = {
  ...DEFAULT_POLICY, periodMs: PERIOD, catchUpSpreadMs: 1_000,
  overlap: { enabled: false, staleAfterPeriods: 2 }, onboarding: { ...DEFAULT_POLICY.onboarding, depthMs: 0 },
};

function tenant(i: number, extra: Partial<Tenant> = {}): Tenant {
  return { v: 1, tenantId: `shop-${i}`, tier: i % 2 === 0 ? 'paid' : 'free', status: 'active', cafe24: { mallId: `mall${i}x` }, updatedAt: new Date().toISOString(), ...extra };
}

/** Frame start of a scheduled request (its id: s<platform><mask>-<frame start, base 36>-<link hash>). */
const slotOf = (r: SyncRequest) => parseInt(r.requestId.split('-')[1]!, 36);

describe('scheduler loop (real broker)', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  const running: Scheduler[] = [];
  const logLines: string[] = [];

  beforeEach(async () => {
    kafka = await testKafka('sched');
    await kafka.createTopics([
      { name: 'tenants', partitions: 3 }, { name: 'scheduler.state', partitions: 3 }, { name: 'scheduler.leader', partitions: 1 },
      { name: 'sync.cafe24.high', partitions: 3 }, { name: 'sync.cafe24.low', partitions: 3 },
      { name: 'sync.ably.high', partitions: 1 }, { name: 'sync.ably.low', partitions: 1 },
    ]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await kafka.close();
  });

  function start(name: string): Scheduler {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n').filter(Boolean)));
    const scheduler = createScheduler({
      kafka, logger: createLogger({ level: 'info', destination: stream }), policy: POLICY, instanceId: uniqueName(name), tickMs: 200, sessionTimeoutMs: 6_000,
    });
    running.push(scheduler);
    return scheduler;
  }

  it('fails over to a second instance mid-period without missing or doubling a slot, skipping an invalid tenant record', async () => {
    const tenants = Array.from({ length: 8 }, (_, i) => tenant(i));
    const paused = tenant(90, { status: 'paused' });
    const parked = tenant(91, { cafe24: { mallId: 'mall91x', health: 'needs_reauth' } });
    await kafka.produce('tenants', [
      ...[...tenants, paused, parked].map((t) => ({ key: t.tenantId, value: TenantContract.encode(t) })),
      { key: 'broken', value: JSON.stringify({ v: 1, tenantId: 'broken', tier: 'gold', status: 'active', updatedAt: 'yesterday' }) },
      { key: 'garbage', value: '{not json' },
    ]);

    // Either may lead once both joined (a join rebalances the group): exactly one does.
    const both = [start('a'), start('b')];
    await Promise.all(both.map((s) => s.start()));
    const a = await waitFor(() => {
      const leaders = both.filter((s) => s.isLeader());
      return leaders.length === 1 ? leaders[0] : undefined;
    }, { deadlineMs: 30_000, description: 'one instance to lead' });
    const b = both.find((s) => s !== a)!;

    const requests = async () => [
      ...await drainTopic(kafka, 'sync.cafe24.high'), ...await drainTopic(kafka, 'sync.cafe24.low'),
    ].map((m) => SyncRequestContract.decode(m.value!)).map((d) => (d.ok ? d.value : assert.fail(d.reason)));

    // Two free periods under the first leader, then it stops in the middle of a period.
    await waitFor(async () => (await requests()).length >= 8 * 2 + 4, { deadlineMs: 40_000, intervalMs: 500, description: 'slots under the first leader' });
    const stoppedAt = Date.now();
    await a.stop();
    await waitFor(() => b.isLeader(), { deadlineMs: 30_000, description: 'the second instance to take over' });
    const tookOverAt = Date.now();
    // Two more free periods under the second.
    await waitFor(() => Date.now() - tookOverAt > 2 * PERIOD.free, { deadlineMs: 40_000, intervalMs: 200, description: 'two periods' });
    await b.stop();

    const all = await requests();
    const ids = all.map((r) => r.requestId);
    assert.equal(new Set(ids).size, ids.length, 'no request twice on the topics');
    const byTenant = new Map<string, number[]>();
    for (const r of all) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), slotOf(r)]);
    assert.deepEqual([...byTenant.keys()].sort(), tenants.map((t) => t.tenantId).sort(), 'every active, unparked tenant; no paused, parked or invalid one');
    const gap = tookOverAt - stoppedAt;
    for (const t of tenants) {
      const slots = byTenant.get(t.tenantId)!.sort((x, y) => x - y);
      const period = PERIOD[t.tier];
      assert.ok(slots.length >= 3, `${t.tenantId}: ${slots.length} slots`);
      for (let k = 1; k < slots.length; k++) {
        assert.equal(slots[k]! - slots[k - 1]!, period, `${t.tenantId}: frame ${slots[k - 1]} then ${slots[k]} (failover took ${gap} ms)`);
      }
      for (const r of all.filter((x) => x.tenantId === t.tenantId)) {
        assert.equal(r.tier, t.tier);
        assert.equal(r.reason, 'scheduled');
      }
    }
    const invalid = logLines.filter((l) => l.includes('ignoring an invalid record') && l.includes('"topic":"tenants"'));
    assert.ok(invalid.some((l) => l.includes('"key":"broken"')) && invalid.some((l) => l.includes('"key":"garbage"')), 'the invalid tenant records were logged');
  });
});
