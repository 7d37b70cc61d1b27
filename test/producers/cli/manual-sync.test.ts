/** Manual syncs share the scheduler's request ids (pure); continuation ids keep a chain followable. */
import assert from 'node:assert/strict';
import { continuationId, inChainOf } from '../../../lib/contracts/sync-request.js';
import type { Tenant } from '../../../lib/contracts/tenant.js';
import { manualSyncRequest } from '../../../producers/cli/manual-sync.js';
import { DEFAULT_POLICY } from '../../../producers/scheduler/policy.js';
import { compileTable, createSlotState, planTick, recordEmitted, type LinkInput } from '../../../producers/scheduler/slots.js';

const HOUR = 3_600_000;
const tenant = (id: string, tier: Tenant['tier'] = 'paid'): Tenant => ({ v: 1, tenantId: id, tier, status: 'active', cafe24: { mallId: 'mall0001' }, updatedAt: new Date(0).toISOString() });

describe('manual sync request ids', () => {
  it('equal the id the scheduler emits for the same slot, whichever comes first, and differ in the next slot', () => {
    const links: LinkInput[] = Array.from({ length: 50 }, (_, i) => ({ tenantId: `t-${i}`, platform: 'cafe24', tier: 'paid', since: 0 }));
    const table = compileTable(links, DEFAULT_POLICY);
    const state = createSlotState(table.size);
    const frame = Math.floor(Date.UTC(2026, 5, 1, 10) / HOUR) * HOUR;
    // The scheduler emitted the previous frame's slots, then this frame's at their times.
    recordEmitted(state, planTick(table, state, frame - 1, DEFAULT_POLICY, { leaderSince: 0 }), frame - 1);
    state.runningSince.fill(NaN);
    const scheduled = planTick(table, state, frame + HOUR - 1, DEFAULT_POLICY, { leaderSince: 0 });
    assert.equal(scheduled.length, 50);
    for (const s of scheduled) {
      const manual = manualSyncRequest(tenant(s.request.tenantId), 'cafe24', DEFAULT_POLICY, frame + 5 * 60_000);
      assert.equal(manual.request.requestId, s.request.requestId);
      assert.equal(manual.slotStart, frame);
      assert.equal(manual.request.reason, 'manual');
      assert.deepEqual(manual.request.entities, s.request.entities);
    }
    const next = manualSyncRequest(tenant('t-0'), 'cafe24', DEFAULT_POLICY, frame + HOUR + 1);
    assert.notEqual(next.request.requestId, scheduled.find((s) => s.request.tenantId === 't-0')!.request.requestId);
  });

  it('name the entity set: --entities gives another id, the same for the same set, on the tier\'s topic', () => {
    const now = Date.UTC(2026, 5, 1, 10, 30);
    const all = manualSyncRequest(tenant('e-1', 'free'), 'cafe24', DEFAULT_POLICY, now);
    const orders = manualSyncRequest(tenant('e-1', 'free'), 'cafe24', DEFAULT_POLICY, now, ['orders']);
    assert.notEqual(orders.request.requestId, all.request.requestId);
    assert.equal(manualSyncRequest(tenant('e-1', 'free'), 'cafe24', DEFAULT_POLICY, now + 1000, ['orders']).request.requestId, orders.request.requestId);
    assert.deepEqual(orders.request.entities, ['orders']);
    assert.equal(orders.topic, 'sync.cafe24.low');
    assert.throws(() => manualSyncRequest(tenant('e-1'), 'cafe24', DEFAULT_POLICY, now, ['reviews']), /no entity reviews/);
  });

  it('continuations are <first>-c<step>, within the id contract, and recognised as the chain', () => {
    const first = 'mb0123456789abcdef01234567';
    const c1 = continuationId(first);
    const c2 = continuationId(c1);
    assert.deepEqual([c1, c2], [`${first}-c1`, `${first}-c2`]);
    assert.ok(inChainOf(first, first) && inChainOf(c2, first));
    assert.ok(!inChainOf(`${first}x-c1`, first) && !inChainOf('other-c1', first));
    const long = `x${'a'.repeat(63)}`;
    assert.ok(continuationId(long).length <= 64);
  });
});
