/**
 * The metrics a platform's own parts feed (otel/kernel-metrics.ts instrumentRateLimiter, instrumentBreaker): the
 * Cafe24 rate limiter's waits and the mall's 429s, through the real Admin API against the simulator, the Ably
 * request pacer's waits and 429s, and the Ably circuit breaker's state and soft blocks, on the real breaker. Each
 * series is read from /metrics.
 */
import assert from 'node:assert/strict';
import { request } from 'undici';
import { createCircuitBreaker } from '../../consumers/ably/circuit-breaker.js';
import { createRequestPacer } from '../../consumers/ably/request-pacer.js';
import { createSellerApi } from '../../consumers/ably/seller-api.js';
import { createAdminApi } from '../../consumers/cafe24/admin-api.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT_POLICY } from '../../consumers/cafe24/rate-limiter.js';
import { RateLimitedError } from '../../lib/errors.js';
import { parsePrometheusText } from '../../otel/alerter/sources.js';
import { startHealthServer, type HealthServer } from '../../otel/health-server.js';
import { instrumentBreaker, instrumentRateLimiter } from '../../otel/kernel-metrics.js';
import { BREAKER_VALUE } from '../../otel/metric-names.js';
import { createMetrics, type Metrics } from '../../otel/metrics.js';
import { startAblySimulator } from '../../simulators/ably/index.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';

describe('platform metrics: the Cafe24 limiter and 429s, the Ably pacer and breaker', function () {
  this.timeout(30_000);
  let metrics: Metrics;
  let server: HealthServer;
  const stops: (() => void | Promise<void>)[] = [];

  beforeEach(async () => {
    metrics = createMetrics();
    server = await startHealthServer({ host: '127.0.0.1', port: 0, metrics, checks: [] });
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await server.close();
    await metrics.shutdown();
  });

  async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
    const response = await request(`http://127.0.0.1:${server.port}/metrics`);
    const samples = parsePrometheusText(await response.body.text());
    return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  }

  it('counts a 429 from the mall, then the call the limiter held back after it and how long it waited', async function () {
    const MALL = 'metricsmall';
    const sim: Cafe24Simulator = await startCafe24Simulator({ seed: 3, shops: [{ mallId: MALL, products: 3, orders: 0 }] });
    stops.push(() => sim.close());
    const limiter = createRateLimiter(DEFAULT_RATE_LIMIT_POLICY);
    stops.push(instrumentRateLimiter(metrics, 'cafe24', limiter));
    const api = createAdminApi({ baseTemplate: sim.apiBaseTemplate, apiVersion: '2025-12-01', limiter });
    stops.push(() => api.close());
    const { accessToken } = await sim.issueTokens(MALL);
    const signal = new AbortController().signal;

    await api.get(MALL, accessToken, 'products', { limit: 1 }, signal);
    assert.equal(await value('sellerstream_limiter_waits_total', { platform: 'cafe24' }), undefined, 'a call with room in the bucket waits for nothing');
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'cafe24' }), undefined);

    sim.faults.storm(MALL, 1);
    await assert.rejects(api.get(MALL, accessToken, 'products', { limit: 1 }, signal), RateLimitedError);
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'cafe24' }), 1);

    // After a 429 the limiter holds the mall's next call for a second at least (rate-limiter.ts observe).
    await api.get(MALL, accessToken, 'products', { limit: 1 }, signal);
    assert.equal(await value('sellerstream_limiter_waits_total', { platform: 'cafe24' }), 1);
    assert.equal(await value('sellerstream_limiter_wait_seconds_count', { platform: 'cafe24' }), 1);
    const waited = await value('sellerstream_limiter_wait_seconds_sum', { platform: 'cafe24' });
    assert.ok(waited !== undefined && waited >= 0.9 && waited < 5, `waited ${waited} s`);
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'cafe24' }), 1, 'the waited call was not refused');
  });

  it('counts the calls the Ably pacer held back and how long', async function () {
    const pacer = createRequestPacer({ hostRatePerSec: 100, hostBurst: 100, accountRatePerSec: 10, accountBurst: 1, jitterMs: 0, maxWaitMs: 1_000 });
    stops.push(instrumentRateLimiter(metrics, 'ably', pacer));
    const signal = new AbortController().signal;
    await pacer.acquire('api.a-bly.com', 'seller-1', signal);
    assert.equal(await value('sellerstream_limiter_waits_total', { platform: 'ably' }), undefined, 'the burst lets the first call go at once');
    // The account's bucket is empty: the next call waits ~100 ms for its token.
    await pacer.acquire('api.a-bly.com', 'seller-1', signal);
    assert.equal(await value('sellerstream_limiter_waits_total', { platform: 'ably' }), 1);
    const waited = await value('sellerstream_limiter_wait_seconds_sum', { platform: 'ably' });
    assert.ok(waited !== undefined && waited >= 0.05 && waited < 1, `waited ${waited} s`);

  });

  it('counts the 429s the seller center answers through the Ably seller API, not its soft blocks', async function () {
    // The account may make 2 calls (its login and one read); the simulator's clock stands still, so no refill.
    const sim = await startAblySimulator({ seed: 7, sellers: 2, limits: { perIp: [{ ratePerSec: 10_000, burst: 10_000 }], perAccount: [{ ratePerSec: 1, burst: 2 }], softBlock: false } });
    stops.push(() => sim.stop());
    const pacer = createRequestPacer({ jitterMs: 0 });
    stops.push(instrumentRateLimiter(metrics, 'ably', pacer));
    const api = createSellerApi({ apiBaseUrl: sim.apiUrl, webOrigin: sim.webUrl, pacer });
    stops.push(() => api.close());
    const seller = sim.sellers.find((s) => s.loginMode === 'api')!;
    const signal = new AbortController().signal;
    const token = await api.login(seller.sellerId, seller.email, seller.password, signal);
    await api.get(seller.sellerId, token, '/seller/dashboard/summary/', {}, signal);
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'ably' }), undefined);
    await assert.rejects(api.get(seller.sellerId, token, '/seller/dashboard/summary/', {}, signal), RateLimitedError);
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'ably' }), 1);
    // A soft block's cool-down is the breaker's to count (instrumentBreaker), not the pacer's.
    pacer.pause({ account: seller.sellerId }, 1_000, 'blocked');
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'ably' }), 1);
  });

  it('sets the breaker gauge on each move (closed → open → half open → closed) and counts its soft blocks', async function () {
    let t = 0;
    const breaker = createCircuitBreaker({ windowMs: 10_000, minSamples: 4, openAtBlockRate: 0.5, openMs: 5_000, now: () => t });
    // The timer is an hour: what the gauge shows below comes from the breaker's events alone.
    stops.push(instrumentBreaker(metrics, 'ably', breaker, 3_600_000));
    const state = () => value('sellerstream_breaker_state', { platform: 'ably' });
    assert.equal(await state(), BREAKER_VALUE.closed);

    breaker.record('ok');
    breaker.record('blocked');
    breaker.record('blocked');
    assert.equal(await state(), BREAKER_VALUE.closed, 'under minSamples');
    breaker.record('blocked');
    assert.equal(await state(), BREAKER_VALUE.open);
    assert.equal(await value('sellerstream_source_throttled_total', { platform: 'ably' }), 3);

    t += 5_000;
    const probe = breaker.allow();
    assert.deepEqual(probe, { ok: true, probe: true });
    assert.equal(await state(), BREAKER_VALUE.half_open);
    breaker.record('ok', true);
    assert.equal(await state(), BREAKER_VALUE.closed);
    assert.equal(breaker.opened, 1);
  });
});
