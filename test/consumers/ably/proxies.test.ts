/**
 * ABLY_PROXIES with the real parts: the Ably simulator, two loopback forward proxies (one demanding a user and
 * password), the connector stack as the consumer group assembles it from the config, and real Chromium for the
 * challenge seller. Each seller's every call reaches the simulator through its one assigned proxy (the simulator's
 * own count of the seller's calls equals what that proxy carried, the other proxy carried none); the challenge
 * seller's browser login goes through that same proxy, authenticated; after one proxy is removed its sellers log in
 * again through the other while the rest keep their sessions; with ABLY_PROXIES empty no proxy sees anything. The
 * test proxy's CONNECT tunnel (what https takes) is checked too.
 *
 * Credentials live in memory here, not on the Kafka topic: what is under test is which way the traffic goes, and
 * the session travels to the store and back as the same JSON either way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { Writable } from 'node:stream';
import { ProxyAgent, request } from 'undici';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBrowserLogin, ProxyCredentialsRejectedError } from '../../../consumers/ably/browser-login.js';
import { createBrowserPool } from '../../../consumers/ably/browser-pool.js';
import { createAblyConnectorStack, type AblyConnectorStack } from '../../../consumers/ably/connector-stack.js';
import type { AblySecret } from '../../../consumers/ably/login.js';
import { createProxyAssignment } from '../../../consumers/ably/proxy-assignment.js';
import { loadConfig } from '../../../lib/config.js';
import type { CredentialsStore } from '../../../lib/credentials/credentials-store.js';
import { createLogger } from '../../../lib/logger.js';
import { parseProxyList } from '../../../lib/proxy-url.js';
import { buildSyncRequest } from '../../../producers/sync-requests.js';
import { startAblySimulator, type AblySimulator } from '../../../simulators/ably/simulator.js';
import { startForwardProxy, type ForwardProxy, type SeenRequest } from '../../helpers/forward-proxy.js';

const FAST = [{ ratePerSec: 500, burst: 1000 }];
const API_SELLERS = ['px-api-1', 'px-api-2', 'px-api-3', 'px-api-4'];
const CHALLENGE_SELLER = 'px-chal';
const PROXY_SECRET = 'proxy-secret-42';

function memoryCredentials(): CredentialsStore {
  const secrets = new Map<string, string>();
  return {
    start: async () => undefined,
    stop: async () => undefined,
    get: async <T>(tenantId: string, platform: string) => {
      const text = secrets.get(`${tenantId}/${platform}`);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    put: async (tenantId, platform, secret) => void secrets.set(`${tenantId}/${platform}`, JSON.stringify(secret)),
  };
}

/** The seller a request was made for: the `sub` of the JWT in its Authorization header or session cookie. */
function sellerOf(request: SeenRequest): string | undefined {
  const jwt = /^JWT (.+)$/.exec(request.authorization ?? '')?.[1] ?? /ably-seller-admin-jwt-token=([^;]+)/.exec(request.cookie ?? '')?.[1];
  const payload = jwt ? decodeURIComponent(jwt).split('.')[1] : undefined;
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string }).sub : undefined;
}

describe('ably outbound proxies (ABLY_PROXIES, real Chromium)', function () {
  this.timeout(120_000);
  let sim: AblySimulator;
  let plain: ForwardProxy;
  let guarded: ForwardProxy;
  const stacks: AblyConnectorStack[] = [];
  const credentials = memoryCredentials();
  /** tenant id → seller id, and each seller's tenant id, chosen so both proxies get sellers. */
  const sellerOfTenant = new Map<string, string>();
  const tenantOf = new Map<string, string>();
  /** seller id → the proxy server it is assigned with both proxies configured. */
  const home = new Map<string, string>();
  /** Every log line of the stacks. */
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }) });

  const settings = (proxies: string) => loadConfig({
    ABLY_API_BASE_URL: sim.apiUrl, ABLY_WEB_URL: sim.webUrl, ABLY_HOST_RATE_PER_SEC: '200', ABLY_ACCOUNT_RATE_PER_SEC: '100',
    ABLY_EVIDENCE_DIR: mkdtempSync(join(tmpdir(), 'ably-proxies-')), ABLY_BROWSER_PAGES: '1', ...(proxies ? { ABLY_PROXIES: proxies } : {}),
  }).ably;

  function stack(proxies: string, store = credentials): AblyConnectorStack {
    const created = createAblyConnectorStack({ ably: settings(proxies), credentials: store, buyerHashSalt: 'salt', logger, now: () => sim.clock.now(), pacer: { jitterMs: 0 } });
    stacks.push(created);
    return created;
  }

  async function syncAll(on: AblyConnectorStack, tenants = [...sellerOfTenant.keys()]): Promise<void> {
    await Promise.all(tenants.map(async (tenantId) => {
      const result = await on.connector.sync(buildSyncRequest({ tenantId, platform: 'ably', tier: 'paid' }, 'manual'), {}, {
        signal: new AbortController().signal, log: logger.child({ tenantId }), emit: () => undefined, shouldYield: () => false,
        readPage: () => Promise.reject(new Error('the Ably connector reads no pages')), emitPage: () => undefined,
      });
      assert.equal(result.done, true, tenantId);
    }));
  }

  /**
   * The API calls `proxy` carried (the 407s it refused never reached the simulator), of `sellerId` if given; the
   * web app's pages and assets are not API calls, though they carry the session cookie once logged in.
   */
  const carried = (proxy: ForwardProxy, sellerId?: string) => proxy.seen.filter((r) => r.status !== 407 && r.method !== 'CONNECT'
    && new URL(r.target).origin === sim.apiUrl && (sellerId === undefined || sellerOf(r) === sellerId));
  const logins = (proxy: ForwardProxy) => carried(proxy).filter((r) => r.method === 'POST' && new URL(r.target).pathname === '/seller/login/').length;
  const loginsOf = (sellerIds: string[]) => sellerIds.reduce((n, id) => n + (sim.stats(id).byRoute.login ?? 0), 0);
  const proxyNamed = (server: string) => (server === plain.server ? plain : guarded);

  /** Every call the simulator counted for each seller came through its proxy: its token calls there, none elsewhere. */
  function assertEachSellerOnItsProxy(where: (sellerId: string) => string): void {
    for (const sellerId of [...API_SELLERS, CHALLENGE_SELLER]) {
      const mine = proxyNamed(where(sellerId));
      const other = mine === plain ? guarded : plain;
      const stats = sim.stats(sellerId);
      assert.ok(stats.calls > 0, `${sellerId} was synced`);
      assert.equal(carried(mine, sellerId).length, stats.calls - (stats.byRoute.login ?? 0), `${sellerId}: every token call through ${mine.server}`);
      assert.equal(carried(other, sellerId).length, 0, `${sellerId}: nothing through ${other.server}`);
    }
    for (const proxy of [plain, guarded]) {
      const sellers = [...API_SELLERS, CHALLENGE_SELLER].filter((id) => where(id) === proxy.server);
      assert.equal(logins(proxy), loginsOf(sellers), `${proxy.server} carried the logins of its sellers (${sellers.join(', ') || 'none'})`);
    }
  }

  before(async () => {
    sim = await startAblySimulator({
      seed: 21, limits: { perIp: FAST, perAccount: FAST },
      sellers: [...API_SELLERS.map((sellerId) => ({ sellerId, loginMode: 'api' as const, goods: 2, historyDays: 5, ordersPerDay: 3 })),
        { sellerId: CHALLENGE_SELLER, loginMode: 'challenge' as const, goods: 2, historyDays: 5, ordersPerDay: 3 }],
    });
    plain = await startForwardProxy();
    guarded = await startForwardProxy({ credentials: { username: 'proxy-user', password: PROXY_SECRET } });
    // Tenant ids picked so the API sellers split two and two, and the challenge seller lands behind the proxy that
    // wants a password (the browser must authenticate to it).
    const assignment = createProxyAssignment(parseProxyList(`${plain.url},${guarded.url}`));
    const want = new Map([...API_SELLERS.map((id, i) => [id, i % 2 ? guarded.server : plain.server] as const), [CHALLENGE_SELLER, guarded.server] as const]);
    for (const [sellerId, server] of want) {
      let n = 0;
      while (assignment.proxyFor(`t-${sellerId}-${n}`)!.server !== server) n += 1;
      tenantOf.set(sellerId, `t-${sellerId}-${n}`);
      sellerOfTenant.set(`t-${sellerId}-${n}`, sellerId);
      home.set(sellerId, server);
    }
    for (const seller of sim.sellers) {
      await credentials.put(tenantOf.get(seller.sellerId)!, 'ably', { email: seller.email, password: seller.password } satisfies AblySecret);
    }
  });

  after(async () => {
    for (const s of stacks) await s.close();
    await plain?.close();
    await guarded?.close();
    await sim?.stop();
  });

  it('sends each seller\'s API calls and its browser login through its one proxy', async () => {
    const proxied = stack(`${plain.url},${guarded.url}`);
    await syncAll(proxied);
    assert.deepEqual(proxied.sessions.counts, { reused: 0, restored: 0, apiLogins: API_SELLERS.length, browserLogins: 1 });
    assertEachSellerOnItsProxy((id) => home.get(id)!);

    // The challenge seller's Chromium login: the login page came through its proxy, after a 407 the page answered
    // with the proxy's credentials; the other proxy saw no page at all.
    const web = new URL(sim.webUrl).host;
    const pages = (proxy: ForwardProxy) => proxy.seen.filter((r) => r.method === 'GET' && new URL(r.target).host === web);
    assert.ok(pages(guarded).some((r) => r.status === 200 && new URL(r.target).pathname === '/login'), 'the login page through the guarded proxy');
    assert.ok(guarded.seen.some((r) => r.status === 407), 'Chromium was asked for the proxy password and then gave it');
    assert.deepEqual(pages(plain), []);
    const secret = await credentials.get<AblySecret>(tenantOf.get(CHALLENGE_SELLER)!, 'ably');
    assert.equal(secret?.session?.via, 'browser');
    assert.equal(secret?.session?.proxy, guarded.server, 'the session remembers its proxy, without the password');
    assert.doesNotMatch(JSON.stringify(secret?.session), new RegExp(PROXY_SECRET));
    assert.ok(lines.some((line) => line.includes('go through proxies') && line.includes(guarded.server)), 'the proxies are logged by name');
    assert.deepEqual(lines.filter((line) => line.includes(PROXY_SECRET)), [], 'no log line holds the proxy password');
  });

  it('with one proxy removed, only its sellers move: they log in again through the other, the rest keep their sessions', async () => {
    for (const proxy of [plain, guarded]) proxy.seen.length = 0;
    sim.resetStats();
    const remaining = stack(guarded.url);
    await syncAll(remaining);
    const moved = API_SELLERS.filter((id) => home.get(id) === plain.server);
    assert.deepEqual(remaining.sessions.counts, {
      reused: 0, restored: API_SELLERS.length + 1 - moved.length, apiLogins: moved.length, browserLogins: 0,
    }, 'the guarded proxy\'s sellers (the challenge seller among them) restored their sessions; the moved ones logged in');
    assert.deepEqual(plain.seen, []);
    assertEachSellerOnItsProxy(() => guarded.server);
  });

  it('with ABLY_PROXIES empty every call and the browser login go direct: no proxy sees any traffic', async () => {
    for (const proxy of [plain, guarded]) proxy.seen.length = 0;
    sim.resetStats();
    const store = memoryCredentials();
    const tenants = [tenantOf.get(API_SELLERS[0]!)!, tenantOf.get(CHALLENGE_SELLER)!];
    for (const tenantId of tenants) {
      const seller = sim.seller(sellerOfTenant.get(tenantId)!);
      await store.put(tenantId, 'ably', { email: seller.email, password: seller.password } satisfies AblySecret);
    }
    const direct = stack('', store);
    await syncAll(direct, tenants);
    assert.deepEqual(direct.sessions.counts, { reused: 0, restored: 0, apiLogins: 1, browserLogins: 1 });
    assert.ok(sim.stats(API_SELLERS[0]!).calls > 0 && sim.stats(CHALLENGE_SELLER).calls > 0, 'the simulator was reached');
    assert.deepEqual([plain.seen, guarded.seen], [[], []]);
    assert.equal((await store.get<AblySecret>(tenants[1]!, 'ably'))?.session?.proxy, undefined);
  });

  it('the test proxy also tunnels CONNECT (what https takes), and refuses it without its password', async () => {
    guarded.seen.length = 0;
    const ask = async (uri: string) => {
      const agent = new ProxyAgent({ uri, proxyTunnel: true });
      try {
        return (await request(`${sim.apiUrl}/seller/login/challenge/`, { method: 'POST', headers: { Origin: sim.webUrl }, dispatcher: agent })).statusCode;
      } catch (error) {
        return (error as Error).message;
      } finally {
        await agent.close();
      }
    };
    assert.equal(await ask(guarded.url), 200);
    assert.match(String(await ask(guarded.server)), /407/);
    assert.deepEqual(guarded.seen.map((r) => [r.method, r.target, r.status]), [['CONNECT', new URL(sim.apiUrl).host, 200], ['CONNECT', new URL(sim.apiUrl).host, 407]]);
  });

  it('a wrong proxy password fails the browser login with its own non-retriable error, naming the proxy, not the password', async () => {
    guarded.seen.length = 0;
    const browsers = createBrowserPool({ maxOpenPages: 1 });
    const login = createBrowserLogin({ pool: browsers, webUrl: sim.webUrl, evidenceDir: mkdtempSync(join(tmpdir(), 'ably-proxies-')) });
    const seller = sim.seller(CHALLENGE_SELLER);
    const wrong = 'not-the-proxy-secret';
    try {
      await assert.rejects(login({
        tenantId: 't-wrong-proxy', email: seller.email, password: seller.password, signal: new AbortController().signal,
        proxy: { server: guarded.server, credentials: { username: 'proxy-user', password: wrong } },
      }), (error: unknown) => {
        assert.ok(error instanceof ProxyCredentialsRejectedError, String(error));
        assert.equal(error.retriable, false);
        assert.equal(error.code, 'PROXY_CREDENTIALS_REJECTED');
        assert.match(error.message, /proxy credentials rejected by/);
        assert.ok(error.message.includes(guarded.server), error.message);
        assert.ok(!error.message.includes(wrong), 'the password stays out of the message');
        return true;
      });
    } finally {
      await browsers.destroy();
    }
    assert.ok(guarded.seen.some((r) => r.status === 407), 'the proxy refused the page');
    assert.equal(guarded.seen.filter((r) => r.status !== 407).length, 0, 'nothing got through');
  });
});
