/** A job held back before it reached the source (an open circuit breaker) is handed back without using up an attempt. */
import assert from 'node:assert/strict';
import { SyncRequestContract, SyncRunContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { RateLimitedError } from '../../../lib/errors.js';
import { failureMessages } from '../../../lib/sync/job-outcome.js';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';

const policy = TIER_POLICIES.paid.retry;
const last: SyncRequest = {
  v: 1, requestId: 'req-00000002', tenantId: 't1', platform: 'ably', tier: 'paid', reason: 'retry', attempt: policy.maxAttempts,
  requestedAt: '2026-11-30T00:00:00.000Z',
};
const startedAt = new Date('2026-11-30T00:00:00.000Z');
const finishedAt = new Date('2026-11-30T00:00:01.000Z');
const source = { topic: 'sync.ably.retry', partition: 0, offset: '7' };

describe('job outcome: held back', () => {
  it('keeps the attempt and waits exactly the Retry-After, even on the last attempt', () => {
    const error = new RateLimitedError('breaker open', 1_500, { spendsAttempt: false });
    const out = failureMessages({ request: last, error, startedAt, finishedAt, source, random: () => 0.5 });
    assert.deepEqual(out.map((m) => m.topic), ['sync.runs', 'sync.ably.retry']);
    const retry = SyncRequestContract.decode(out[1]!.value);
    assert.ok(retry.ok);
    assert.equal(retry.value.attempt, policy.maxAttempts);
    assert.equal(retry.value.notBefore, '2026-11-30T00:00:02.500Z');
    const run = SyncRunContract.decode(out[0]!.value);
    assert.ok(run.ok && run.value.status === 'retrying');
  });

  it('a rate limit from the source still spends one: dead on the last attempt', () => {
    const out = failureMessages({ request: last, error: new RateLimitedError('429', 1_500), startedAt, finishedAt, source });
    assert.deepEqual(out.map((m) => m.topic), ['sync.runs', 'sync.dlq']);
  });
});
