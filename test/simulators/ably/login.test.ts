import assert from 'node:assert/strict';
import type { AblySimulator } from '../../../simulators/ably/index.js';
import { call, login, ORDER_RANGE, startTestSim } from './helpers.js';

describe('ably simulator: login and tokens', () => {
  let sim: AblySimulator;
  afterEach(() => sim?.stop());

  it('gives an api seller a JWT and refuses a wrong password with invalid_credentials', async () => {
    sim = await startTestSim();
    const seller = sim.sellers.find((s) => s.loginMode === 'api')!;
    const ok = await login(sim, seller.email, seller.password);
    assert.equal(ok.status, 200);
    assert.match(ok.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = JSON.parse(Buffer.from(ok.body.token.split('.')[1], 'base64url').toString());
    assert.equal(payload.sub, seller.sellerId);
    const wrong = await login(sim, seller.email, `${seller.password}x`);
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body, { code: 'invalid_credentials', message: '이메일 또는 비밀번호를 확인해주세요' });
  });

  it('refuses a challenge seller the plain API login with 403 challenge_required, and a made-up answer', async () => {
    sim = await startTestSim();
    const seller = sim.sellers.find((s) => s.loginMode === 'challenge')!;
    assert.ok(seller, 'the default share gives one challenge seller in ten');
    const plain = await login(sim, seller.email, seller.password);
    assert.equal(plain.status, 403);
    assert.deepEqual(plain.body, { code: 'challenge_required', message: '보안 확인이 필요합니다' });
    const issued = await call(sim, '/seller/login/challenge/', { method: 'POST', body: { email: seller.email } });
    assert.equal(issued.status, 200);
    const guessed = await call(sim, '/seller/login/', {
      method: 'POST', body: { email: seller.email, password: seller.password, challenge_id: issued.body.challenge_id, challenge_answer: 1 },
    });
    assert.equal(guessed.status, 403);
    assert.equal(guessed.body.code, 'challenge_failed');
  });

  it('locks an account after 5 failures within 10 minutes (423), even for the right password, for 30 minutes', async () => {
    sim = await startTestSim();
    const seller = sim.sellers[0]!;
    for (let i = 0; i < 5; i++) assert.equal((await login(sim, seller.email, 'wrong')).status, 400);
    const locked = await login(sim, seller.email, seller.password);
    assert.equal(locked.status, 423);
    assert.equal(locked.body.code, 'login_locked');
    sim.advance(30 * 60_000 + 1000);
    assert.notEqual((await login(sim, seller.email, seller.password)).status, 423);
  });

  it('requires Authorization: JWT on data calls and answers 401 once the token expires on the simulated clock', async () => {
    sim = await startTestSim({ knobs: { tokenTtlMs: 5 * 60_000 } });
    const seller = sim.sellers.find((s) => s.loginMode === 'api')!;
    const { token } = (await login(sim, seller.email, seller.password)).body;
    const path = `/seller/order_items/?${ORDER_RANGE}&per_page=1`;
    assert.equal((await call(sim, path)).status, 401);
    assert.equal((await call(sim, path, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
    assert.equal((await call(sim, path, { token: `${token}x` })).status, 401);
    assert.equal((await call(sim, path, { token })).status, 200);
    sim.advance(5 * 60_000);
    const expired = await call(sim, path, { token });
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, { detail: 'Signature has expired.' });
  });

  it('answers 401 to tokens of a seller whose tokens were expired, and not to fresh ones', async () => {
    sim = await startTestSim();
    const { sellerId } = sim.sellers[0]!;
    const old = sim.tokenFor(sellerId);
    sim.expireTokens(sellerId);
    const path = '/seller/dashboard/summary/';
    assert.equal((await call(sim, path, { token: old })).status, 401);
    assert.equal((await call(sim, path, { token: sim.tokenFor(sellerId) })).status, 200);
  });
});

describe('ably simulator: origin rules', () => {
  let sim: AblySimulator;
  afterEach(() => sim?.stop());

  it('accepts the web origin (or its Referer) and refuses a missing or foreign one with 403', async () => {
    sim = await startTestSim();
    const token = sim.tokenFor(sim.sellers[0]!.sellerId);
    const path = '/seller/dashboard/summary/';
    assert.equal((await call(sim, path, { token })).status, 200);
    assert.equal((await call(sim, path, { token, origin: null, headers: { Referer: `${sim.webUrl}/dashboard` } })).status, 200);
    const missing = await call(sim, path, { token, origin: null });
    assert.equal(missing.status, 403);
    assert.equal(missing.body.code, 'invalid_origin');
    assert.equal((await call(sim, path, { token, origin: 'https://evil.example' })).status, 403);
  });

  it('sends CORS headers for the web origin, so the SPA can call across ports', async () => {
    sim = await startTestSim();
    const preflight = await fetch(`${sim.apiUrl}/seller/order_items/`, {
      method: 'OPTIONS', headers: { Origin: sim.webUrl, 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), sim.webUrl);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  });

  it('refuses rollback_to_prepare unless Origin is exactly the web origin (another allowed origin or a Referer is not enough)', async () => {
    const admin = 'http://seller-admin.localhost';
    sim = await startTestSim({ extraAllowedOrigins: [admin] });
    const token = sim.tokenFor(sim.sellers[0]!.sellerId);
    const path = '/seller/order_items/rollback_to_prepare/';
    const body = { sno_list: [1, 2] };
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token, origin: admin })).status, 200);
    const fromAdmin = await call(sim, path, { method: 'PUT', token, origin: admin, body });
    assert.equal(fromAdmin.status, 403);
    assert.equal(fromAdmin.body.code, 'forbidden_origin');
    assert.equal((await call(sim, path, { method: 'PUT', token, origin: null, body, headers: { Referer: `${sim.webUrl}/sales/order` } })).status, 403);
    const ok = await call(sim, path, { method: 'PUT', token, body });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { success: true, count: 2 });
  });
});
