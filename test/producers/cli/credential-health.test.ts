/** Credential health from run events (pure): the transitions, and runs older than the current credentials. */
import assert from 'node:assert/strict';
import type { SyncRun } from '../../../lib/contracts/sync-run.js';
import type { Tenant } from '../../../lib/contracts/tenant.js';
import { healthOfRun, tenantAfterRun, tenantWithFreshCredentials } from '../../../producers/scheduler/credential-health.js';

const run = (status: SyncRun['status'], startedAt: string, errorClass?: string): SyncRun => ({
  v: 1, requestId: 'req-00000001', attempt: 1, tenantId: 't-1', platform: 'ably', status, startedAt, durationMs: 5, counts: {}, ...(errorClass ? { errorClass } : {}),
});
const base: Tenant = { v: 1, tenantId: 't-1', tier: 'paid', status: 'active', ably: { sellerId: 's-1' }, updatedAt: '2026-01-01T00:00:00.000Z' };

describe('credential health', () => {
  it('maps run outcomes and the consumers\' error classes to a state', () => {
    assert.equal(healthOfRun(run('succeeded', base.updatedAt)), 'ok');
    assert.equal(healthOfRun(run('continued', base.updatedAt)), 'ok');
    assert.equal(healthOfRun(run('retrying', base.updatedAt, 'TRANSIENT_SOURCE')), 'failing');
    assert.equal(healthOfRun(run('dead', base.updatedAt, 'SOURCE_REJECTED')), 'failing');
    assert.equal(healthOfRun(run('needs_reauth', base.updatedAt, 'CREDENTIALS_REJECTED')), 'needs_reauth');
    assert.equal(healthOfRun(run('dead', base.updatedAt, 'CHALLENGE_UNPASSED')), 'challenged');
    assert.equal(healthOfRun(run('dead', base.updatedAt, 'BLOCKED')), 'blocked');
  });

  it('ok → failing → needs_reauth; new credentials → ok, and a run older than them changes nothing', () => {
    const failing = tenantAfterRun(base, run('retrying', '2026-01-02T00:00:00.000Z', 'TRANSIENT_SOURCE'))!;
    assert.equal(failing.ably?.health, 'failing');
    const parked = tenantAfterRun(failing, run('needs_reauth', '2026-01-02T01:00:00.000Z'))!;
    assert.deepEqual([parked.ably?.health, parked.ably?.healthAt], ['needs_reauth', '2026-01-02T01:00:00.000Z']);
    assert.equal(tenantAfterRun(parked, run('needs_reauth', '2026-01-02T02:00:00.000Z')), undefined, 'same health: no write');
    const fresh = tenantWithFreshCredentials(parked, 'ably', new Date('2026-01-03T00:00:00.000Z'));
    assert.equal(fresh.ably?.health, 'ok');
    assert.equal(tenantAfterRun(fresh, run('needs_reauth', '2026-01-02T23:59:00.000Z')), undefined, 'a run of the old credentials');
    assert.equal(tenantAfterRun(fresh, run('needs_reauth', '2026-01-03T00:01:00.000Z'))?.ably?.health, 'needs_reauth');
    assert.equal(tenantAfterRun({ ...base, ably: undefined }, run('needs_reauth', '2026-01-04T00:00:00.000Z')), undefined, 'no such link');
  });
});
