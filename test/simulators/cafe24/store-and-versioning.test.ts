import assert from 'node:assert/strict';
import { resolveApiVersion } from '../../../simulators/cafe24/versioning.js';
import { startTestSim, type TestSim } from './helpers.js';

describe('cafe24 simulator store, shops and X-Cafe24-Api-Version', () => {
  let t: TestSim;
  before(async () => { t = await startTestSim({ shops: [{ mallId: 'testmall', products: 5, orders: 5, shopCount: 2 }] }); });
  after(() => t.close());

  it('lists the multi-shops with their currency', async () => {
    const shops = await t.get('/shops');
    assert.deepEqual(shops.body.shops.map((s: { shop_no: number; currency_code: string }) => [s.shop_no, s.currency_code]), [[1, 'KRW'], [2, 'USD']]);
    const store = await t.get('/store');
    assert.equal(store.body.store.mall_id, 'testmall');
  });

  it('echoes the version in effect, and uses the app version without the header', async () => {
    const pinned = await t.get('/store');
    assert.equal(pinned.headers.get('x-cafe24-api-version'), '2025-12-01');
    t.clock.advance(500);
    const unpinned = await fetch(`${t.sim.baseUrlFor(t.mallId)}/api/v2/admin/store`, { headers: { Authorization: `Bearer ${t.accessToken}` } });
    assert.equal(unpinned.status, 200);
    assert.equal(unpinned.headers.get('x-cafe24-api-version'), '2025-12-01');
  });

  it('refuses malformed, unknown and unreleased versions with 400', async () => {
    for (const version of ['2025-13-01', 'latest', '2022-01-01', '2027-12-01']) {
      const reply = await t.get('/store', { headers: { 'X-Cafe24-Api-Version': version } });
      assert.equal(reply.status, 400, version);
      assert.equal(reply.body.error.code, 400);
    }
  });

  it('runs an expired version as the oldest live one', async () => {
    const reply = await t.get('/store', { headers: { 'X-Cafe24-Api-Version': '2021-03-01' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-cafe24-api-version'), '2024-09-01');
    assert.equal(resolveApiVersion('2024-09-01', Date.UTC(2027, 0, 1)), '2025-12-01', 'a year after 2025-12-01 came out, 2024-09-01 is gone');
  });

  it('answers 400 to non-JSON Content-Type and to unencoded characters in the URL', async () => {
    assert.equal((await t.get('/store', { headers: { 'Content-Type': 'text/plain' } })).status, 400);
    const raw = await rawGet(t.sim.port, '/malls/testmall/api/v2/admin/products?product_name=니트');
    assert.equal(raw, 400);
  });

  it('answers 404 with the envelope for unknown paths and unknown malls', async () => {
    const unknown = await t.get('/no-such-thing');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 404);
    const mall = await fetch(`${t.sim.origin}/malls/nosuchmall/api/v2/admin/store`);
    assert.equal(mall.status, 404);
  });

  it('routes by Host header as well, like {mall_id}.cafe24api.com', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: t.sim.port, path: '/api/v2/admin/store', headers: {
        Host: 'testmall.cafe24api.com', Authorization: `Bearer ${t.accessToken}`, 'X-Cafe24-Api-Version': '2025-12-01',
      } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
    assert.equal(status, 200);
  });
});

/** A GET whose request line carries raw UTF-8, which fetch would percent-encode for us. */
async function rawGet(port: number, path: string): Promise<number> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'utf8'));
    });
    let data = '';
    socket.on('data', (chunk) => { data += chunk.toString(); });
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}
