import assert from 'node:assert/strict';
import { createManualClock } from '../../../simulators/cafe24/clock.js';
import { startTestSim, type TestSim } from './helpers.js';

describe('cafe24 simulator fault knobs', () => {
  let t: TestSim;
  afterEach(() => t?.close());

  it('answers 500/503 with the error envelope at the configured rate, reproducibly for a seed', async () => {
    const run = async () => {
      const sim = await startTestSim({ clock: createManualClock(), faults: { status5xxRate: 0.3 } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 100; i++) statuses.push((await sim.get('/store')).status);
        return { statuses, stats: sim.sim.stats(sim.mallId) };
      } finally {
        await sim.close();
      }
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(first.statuses, second.statuses, 'same seed, same call sequence: same faults');
    const failures = first.statuses.filter((s) => s >= 500);
    assert.ok(failures.length >= 15 && failures.length <= 45, `${failures.length} of 100 failed at rate 0.3`);
    assert.ok(failures.every((s) => s === 500 || s === 503));
    assert.equal(first.stats.injected.serverErrors, failures.length);
  });

  it('sends the 5xx body in the documented envelope', async () => {
    t = await startTestSim({ faults: { status5xxRate: 1 } });
    const reply = await t.get('/store');
    assert.ok(reply.status === 500 || reply.status === 503);
    assert.equal(reply.body.error.code, reply.status);
    assert.match(reply.headers.get('x-api-call-limit') ?? '', /^1\/40$/, 'a failed call still counts against the bucket');
  });

  it('hangs a call until the client gives up, and close() does not wait for it', async () => {
    t = await startTestSim();
    t.sim.faults.set(t.mallId, { timeoutRate: 1 });
    await assert.rejects(
      fetch(`${t.sim.baseUrlFor(t.mallId)}/api/v2/admin/store`, {
        headers: { Authorization: `Bearer ${t.accessToken}` }, signal: AbortSignal.timeout(200),
      }),
      (error: Error) => error.name === 'TimeoutError',
    );
    assert.equal(t.sim.stats(t.mallId).injected.timeouts, 1);
    t.sim.faults.set(t.mallId, { timeoutRate: 1 });
    const pending = fetch(`${t.sim.baseUrlFor(t.mallId)}/api/v2/admin/store`, { headers: { Authorization: `Bearer ${t.accessToken}` } });
    const outcome = pending.then(() => 'answered', () => 'dropped');
    await t.close();
    assert.equal(await outcome, 'dropped');
  });

  it('breaks bodies on demand: invalid JSON, or cut short mid-transfer', async () => {
    t = await startTestSim({ faults: { malformedRate: 1, malformedKind: 'invalid-json' } });
    const invalid = await t.get('/products?limit=10');
    assert.equal(invalid.status, 200);
    assert.throws(() => JSON.parse(invalid.text));

    t.sim.faults.set(t.mallId, { malformedKind: 'truncated' });
    t.clock.advance(500);
    const response = await fetch(`${t.sim.baseUrlFor(t.mallId)}/api/v2/admin/products?limit=10`, {
      headers: { Authorization: `Bearer ${t.accessToken}` },
    });
    assert.equal(response.status, 200);
    await assert.rejects(response.text());
    assert.equal(t.sim.stats(t.mallId).injected.malformed, 2);
  });

  it('delays responses by the configured latency (wall time)', async () => {
    t = await startTestSim({ latencyMs: 60 });
    const started = performance.now();
    assert.equal((await t.get('/store')).status, 200);
    assert.ok(performance.now() - started >= 55);
    t.sim.faults.set(t.mallId, { latencyMs: 0 });
  });

  it('runs a 429 storm: a counted burst of refusals, or a shrunken bucket', async () => {
    t = await startTestSim();
    t.sim.faults.storm(t.mallId, 3);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.get('/store')).status);
    assert.deepEqual(statuses, [429, 429, 429, 200]);

    t.sim.faults.set(t.mallId, { rateLimit: { bucket: { capacity: 5 }, abnormalCallsPerSecond: 0 } });
    t.clock.advance(60_000);
    const limits: Array<string | null> = [];
    for (let i = 0; i < 6; i++) limits.push((await t.get('/store', { paceMs: 0 })).headers.get('x-api-call-limit'));
    assert.deepEqual(limits, ['1/5', '2/5', '3/5', '4/5', '5/5', '5/5']);
    assert.equal(t.sim.stats(t.mallId).refusals.forced, 3);
    assert.equal(t.sim.stats(t.mallId).refusals.bucket, 1);
  });

  it('expires access tokens on demand, with the real expiry message', async () => {
    t = await startTestSim();
    t.sim.expireAccessTokens(t.mallId);
    const reply = await t.get('/store');
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error.message, 'access_token time expired. (invalid_token)');
  });

  it('resizes a shop at runtime, deterministically', async () => {
    t = await startTestSim();
    t.sim.resizeShop(t.mallId, { products: 12, orders: 30 });
    assert.equal(t.sim.expectedCounts(t.mallId).products, 12);
    assert.equal(t.sim.expectedCounts(t.mallId).orders, 30);
    assert.equal((await t.get('/products/count')).body.count, 12);
  });

  it('changes knobs over the /__sim control routes', async () => {
    t = await startTestSim();
    const put = await fetch(`${t.sim.origin}/__sim/malls/${t.mallId}/faults`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status5xxRate: 1 }),
    });
    assert.equal(put.status, 200);
    assert.ok((await t.get('/store')).status >= 500);
    await fetch(`${t.sim.origin}/__sim/malls/${t.mallId}/faults`, { method: 'DELETE' });
    assert.equal((await t.get('/store')).status, 200);
    const stats = await (await fetch(`${t.sim.origin}/__sim/malls/${t.mallId}/stats`)).json() as { calls: number };
    assert.equal(stats.calls, 2);
  });
});
