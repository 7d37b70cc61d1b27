import assert from 'node:assert/strict';
import { postForm, readReply, startTestSim, type TestSim } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('cafe24 simulator OAuth', () => {
  let t: TestSim;
  beforeEach(async () => { t = await startTestSim(); });
  afterEach(() => t.close());

  const basic = () => ({ clientId: t.sim.app.clientId, clientSecret: t.sim.app.clientSecret });
  const refresh = (refreshToken: string, credentials: { clientId: string; clientSecret: string } | null = basic()) =>
    postForm(t.sim.tokenUrlFor(t.mallId), { grant_type: 'refresh_token', refresh_token: refreshToken }, credentials);

  it('redirects the authorize step with a code and the state, and exchanges the code with Basic auth', async () => {
    const authorize = await fetch(t.sim.authorizeUrlFor(t.mallId, { state: 'xyz' }), { redirect: 'manual' });
    assert.equal(authorize.status, 302);
    const location = new URL(authorize.headers.get('location') as string);
    assert.equal(location.origin + location.pathname, t.sim.app.redirectUri);
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code') as string;

    const token = await postForm(t.sim.tokenUrlFor(t.mallId), {
      grant_type: 'authorization_code', code, redirect_uri: t.sim.app.redirectUri,
    }, basic());
    assert.equal(token.status, 200);
    assert.deepEqual(Object.keys(token.body).sort(), [
      'access_token', 'client_id', 'expires_at', 'issued_at', 'mall_id', 'refresh_token', 'refresh_token_expires_at',
      'scopes', 'shop_no', 'token_type', 'user_id',
    ]);
    assert.ok(!('expires_in' in token.body), 'Cafe24 sends expires_at, not expires_in');
    assert.equal(token.body.mall_id, t.mallId);
    assert.equal(token.body.shop_no, '1');
    assert.ok(Array.isArray(token.body.scopes));
    // 10:00 KST on the manual clock's start day, no offset, milliseconds: the documented token time format.
    assert.equal(token.body.issued_at, '2026-11-30T10:00:00.000');
    assert.equal(token.body.expires_at, '2026-11-30T12:00:00.000');
    assert.equal(token.body.refresh_token_expires_at, '2026-12-14T10:00:00.000');
  });

  it('accepts client credentials as form fields too', async () => {
    const code = t.sim.issueAuthorizationCode(t.mallId);
    const token = await postForm(t.sim.tokenUrlFor(t.mallId), {
      grant_type: 'authorization_code', code, redirect_uri: t.sim.app.redirectUri,
      client_id: t.sim.app.clientId, client_secret: t.sim.app.clientSecret,
    }, null);
    assert.equal(token.status, 200);
  });

  it('uses an authorization code once, and only within a minute', async () => {
    const form = (code: string) => ({ grant_type: 'authorization_code', code, redirect_uri: t.sim.app.redirectUri });
    const code = t.sim.issueAuthorizationCode(t.mallId);
    assert.equal((await postForm(t.sim.tokenUrlFor(t.mallId), form(code), basic())).status, 200);
    const reused = await postForm(t.sim.tokenUrlFor(t.mallId), form(code), basic());
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'invalid_grant');

    const late = t.sim.issueAuthorizationCode(t.mallId);
    t.clock.advance(60_000);
    assert.equal((await postForm(t.sim.tokenUrlFor(t.mallId), form(late), basic())).status, 400);
  });

  it('rotates the refresh token on every refresh: the old one is rejected at once', async () => {
    const first = await refresh(t.refreshToken);
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, t.refreshToken);
    assert.notEqual(first.body.access_token, t.accessToken);

    const reused = await refresh(t.refreshToken);
    assert.equal(reused.status, 401);
    assert.deepEqual(reused.body, { error: 'invalid_grant', error_description: 'Invalid refresh_token' });

    const second = await refresh(first.body.refresh_token);
    assert.equal(second.status, 200, 'the rotated refresh token works');
    assert.equal(t.sim.stats(t.mallId).refreshes, 2);
  });

  it('moves refresh_token_expires_at forward on refresh and revokes the previous access token', async () => {
    t.clock.advance(3 * DAY);
    const refreshed = await refresh(t.refreshToken);
    assert.equal(refreshed.body.refresh_token_expires_at, '2026-12-17T10:00:00.000');
    const old = await t.get('/store');
    assert.equal(old.status, 401);
    assert.equal(old.body.error.message, 'Invalid access_token (invalid_token)');
    assert.equal((await t.get('/store', { token: refreshed.body.access_token })).status, 200);
  });

  it('expires the access token after exactly 2 hours of simulated time', async () => {
    t.clock.advance(2 * HOUR - 1);
    assert.equal((await t.get('/store', { paceMs: 0 })).status, 200);
    t.clock.advance(1);
    const expired = await t.get('/store', { paceMs: 0 });
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, { error: { code: 401, message: 'access_token time expired. (invalid_token)' } });
  });

  it('refuses a refresh token after 14 days', async () => {
    t.clock.advance(14 * DAY);
    const late = await refresh(t.refreshToken);
    assert.equal(late.status, 401);
    assert.equal(late.body.error_description, 'Invalid refresh_token');
  });

  it('rejects a wrong client secret', async () => {
    const wrong = await refresh(t.refreshToken, { clientId: t.sim.app.clientId, clientSecret: 'wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error_description, 'Invalid client_secret');
    assert.equal((await refresh(t.refreshToken)).status, 200, 'a rejected attempt does not burn the refresh token');
  });

  it('needs a form body on the token endpoint', async () => {
    const response = await fetch(t.sim.tokenUrlFor(t.mallId), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token' }),
    });
    assert.equal(response.status, 400);
  });

  it('revokes an access token together with its refresh token', async () => {
    const revoked = await postForm(t.sim.revokeUrlFor(t.mallId), { token: t.accessToken, token_hint: 'access_token' }, basic());
    assert.equal(revoked.status, 200);
    assert.equal((await t.get('/store')).status, 401);
    assert.equal((await refresh(t.refreshToken)).status, 401);
  });

  it('revokes a whole mall programmatically (the seller uninstalled the app)', async () => {
    t.sim.revoke(t.mallId);
    const call = await t.get('/store');
    assert.equal(call.status, 401);
    assert.equal(call.body.error.message, 'Invalid access_token (invalid_token)');
    assert.equal((await refresh(t.refreshToken)).status, 401);
  });

  it('answers 401 without a token and for a token of another mall', async () => {
    await t.close();
    t = await startTestSim({ shops: [{ mallId: 'malla', products: 3, orders: 3 }, { mallId: 'mallb', products: 3, orders: 3 }], mallId: 'malla' });
    assert.equal((await t.get('/store', { token: null })).status, 401);
    assert.equal((await t.get('/store', { mallId: 'mallb' })).status, 401);
  });

  it('answers 403 when the token lacks the endpoint scope', async () => {
    const narrow = await t.sim.issueTokens(t.mallId, { scopes: ['mall.read_product'] });
    assert.equal((await t.get('/products', { token: narrow.accessToken })).status, 200);
    const forbidden = await t.get('/orders/count?start_date=2026-11-01&end_date=2026-11-30', { token: narrow.accessToken });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.code, 403);
  });

  it('rejects a redirect_uri that is not the registered one', async () => {
    const url = new URL(t.sim.authorizeUrlFor(t.mallId));
    url.searchParams.set('redirect_uri', 'http://evil.example/cb');
    const reply = await readReply(await fetch(url, { redirect: 'manual' }));
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error, 'invalid_request');
  });
});
