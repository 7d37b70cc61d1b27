/**
 * The products scan pages by `since_product_no`, the highest product number of the page before. A record without a
 * readable number must not make that cursor NaN (every later call would ask for `since_product_no=NaN`), and a full
 * page that names no later product must fail the job rather than be fetched forever. Against a fake Admin API: the
 * paging alone, no I/O.
 */
import assert from 'node:assert/strict';
import type { AdminApi, BodyReader } from '../../../consumers/cafe24/admin-api.js';
import { createCafe24Connector } from '../../../consumers/cafe24/connector.js';
import { cafe24Platform } from '../../../consumers/cafe24/platform.js';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';
import type { Cafe24Grant, TokenRefresher } from '../../../consumers/cafe24/token-refresher.js';
import type { SyncRequest } from '../../../lib/contracts/sync-request.js';
import { recordPages } from '../../../lib/sync/record-pages.js';
import { testLogger } from '../../helpers/kafka.js';

const product = (productNo: unknown) => ({ shop_no: 1, product_no: productNo, product_name: 'Linen shirt', price: '19000.00', selling: 'T', display: 'T' });

/** An Admin API whose /products answers from `pages` by `since_product_no`, and that records each one asked. */
function fakeApi(pages: Record<string, unknown[]>, asked: string[]): AdminApi {
  return {
    async get<T>(_mallId: string, _token: string, path: string, query: Record<string, string | number | undefined>, _signal: AbortSignal, read?: BodyReader<T>): Promise<T> {
      const body = path === 'shops' ? { shops: [{ shop_no: 1 }] } : { products: pages[String(query.since_product_no)] ?? [] };
      if (path === 'products') asked.push(String(query.since_product_no));
      const bytes = Buffer.from(JSON.stringify(body));
      return read ? read(bytes) : JSON.parse(bytes.toString()) as T;
    },
    token: () => Promise.reject(new Error('no token calls here')),
    close: async () => undefined,
  };
}

const grant: Cafe24Grant = { mallId: 'fakemall1', accessToken: 'a', accessTokenExpiresAt: Date.now() + 3_600_000, refreshToken: 'r', refreshTokenExpiresAt: Date.now() + 86_400_000 };
const tokens = { validGrant: async () => grant, afterRejection: async () => grant } as unknown as TokenRefresher;
const request: SyncRequest = {
  v: 1, requestId: 'request-products-0001', tenantId: 'tenant-1', platform: 'cafe24', tier: 'paid', reason: 'scheduled', attempt: 1,
  requestedAt: new Date().toISOString(), entities: ['products'],
};

async function scan(pages: Record<string, unknown[]>) {
  const asked: string[] = [];
  let emitted = 0;
  const connector = createCafe24Connector({ api: fakeApi(pages, asked), tokens });
  const emit = (_entity: string, records: readonly unknown[]) => { emitted += records.length; };
  const result = connector.sync(request, {}, {
    signal: new AbortController().signal, log: testLogger(), shouldYield: () => false, emit,
    ...recordPages({ model: cafe24Platform, hashBuyer: createBuyerHasher('salt') }, request, emit),
  });
  return { result, asked, emitted: () => emitted };
}

describe('cafe24 products cursor (pure)', () => {
  it('steps past a record without a readable product number instead of asking for NaN', async () => {
    const first = [...Array.from({ length: 98 }, (_, i) => product(i + 1)), product('not-a-number'), { shop_no: 1 }];
    const { result, asked, emitted } = await scan({ 0: first, 98: [product(99), product(100)] });
    await result;
    assert.deepEqual(asked, ['0', '98']);
    assert.equal(emitted(), 102, 'every record is handed on; the mapper sends the odd ones to the DLQ');
  });

  it('fails the job when a full page names no later product, rather than fetching it again', async () => {
    const stuck = Array.from({ length: 100 }, () => product('x'));
    const { result, asked } = await scan({ 0: stuck });
    await assert.rejects(result, /a full page after product 0 names no later product/);
    assert.deepEqual(asked, ['0']);
  });
});
