/**
 * The programmatic face of the simulator: start it, point a connector at it, steer it, read its ground truth.
 *
 *   const clock = createManualClock();
 *   const sim = await startCafe24Simulator({ seed: 42, clock, shops: [{ mallId: 'demo1', products: 50, orders: 300 }] });
 *   const { accessToken, refreshToken } = await sim.issueTokens('demo1');
 *   fetch(`${sim.baseUrlFor('demo1')}/api/v2/admin/orders?...`, { headers: { Authorization: `Bearer ${accessToken}` } });
 *   clock.advance(2 * 3_600_000);          // the access token has now expired
 *   sim.faults.set('demo1', { status5xxRate: 0.2 });
 *   await sim.close();
 */
import { type SimClock, systemClock } from './clock.js';
import { FaultBoard, type FaultKnobs } from './faults.js';
import { HOUR_MS } from './kst.js';
import { type AppRegistration, TokenAuthority, type TokenResponseBody, tokenResponseBody } from './oauth.js';
import type { OrderEmbed } from './order-payload.js';
import { matchingOrderIndices } from './order-query.js';
import { orderJson } from './orders-api.js';
import { orderAmounts, type OrderDateType, orderStateAt } from './order-state.js';
import { DEFAULT_RATE_LIMIT_POLICY, type MallMeters, mergePolicy, type PartialPolicy } from './rate-limit.js';
import { rngFor } from './seeded-random.js';
import { startServer, type RunningServer } from './server.js';
import { ShopRegistry } from './shop-registry.js';
import { DEFAULT_SHOP_SIZE, type ResolvedShopSpec, type ShopSpec } from './shop-spec.js';
import { controlRoutes } from './sim-control-http.js';
import { type MallStats, StatsBook } from './stats.js';
import { DEFAULT_APP_API_VERSION, KNOWN_API_VERSIONS } from './versioning.js';

/**
 * Order skeletons (date, shop, lifecycle plan) kept for a fleet: every count and page reads those of all a mall's
 * orders in its window, so an LRU smaller than the fleet rebuilt lifecycles on every call (~3 CPU s and their
 * garbage in a 100-shop bench run of 135k orders). Room for every order of the fleet's history and a tenth more
 * for those that arrive while it runs; at least the 100k that smaller fleets had.
 */
function skeletonRoom(shops: readonly ShopSpec[]): number {
  const orders = shops.reduce((sum, shop) => sum + (shop.orders ?? DEFAULT_SHOP_SIZE.orders), 0);
  return Math.max(100_000, Math.ceil(1.1 * orders));
}

/** A 1,000-order page with its items is ~8 MB. */
const PRERENDER_HEADROOM_BYTES = 16 * 1024 * 1024;

/** The app a simulated seller installs unless a test registers its own. */
export const DEFAULT_APP: AppRegistration = {
  clientId: 'SellerStreamSimClient01',
  clientSecret: 'SellerStreamSimSecret01',
  redirectUri: 'http://127.0.0.1/cafe24/oauth/callback',
  scopes: ['mall.read_store', 'mall.read_product', 'mall.read_category', 'mall.read_order', 'mall.read_salesreport'],
};

export interface Cafe24SimulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Seeds data, tokens and fault rolls. @default 42 */
  seed?: number;
  shops?: ShopSpec[];
  /** Simulated time. Tests pass a manual clock. @default the system clock */
  clock?: SimClock;
  /** End of each mall's order history. @default the clock's time at start, rounded down to the hour */
  dataAnchorMs?: number;
  /** Global latency knob (same as `faults.latencyMs`). @default 0 */
  latencyMs?: FaultKnobs['latencyMs'];
  /** Global fault knobs at start. */
  faults?: FaultKnobs;
  /** Rate-limit policy over the documented defaults (40 calls, 2/s, usage meters, abnormal-traffic rule). */
  rateLimit?: PartialPolicy;
  /** Registered apps. @default [DEFAULT_APP] */
  apps?: AppRegistration[];
  /** The version the app is set to in the Developer Center (used without the header). @default '2025-12-01' */
  appApiVersion?: string;
  /** Revoke a grant's previous access token when it is refreshed (stricter). @default true */
  revokeAccessTokenOnRefresh?: boolean;
  /** Serve the `/__sim/` control routes. @default true */
  controlRoutes?: boolean;
  /** Memory for serialized orders (what `prerenderOrders` fills). @default 32 MiB */
  orderJsonCacheBytes?: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** The token endpoint's JSON body, exactly as a connector would receive it. */
  response: TokenResponseBody;
}

export interface ExpectedCountsQuery {
  /** Inclusive lower bound on the date (default: no bound). */
  since?: Date | number | string;
  /** Exclusive upper bound on the date (default: now, inclusive). */
  until?: Date | number | string;
  /** Which date the bounds apply to. @default 'order_date' */
  dateType?: OrderDateType;
  /** One multi-shop, or all of the mall's shops when omitted. */
  shopNo?: number;
}

export interface ExpectedCounts {
  orders: number;
  items: number;
  products: number;
  categories: number;
  shops: number;
}

export interface ExpectedOrder {
  orderId: string;
  shopNo: number;
  orderDateMs: number;
  /** When any item last changed status (the order has no `updated_date` field on the wire). */
  lastChangedAtMs: number;
  itemStatuses: string[];
  /** What the buyer paid at order time (`initial_order_amount.payment_amount`), in the currency's cents. */
  paymentCents: number;
}

export interface Cafe24Simulator {
  readonly port: number;
  readonly origin: string;
  /** Swap for `https://{mall_id}.cafe24api.com` in a connector's config: `http://127.0.0.1:PORT/malls/{mall_id}`. */
  readonly apiBaseTemplate: string;
  readonly clock: SimClock;
  readonly seed: number;
  readonly app: AppRegistration;
  readonly faults: Pick<FaultBoard, 'set' | 'get' | 'clear' | 'storm'>;
  baseUrlFor(mallId: string): string;
  tokenUrlFor(mallId: string): string;
  revokeUrlFor(mallId: string): string;
  authorizeUrlFor(mallId: string, options?: { state?: string; scope?: string; clientId?: string; redirectUri?: string }): string;
  /** A code as if the seller had just approved the app (valid 1 minute, single use). */
  issueAuthorizationCode(mallId: string, options?: { clientId?: string; scopes?: string[] }): string;
  /** Tokens as if the seller had installed the app and it had exchanged the code. */
  issueTokens(mallId: string, options?: { clientId?: string; scopes?: string[] }): Promise<IssuedTokens>;
  /** Every token of the mall stops working (401 on calls, refresh refused). */
  revoke(mallId: string): void;
  /** The mall's access tokens expire now; refresh tokens keep working. */
  expireAccessTokens(mallId: string): void;
  addShop(spec: ShopSpec): ResolvedShopSpec;
  resizeShop(mallId: string, size: Partial<Omit<ShopSpec, 'mallId'>>): ResolvedShopSpec;
  mallIds(): string[];
  stats(mallId: string): MallStats;
  resetStats(mallId?: string): void;
  expectedCounts(mallId: string, query?: ExpectedCountsQuery): ExpectedCounts;
  expectedOrders(mallId: string, query?: ExpectedCountsQuery): ExpectedOrder[];
  /**
   * Serializes every order the mall has now (placed at or after `sinceMs`), as `GET /orders` with this `embed` would, into the order JSON memo
   * until `orderJsonCacheBytes` is full: reads of them then cost only their write. A benchmark calls it before its clock
   * starts, because Cafe24 builds its pages on its own servers, not on the cores of the pipeline it measures.
   */
  prerenderOrders(mallId: string, options?: { embed?: OrderEmbed[]; sinceMs?: number }): { orders: number; bytes: number };
  close(): Promise<void>;
}

export async function startCafe24Simulator(options: Cafe24SimulatorOptions = {}): Promise<Cafe24Simulator> {
  const seed = options.seed ?? 42;
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const apps = options.apps ?? [DEFAULT_APP];
  const defaultApp = apps[0];
  if (!defaultApp) throw new Error('startCafe24Simulator needs at least one app');
  const registry = new ShopRegistry({
    seed,
    dataAnchorMs: options.dataAnchorMs ?? Math.floor(clock.now() / HOUR_MS) * HOUR_MS,
    jsonCacheBytes: options.orderJsonCacheBytes,
    skeletonCacheSize: skeletonRoom(options.shops ?? []),
  });
  for (const spec of options.shops ?? []) registry.add(spec);
  const stats = new StatsBook();
  const faults = new FaultBoard(seed, { ...options.faults, ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}) });
  const authority = new TokenAuthority({
    clock, rng: rngFor(seed, 'oauth'), apps, revokeAccessTokenOnRefresh: options.revokeAccessTokenOnRefresh,
  });
  const meters = new Map<string, MallMeters>();

  const requireMall = (mallId: string) => {
    const mall = registry.mall(mallId);
    if (!mall) throw new Error(`unknown mall ${mallId}; known: ${registry.mallIds().slice(0, 10).join(', ')}`);
    return mall;
  };
  const toMs = (value: Date | number | string | undefined, fallback: number) =>
    value === undefined ? fallback : value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);

  const orderIndicesFor = (mallId: string, query: ExpectedCountsQuery) => {
    const mall = requireMall(mallId);
    const nowMs = clock.now();
    const range = { fromMs: toMs(query.since, -Infinity), toMs: toMs(query.until, nowMs + 1) };
    const shopNos = query.shopNo !== undefined ? [query.shopNo] : mall.shops.map((s) => s.shopNo);
    const indices = shopNos.flatMap((shopNo) =>
      matchingOrderIndices(mall.orders, { shopNo, dateType: query.dateType ?? 'order_date', range }, nowMs));
    return { mall, nowMs, indices: indices.sort((a, b) => a - b) };
  };

  let server: RunningServer | undefined;
  const sim: Cafe24Simulator = {
    get port() { return (server as RunningServer).port; },
    get origin() { return `http://${host}:${(server as RunningServer).port}`; },
    get apiBaseTemplate() { return `${sim.origin}/malls/{mall_id}`; },
    clock,
    seed,
    app: defaultApp,
    faults,
    baseUrlFor: (mallId) => `${sim.origin}/malls/${mallId}`,
    tokenUrlFor: (mallId) => `${sim.baseUrlFor(mallId)}/api/v2/oauth/token`,
    revokeUrlFor: (mallId) => `${sim.baseUrlFor(mallId)}/api/v2/oauth/revoke`,
    authorizeUrlFor(mallId, { state = 'state', scope, clientId = defaultApp.clientId, redirectUri } = {}) {
      const app = authority.app(clientId) ?? defaultApp;
      const query = new URLSearchParams({
        response_type: 'code', client_id: clientId, state, redirect_uri: redirectUri ?? app.redirectUri,
        scope: scope ?? app.scopes.join(','),
      });
      return `${sim.baseUrlFor(mallId)}/api/v2/oauth/authorize?${query.toString()}`;
    },
    issueAuthorizationCode(mallId, { clientId = defaultApp.clientId, scopes } = {}) {
      requireMall(mallId);
      const app = authority.app(clientId) ?? defaultApp;
      return authority.issueCode(mallId, { clientId, redirectUri: app.redirectUri, scope: scopes?.join(',') });
    },
    async issueTokens(mallId, { clientId = defaultApp.clientId, scopes } = {}) {
      requireMall(mallId);
      const grant = authority.install(mallId, clientId, scopes);
      stats.of(mallId).tokensIssued += 1;
      return { accessToken: grant.accessToken, refreshToken: grant.refreshToken, response: tokenResponseBody(grant) };
    },
    revoke: (mallId) => authority.revokeMall(mallId),
    expireAccessTokens: (mallId) => authority.expireAccessTokens(mallId),
    addShop: (spec) => registry.add(spec),
    resizeShop: (mallId, size) => registry.resize(mallId, size),
    mallIds: () => registry.mallIds(),
    stats: (mallId) => stats.snapshot(mallId),
    resetStats: (mallId) => stats.reset(mallId),
    expectedCounts(mallId, query = {}) {
      const { mall, indices } = orderIndicesFor(mallId, query);
      return {
        orders: indices.length,
        items: indices.reduce((sum, i) => sum + mall.orders.skeleton(i).plan.items.length, 0),
        products: mall.catalog.products.length,
        categories: mall.catalog.categories.length,
        shops: mall.shops.length,
      };
    },
    expectedOrders(mallId, query = {}) {
      const { mall, nowMs, indices } = orderIndicesFor(mallId, query);
      return indices.map((index) => {
        const skeleton = mall.orders.skeleton(index);
        const state = orderStateAt(skeleton, nowMs);
        return {
          orderId: mall.orders.orderIdOf(index),
          shopNo: skeleton.shopNo,
          orderDateMs: skeleton.orderDateMs,
          lastChangedAtMs: state.lastChangedAtMs,
          itemStatuses: state.items.map((i) => i.status),
          paymentCents: orderAmounts(mall.orders.core(index), state).initial.totalDueCents,
        };
      });
    },
    prerenderOrders(mallId, { embed = [], sinceMs = -Infinity } = {}) {
      const { orders: book } = requireMall(mallId);
      const nowMs = clock.now();
      const canaries = faults.get(mallId).canaries === true;
      const first = book.firstIndexAtOrAfter(sinceMs);
      const count = book.countAt(nowMs);
      let index = first;
      let bytes = 0;
      // Stops a page's worth short of the bound, so what it rendered is not evicted by its own last orders.
      for (; index < count && registry.jsonCacheRoom > PRERENDER_HEADROOM_BYTES; index++) {
        bytes += orderJson(book, index, orderStateAt(book.skeleton(index), nowMs), embed, canaries).length;
      }
      return { orders: index - first, bytes };
    },
    close: () => server?.close() ?? Promise.resolve(),
  };

  server = await startServer({
    registry,
    faults,
    oauth: { authority, stats },
    admin: {
      seed, clock, authority, faults, stats, meters,
      basePolicy: mergePolicy(DEFAULT_RATE_LIMIT_POLICY, options.rateLimit),
      appApiVersion: options.appApiVersion ?? DEFAULT_APP_API_VERSION,
      knownApiVersions: KNOWN_API_VERSIONS,
    },
    control: options.controlRoutes === false ? undefined : controlRoutes(sim),
  }, { host, port: options.port ?? 0 });
  return sim;
}
