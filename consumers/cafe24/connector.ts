/**
 * The Cafe24 connector: for one tenant (one mall), fetch what changed since its cursors, per multi-shop:
 * - orders (with items) by order-date windows from the cursor minus a look-back, since statuses keep changing
 *   after an order is placed and the API has no updated-date filter on orders (reference §7.1, §11);
 *   windows are sized with /orders/count so `offset` never passes its cap;
 * - products changed since the last scan (`updated_start_date`), paged with `since_product_no`, which has no
 *   offset cap (§7.4);
 * - categories, whole, at most once per TTL (they change rarely; §7.6).
 * The multi-shops come from GET /shops (cached for the TTL). That call is optional: a grant without
 * `mall.read_store` (403), or a mall that does not serve it (404), syncs shop 1, the shop every mall has, with a
 * warning in the run, rather than nothing at all.
 * It yields between pages when the job's budget runs low and resumes from the cursor it returns.
 */
import { LRUCache } from 'lru-cache';
import { RateLimitedError } from '../../lib/errors.js';
import type { Connector, ConnectorContext, ConnectorResult } from '../../lib/sync/connector.js';
import type { SyncRequest } from '../../lib/contracts/sync-request.js';
import { AccessTokenRejectedError, MalformedPayloadError, SourceRejectedError, type AdminApi, type BodyReader } from './admin-api.js';
import { ORDERS_MAX_OFFSET, ORDERS_PAGE, orderPages } from './order-pages.js';
import { addDays, halve, kstDay, MAX_PAGEABLE_ORDERS, splitRange, type DayWindow } from './order-windows.js';
import type { PageSummary } from '../../lib/sync/page-chunks.js';
import type { Cafe24Grant, TokenRefresher } from './token-refresher.js';

export interface Cafe24ConnectorOptions {
  api: AdminApi;
  tokens: TokenRefresher;
  /** Orders placed this many days back are fetched again, for their status changes. @default 15 */
  lookbackDays?: number;
  /** How far back a tenant's first sync reaches. @default 90 */
  initialDays?: number;
  /** How long categories and the shop list stay cached. @default 6 h */
  catalogTtlMs?: number;
  now?: () => number;
}

/** The orders cursor: the last KST day fully synced, and the page a yielded job stopped at. */
interface OrdersCursor {
  through?: string;
  /** The window a yield left, from `offset`; `count` is its count then, so the next step does not ask again. */
  pending?: { window: DayWindow; offset: number; count?: number };
}

interface ProductsCursor {
  updatedSince?: string;
  sinceProductNo?: number;
  scanStartedAt?: string;
}

/** 429s on one call waited out inside the job before it gives up and is retried later. */
const MAX_THROTTLED_TRIES = 20;
const SHORT_THROTTLE_MS = 5_000;
const PRODUCTS_PAGE = 100;
const CATEGORIES_PAGE = 100;
/** Refusals of GET /shops that mean "no multi-shop list for this grant", not "this sync cannot work". */
const SHOPS_OPTIONAL_STATUSES = new Set([403, 404]);

/** A mall's multi-shops, and why discovery fell back to shop 1 when it did. */
interface ShopList {
  numbers: number[];
  warning?: string;
}

/** A cursor value that is not ours (corrupt, or from an older format) restarts that entity from scratch. */
function readCursor<T>(text: string | undefined): T {
  if (!text) return {} as T;
  try {
    const value = JSON.parse(text) as unknown;
    return (typeof value === 'object' && value !== null ? value : {}) as T;
  } catch {
    return {} as T;
  }
}

const isoKst = (epochMs: number) => `${new Date(epochMs + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;

export function createCafe24Connector({
  api, tokens, lookbackDays = 15, initialDays = 90, catalogTtlMs = 6 * 3_600_000, now = Date.now,
}: Cafe24ConnectorOptions): Connector {
  const catalogCache = new LRUCache<string, true>({ max: 20_000, ttl: catalogTtlMs });
  const shopsCache = new LRUCache<string, ShopList>({ max: 20_000, ttl: catalogTtlMs });

  return {
    platform: 'cafe24',
    async sync<P extends PageSummary>(request: SyncRequest, cursors: Readonly<Record<string, string>>, ctx: ConnectorContext<P>): Promise<ConnectorResult> {
      // Fired by the first entity step that fails, so its siblings' calls stop rather than run on for a failed job.
      const failing = new AbortController();
      const signal = AbortSignal.any([ctx.signal, failing.signal]);
      let grant = await tokens.validGrant(request.tenantId, signal);
      const noList = (path: string, listKey: string, query: Record<string, string | number | undefined>) =>
        new MalformedPayloadError(`cafe24 ${grant.mallId} ${path}: no "${listKey}" list in the response`, { context: { path, query } });

      /** A GET of a JSON object holding a `listKey` list. */
      const getWithList = <T>(path: string, query: Record<string, string | number | undefined>, listKey: string): Promise<T> => get(path, query, (bytes) => {
        const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> | null;
        if (!Array.isArray(body?.[listKey])) throw noList(path, listKey, query);
        return body as T;
      });

      /**
       * A page of `entity` records under `listKey`, read (ConnectorContext.readPage) but not yet emitted. The privacy
       * policy is applied there, at the edge, before anything leaves the connector.
       */
      const pageOf = (entity: string, path: string, query: Record<string, string | number | undefined>, listKey: string, keyField?: string): Promise<P> =>
        get(path, query, (bytes) => ctx.readPage(entity, bytes, { listKey, keyField }).then((page) => {
          if (page === undefined) throw noList(path, listKey, query);
          return page;
        }));

      /**
       * One GET: the token is refreshed once if Cafe24 says it expired or was revoked, a malformed or truncated page
       * is fetched once more before the job fails, and a short 429 is waited out (the limiter holds the next call
       * until the mall's bucket drains).
       */
      async function get<T>(path: string, query: Record<string, string | number | undefined>, read?: BodyReader<T>, retried = false, throttled = 0): Promise<T> {
        try {
          return await api.get<T>(grant.mallId, grant.accessToken, path, query, signal, read);
        } catch (error) {
          if (error instanceof AccessTokenRejectedError && !retried) {
            grant = await tokens.afterRejection(request.tenantId, grant.accessToken, signal);
            return get<T>(path, query, read, true);
          }
          if (error instanceof RateLimitedError && error.retryAfterMs <= SHORT_THROTTLE_MS && throttled < MAX_THROTTLED_TRIES) {
            return get<T>(path, query, read, retried, throttled + 1);
          }
          if (error instanceof MalformedPayloadError && !retried) {
            ctx.log.warn({ err: error, path, query, evidence: error.context }, 'malformed Cafe24 page; fetching it once more');
            return get<T>(path, query, read, true);
          }
          throw error;
        }
      }

      const wanted = new Set(request.entities ?? ['orders', 'products', 'categories']);
      const next: Record<string, string> = {};
      const dataAsOf: Record<string, string> = {};
      const startedAt = now();
      let done = true;

      const shopList = shopsCache.get(grant.mallId) ?? await (async (): Promise<ShopList> => {
        let found: ShopList;
        try {
          const { shops: list } = await getWithList<{ shops: { shop_no: number | string; active?: string }[] }>('shops', {}, 'shops');
          found = { numbers: list.filter((s) => s.active !== 'F').map((s) => Number(s.shop_no)).filter((n) => Number.isInteger(n) && n > 0) };
        } catch (error) {
          const status = error instanceof SourceRejectedError ? error.context.status : undefined;
          if (typeof status !== 'number' || !SHOPS_OPTIONAL_STATUSES.has(status)) throw error;
          ctx.log.warn({ err: error, mallId: grant.mallId }, 'multi-shop discovery refused; syncing shop 1 only');
          found = { numbers: [1], warning: `multi-shop discovery refused (${(error as Error).message}); synced shop 1 only` };
        }
        shopsCache.set(grant.mallId, found);
        return found;
      })();
      const shops = shopList.numbers;

      /**
       * In a continuation, an entity an earlier job of the same sync finished (its cursor came with the request,
       * nothing pending) is passed through, not synced again: its look-back would fetch once more the orders that
       * job fetched seconds ago (bench/cafe24.ts: ~10 % of all orders fetched twice at 1,000 shops).
       */
      const finishedEarlier = (key: string): string | undefined => {
        const text = request.reason === 'continuation' ? request.cursor?.[key] : undefined;
        if (text === undefined) return undefined;
        const cursor = readCursor<OrdersCursor & ProductsCursor>(text);
        return cursor.pending === undefined && cursor.sinceProductNo === undefined && cursor.scanStartedAt === undefined ? text : undefined;
      };

      /** The entities synced from a cursor; each resumes where its cursor says. */
      const cursorSteps = [
        ['orders', (shopNo: number, text: string | undefined) => syncOrders(shopNo, readCursor<OrdersCursor>(text))],
        ['products', (shopNo: number, text: string | undefined) => syncProducts(shopNo, readCursor<ProductsCursor>(text))],
      ] as const;

      for (const shopNo of shops) {
        if (!done) break;
        // A shop's entities are fetched side by side: the products scan is a chain of one page at a time, and after
        // the orders it was the tail of a large mall's sync. The mall's limiter shares its calls between them.
        const results = await sideBySide(cursorSteps.filter(([entity]) => wanted.has(entity)).map(async ([entity, step]) => {
          const key = `${entity}:${shopNo}`;
          const finished = finishedEarlier(key);
          if (finished !== undefined) return { entity, key, cursor: finished, done: true, fresh: false };
          const result = await step(shopNo, cursors[key]);
          return { entity, key, cursor: JSON.stringify(result.cursor), done: result.done, fresh: true };
        }));
        for (const result of results) {
          next[result.key] = result.cursor;
          if (result.fresh && result.done) dataAsOf[result.entity] = isoKst(startedAt);
          if (!result.done) done = false;
        }
        if (wanted.has('categories') && done) {
          const cacheKey = `${grant.mallId}:${shopNo}`;
          if (!catalogCache.has(cacheKey) || request.reason === 'backfill') {
            await syncCategories(shopNo);
            catalogCache.set(cacheKey, true);
          }
          dataAsOf.categories = isoKst(startedAt);
        }
      }
      return { cursors: next, done, dataAsOf, ...(shopList.warning ? { warnings: [shopList.warning] } : {}) };

      /** Every step's result, or the first failure once all have stopped (the others are aborted by it). */
      async function sideBySide<T>(steps: Promise<T>[]): Promise<T[]> {
        const settled = await Promise.allSettled(steps.map((step) => step.catch((error: unknown) => {
          if (!failing.signal.aborted) failing.abort(error);
          throw error;
        })));
        if (failing.signal.aborted) throw failing.signal.reason;
        return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
      }

      async function syncOrders(shopNo: number, cursor: OrdersCursor): Promise<{ cursor: OrdersCursor; done: boolean }> {
        const today = kstDay(now());
        const from = request.since
          ? kstDay(Date.parse(request.since))
          : cursor.through ? addDays(cursor.through, -lookbackDays) : addDays(today, -initialDays);
        const until = request.until ? kstDay(Date.parse(request.until)) : today;
        const queue: { window: DayWindow; offset: number; count?: number }[] = cursor.pending
          ? [cursor.pending, ...splitRange(addDays(cursor.pending.window.to, 1), until).map((window) => ({ window, offset: 0 }))]
          : splitRange(from, until).map((window) => ({ window, offset: 0 }));
        let through = cursor.through;
        while (queue.length > 0) {
          const item = queue.shift()!;
          const { window } = item;
          const range = { shop_no: shopNo, date_type: 'order_date', start_date: window.from, end_date: window.to };
          const counted = item.count;
          const count = typeof counted === 'number' && Number.isSafeInteger(counted) && counted >= 0
            ? counted : (await get<{ count: number }>('orders/count', range)).count;
          const halves = item.offset === 0 && count > MAX_PAGEABLE_ORDERS ? halve(window) : undefined;
          if (halves) {
            queue.unshift({ window: halves[0], offset: 0 }, { window: halves[1], offset: 0 });
            continue;
          }
          const pages = orderPages(count, (offset) => pageOf('orders', 'orders', { ...range, embed: 'items', limit: ORDERS_PAGE, offset }, 'orders'));
          for (let offset = item.offset; ; offset += ORDERS_PAGE) {
            // A page already asked for is taken even when the job should yield: dropped, its call would be spent
            // for nothing and made again by the continuation. Nothing more is asked ahead of it then.
            const yieldNow = ctx.shouldYield();
            if (yieldNow && !pages.asked(offset)) return { cursor: { through, pending: { window, offset, count } }, done: false };
            const page = await pages.at(offset, { ahead: !yieldNow });
            ctx.emitPage(page);
            if (page.listed < ORDERS_PAGE || offset + ORDERS_PAGE > ORDERS_MAX_OFFSET) break;
          }
          through = window.to;
        }
        return { cursor: { through }, done: true };
      }

      async function syncProducts(shopNo: number, cursor: ProductsCursor): Promise<{ cursor: ProductsCursor; done: boolean }> {
        const scanStartedAt = cursor.scanStartedAt ?? isoKst(now() - 60_000);
        let since = cursor.sinceProductNo ?? 0;
        const updated = cursor.updatedSince ? { updated_start_date: cursor.updatedSince, updated_end_date: isoKst(now() + 60_000) } : {};
        for (;;) {
          if (ctx.shouldYield()) return { cursor: { ...cursor, sinceProductNo: since, scanStartedAt }, done: false };
          const query = { shop_no: shopNo, since_product_no: since, limit: PRODUCTS_PAGE, ...updated };
          const page = await pageOf('products', 'products', query, 'products', 'product_no');
          ctx.emitPage(page);
          if (page.listed < PRODUCTS_PAGE) break;
          // A record without a readable product_no (the mapper sends it to the DLQ) must not make the cursor NaN,
          // and a full page that does not move it on would be fetched again and again.
          const last = Math.max(since, page.maxKey ?? since);
          if (last <= since) throw new MalformedPayloadError(`cafe24 ${grant.mallId} products: a full page after product ${since} names no later product`, { context: { query } });
          since = last;
        }
        return { cursor: { updatedSince: scanStartedAt }, done: true };
      }

      async function syncCategories(shopNo: number): Promise<void> {
        for (let offset = 0; offset <= 8000; offset += CATEGORIES_PAGE) {
          const page = await pageOf('categories', 'categories', { shop_no: shopNo, limit: CATEGORIES_PAGE, offset }, 'categories');
          ctx.emitPage(page);
          if (page.listed < CATEGORIES_PAGE) break;
        }
      }
    },
  };
}

export type { Cafe24Grant };
