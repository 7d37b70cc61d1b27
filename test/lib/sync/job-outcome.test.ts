import assert from 'node:assert/strict';
import { DlqEntryContract, RawResultContract, SyncRequestContract, SyncRunContract, SyncStateContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { CredentialsRejectedError, RateLimitedError, TransientSourceError, ContractError } from '../../../lib/errors.js';
import type { OutgoingMessage } from '../../../lib/kafka/transaction.js';
import { createFetchedChunks } from '../../../lib/sync/fetched-chunks.js';
import { failureMessages, successMessages } from '../../../lib/sync/job-outcome.js';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';

const request: SyncRequest = {
  v: 1, requestId: 'req-00000001', tenantId: 't1', platform: 'cafe24', tier: 'paid', reason: 'scheduled', attempt: 1, requestedAt: '2026-11-30T00:00:00.000Z',
};
const startedAt = new Date('2026-11-30T00:00:00.000Z');
const finishedAt = new Date('2026-11-30T00:00:02.000Z');
const source = { topic: 'sync.cafe24.high', partition: 3, offset: '42' };
const on = (messages: OutgoingMessage[], topic: string) => messages.filter((m) => m.topic === topic);

describe('job outcome', () => {
  it('success: chunked records, merged cursor, a succeeded run with counts', () => {
    const fetched = createFetchedChunks(request);
    fetched.add('orders', Array.from({ length: 700 }, (_, i) => ({ id: i })));
    fetched.add('orders', Array.from({ length: 501 }, (_, i) => ({ id: 700 + i })));
    const out = successMessages({
      request, startedAt, finishedAt, fetched: fetched.entities(), storedCursors: { products: 'p9', orders: 'o1' },
      result: { cursors: { orders: 'o2' }, done: true },
    });
    const chunks = on(out, 'raw.results').map((m) => RawResultContract.decode(m.value));
    // Each emit is chunked as it comes (≤ 500 records a chunk), numbered on across emits.
    assert.deepEqual(chunks.map((c) => c.ok && c.value.records.length), [500, 200, 500, 1]);
    assert.deepEqual(chunks.map((c) => c.ok && c.value.chunk), [0, 1, 2, 3]);
    assert.deepEqual(chunks.flatMap((c) => (c.ok ? c.value.records.map((r) => (r as { id: number }).id) : [])), Array.from({ length: 1201 }, (_, i) => i));
    const state = SyncStateContract.decode(on(out, 'sync.state')[0]!.value);
    assert.ok(state.ok);
    assert.deepEqual(state.value.cursors, { products: 'p9', orders: 'o2' });
    assert.equal(on(out, 'sync.state')[0]!.key, 't1/cafe24');
    const run = SyncRunContract.decode(on(out, 'sync.runs')[0]!.value);
    assert.ok(run.ok);
    assert.equal(run.value.status, 'succeeded');
    assert.deepEqual(run.value.counts, { orders: 1201 });
    assert.equal(run.value.durationMs, 2000);
    assert.equal(out.every((m) => m.key.startsWith('t1')), true);
  });

  it('a yielded job publishes a continuation with its cursor on its tier topic', () => {
    const out = successMessages({ request, startedAt, finishedAt, fetched: [], storedCursors: {}, result: { cursors: { orders: 'page-7' }, done: false } });
    const [continuation] = on(out, 'sync.cafe24.high').map((m) => SyncRequestContract.decode(m.value));
    assert.ok(continuation?.ok);
    assert.equal(continuation.value.reason, 'continuation');
    assert.deepEqual(continuation.value.cursor, { orders: 'page-7' });
    assert.notEqual(continuation.value.requestId, request.requestId);
    const run = SyncRunContract.decode(on(out, 'sync.runs')[0]!.value);
    assert.ok(run.ok && run.value.status === 'continued');
  });

  it('a retriable failure goes to the retry topic with a not-before time from the tier policy', () => {
    const out = failureMessages({ request, error: new TransientSourceError('502'), startedAt, finishedAt, source, random: () => 0.5 });
    const retry = SyncRequestContract.decode(on(out, 'sync.cafe24.retry')[0]!.value);
    assert.ok(retry.ok);
    assert.equal(retry.value.attempt, 2);
    assert.equal(Date.parse(retry.value.notBefore!) - finishedAt.getTime(), TIER_POLICIES.paid.retry.initialMs * 0.5, 'full jitter: a uniform draw below the delay');
    assert.deepEqual(retry.value.errors, [{ attempt: 1, errorClass: 'TRANSIENT_SOURCE', message: '502', at: finishedAt.toISOString() }]);
    const run = SyncRunContract.decode(on(out, 'sync.runs')[0]!.value);
    assert.ok(run.ok && run.value.status === 'retrying' && run.value.errorClass === 'TRANSIENT_SOURCE');
  });

  it('a rate limit waits at least as long as the source asked', () => {
    const out = failureMessages({ request, error: new RateLimitedError('429', 10 * 60_000), startedAt, finishedAt, source, random: () => 0.5 });
    const retry = SyncRequestContract.decode(on(out, 'sync.cafe24.retry')[0]!.value);
    assert.ok(retry.ok && Date.parse(retry.value.notBefore!) - finishedAt.getTime() === 10 * 60_000);
  });

  it('after the last attempt, or on a non-retriable error, the job is dead and in the DLQ', () => {
    const last = { ...request, attempt: TIER_POLICIES.paid.retry.maxAttempts };
    for (const [req, error] of [[last, new TransientSourceError('502')], [request, new ContractError('bad payload')]] as const) {
      const out = failureMessages({ request: req, error, startedAt, finishedAt, source });
      assert.equal(on(out, 'sync.cafe24.retry').length, 0);
      const dlq = DlqEntryContract.decode(on(out, 'sync.dlq')[0]!.value);
      assert.ok(dlq.ok);
      assert.equal(dlq.value.source.offset, '42');
      assert.ok(SyncRequestContract.decode(Buffer.from(dlq.value.value, 'base64')).ok, 'the DLQ keeps a replayable request');
    }
  });

  it('a job dead after its retries keeps every attempt\'s error in its DLQ entry, oldest first', () => {
    let req: SyncRequest = request;
    let out: OutgoingMessage[] = [];
    for (let attempt = 1; attempt <= TIER_POLICIES.paid.retry.maxAttempts; attempt++) {
      out = failureMessages({ request: req, error: new TransientSourceError(`503 #${attempt}`), startedAt, finishedAt, source, random: () => 0 });
      const retry = on(out, 'sync.cafe24.retry')[0];
      if (retry) req = (SyncRequestContract.decode(retry.value) as { ok: true; value: SyncRequest }).value;
    }
    const dlq = DlqEntryContract.decode(on(out, 'sync.dlq')[0]!.value);
    assert.ok(dlq.ok);
    assert.deepEqual(dlq.value.errors?.map((e) => [e.attempt, e.message]), [1, 2, 3, 4, 5].map((a) => [a, `503 #${a}`]));
    assert.equal(dlq.value.reason, '503 #5');
  });

  it('rejected credentials mark the tenant as needing re-authorisation, with no retry storm', () => {
    const out = failureMessages({ request, error: new CredentialsRejectedError('invalid_grant'), startedAt, finishedAt, source });
    assert.equal(out.length, 1);
    const run = SyncRunContract.decode(out[0]!.value);
    assert.ok(run.ok && run.value.status === 'needs_reauth');
  });
});
