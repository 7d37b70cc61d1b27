import assert from 'node:assert/strict';
import {
  decide, DEFAULT_RATE_LIMIT_POLICY, freshMeters, mergePolicy, rateLimitHeaders, type MallMeters,
} from '../../../simulators/cafe24/rate-limit.js';
import { startTestSim, type TestSim } from './helpers.js';

describe('cafe24 rate limit: decisions (pure)', () => {
  it('flags the 10th call within one second as abnormal traffic even with room in the bucket', () => {
    let meters: MallMeters = freshMeters(0);
    const outcomes: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const decision = decide(meters, i * 50, DEFAULT_RATE_LIMIT_POLICY);
      meters = decision.meters;
      outcomes.push(decision.admitted);
    }
    assert.deepEqual(outcomes, [...Array(9).fill(true), false]);
    assert.equal(decide(meters, 10 * 50, DEFAULT_RATE_LIMIT_POLICY).reason, 'abnormal-traffic');
  });

  it('keeps counting refused calls in the call-usage meter, so hammering a blocked mall lengthens the block', () => {
    const policy = mergePolicy(DEFAULT_RATE_LIMIT_POLICY, { callUsage: { capacity: 20 }, abnormalCallsPerSecond: 0 });
    let meters: MallMeters = freshMeters(0);
    for (let i = 0; i < 30; i++) meters = decide(meters, 0, policy).meters;
    const headers = rateLimitHeaders(meters, 0, policy);
    assert.equal(headers['X-Cafe24-Call-Usage'], '150');
    // 10 calls above the allowance drain at 2/s: 5 s.
    assert.equal(headers['X-Cafe24-Call-Remain'], '5');
    assert.equal(decide(meters, 4_000, policy).reason, 'call-usage');
  });

  it('sends the Remain headers only at or above 100% usage', () => {
    const policy = mergePolicy(DEFAULT_RATE_LIMIT_POLICY, { abnormalCallsPerSecond: 0 });
    const meters = decide(freshMeters(0), 0, policy).meters;
    const headers = rateLimitHeaders(meters, 0, policy);
    assert.equal(headers['X-Api-Call-Limit'], '1/40');
    assert.ok(!('X-Cafe24-Call-Remain' in headers));
    assert.ok(!('X-Cafe24-Time-Remain' in headers));
  });
});

describe('cafe24 rate limit over HTTP', () => {
  let t: TestSim;
  afterEach(() => t?.close());

  it('puts X-Api-Call-Limit and the usage headers on every kind of response', async () => {
    t = await startTestSim();
    const ok = await t.get('/products?limit=1');
    const unauthorized = await t.get('/products', { token: 'nope' });
    const invalid = await t.get('/products?limit=101');
    for (const reply of [ok, unauthorized, invalid]) {
      assert.match(reply.headers.get('x-api-call-limit') ?? '', /^\d+\/40$/, `status ${reply.status}`);
      assert.match(reply.headers.get('x-cafe24-call-usage') ?? '', /^\d+(\.\d{1,2})?$/);
      assert.match(reply.headers.get('x-cafe24-time-usage') ?? '', /^\d+(\.\d{1,2})?$/);
    }
    assert.deepEqual([ok.status, unauthorized.status, invalid.status], [200, 401, 422]);
  });

  it('answers 429 with the error envelope once the bucket is full, and again after the drain time', async () => {
    t = await startTestSim({ rateLimit: { abnormalCallsPerSecond: 0 } });
    const used: string[] = [];
    for (let i = 0; i < 40; i++) used.push((await t.get('/store', { paceMs: 0 })).headers.get('x-api-call-limit') as string);
    assert.deepEqual(used.slice(0, 3), ['1/40', '2/40', '3/40']);
    assert.equal(used[39], '40/40');

    const refused = await t.get('/store', { paceMs: 0 });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 429);
    assert.equal(typeof refused.body.error.message, 'string');
    assert.equal(refused.headers.get('x-api-call-limit'), '40/40');
    assert.equal(refused.headers.get('retry-after'), null, 'no Retry-After is documented');

    assert.equal((await t.get('/store', { paceMs: 499 })).status, 429, 'still full 499 ms later');
    const recovered = await t.get('/store', { paceMs: 1 });
    assert.equal(recovered.status, 200, 'one call drained after 500 ms');
    assert.equal(recovered.headers.get('x-api-call-limit'), '40/40');

    const drained = await t.get('/store', { paceMs: 20_000 });
    assert.equal(drained.headers.get('x-api-call-limit'), '1/40');
    assert.equal(t.sim.stats(t.mallId).refusals.bucket, 2);
  });

  it('keys the bucket per mall: one mall exhausting its bucket does not affect another', async () => {
    t = await startTestSim({
      rateLimit: { abnormalCallsPerSecond: 0 },
      shops: [{ mallId: 'malla', products: 5, orders: 5 }, { mallId: 'mallb', products: 5, orders: 5 }],
      mallId: 'malla',
    });
    const other = await t.sim.issueTokens('mallb');
    for (let i = 0; i < 40; i++) await t.get('/store', { paceMs: 0 });
    assert.equal((await t.get('/store', { paceMs: 0 })).status, 429);
    const b = await t.get('/store', { paceMs: 0, mallId: 'mallb', token: other.accessToken });
    assert.equal(b.status, 200);
    assert.equal(b.headers.get('x-api-call-limit'), '1/40');
  });

  it('refuses abnormal traffic (10 calls within a second) with 429 under the default policy', async () => {
    t = await startTestSim();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await t.get('/store', { paceMs: 50 })).status);
    assert.deepEqual(statuses, [...Array(9).fill(200), 429]);
    assert.equal(t.sim.stats(t.mallId).refusals['abnormal-traffic'], 1);
  });

  it('reports usage past 100% with X-Cafe24-Call-Remain while a mall keeps calling when blocked', async () => {
    t = await startTestSim({ rateLimit: { abnormalCallsPerSecond: 0, callUsage: { capacity: 50 } } });
    let last;
    for (let i = 0; i < 60; i++) last = await t.get('/store', { paceMs: 0 });
    assert.equal(last?.status, 429);
    assert.ok(Number(last?.headers.get('x-cafe24-call-usage')) >= 100);
    assert.match(last?.headers.get('x-cafe24-call-remain') ?? '', /^\d+$/);
  });

  it('meters processing time: big pages push X-Cafe24-Time-Usage past 100% and then refuse with Time-Remain', async () => {
    t = await startTestSim({
      shops: [{ mallId: 'testmall', products: 30, orders: 3000, historyDays: 120 }],
      rateLimit: { timeUsage: { capacity: 200 } },
    });
    const path = '/orders?start_date=2026-09-01&end_date=2026-11-29&limit=1000&embed=items';
    const first = await t.get(path, { paceMs: 0 });
    assert.equal(first.status, 200);
    assert.ok(Number(first.headers.get('x-cafe24-time-usage')) >= 100, first.headers.get('x-cafe24-time-usage') ?? '');
    assert.match(first.headers.get('x-cafe24-time-remain') ?? '', /^\d+$/);
    const blocked = await t.get(path, { paceMs: 0 });
    assert.equal(blocked.status, 429);
    assert.equal(t.sim.stats(t.mallId).refusals['time-usage'], 1);
  });

  it('admits the financials (call limit 1) only into a drained bucket', async () => {
    t = await startTestSim();
    const path = '/financials/dailysales?start_date=2026-11-01&end_date=2026-11-02';
    const first = await t.get(path, { paceMs: 0 });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-api-call-limit'), '1/1');
    assert.equal((await t.get(path, { paceMs: 100 })).status, 429);
    assert.equal((await t.get(path, { paceMs: 500 })).status, 200);
  });
});
