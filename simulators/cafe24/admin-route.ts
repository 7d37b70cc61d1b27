/**
 * The contract between the router and the endpoint modules: a route names its path, the scope it needs and its
 * call limit (reference §7 table), and turns a validated request into a response body.
 */
import { invalidParameter } from './errors.js';
import type { ShopInfo } from './multi-shop.js';
import type { QueryReader } from './query-params.js';
import type { MallData } from './shop-registry.js';

export interface AdminRequest {
  mallId: string;
  mall: MallData;
  url: URL;
  query: QueryReader;
  /** Path parameters, e.g. `{ order_id: '20261130-0000012' }`. */
  params: Record<string, string>;
  nowMs: number;
  /** The mall's API origin as the client sees it (`http://127.0.0.1:PORT/malls/demo1`), for `links`. */
  mallBaseUrl: string;
  seed: number;
  /** The canary knob (canaries.ts) is on for this mall. */
  canaries: boolean;
}

export interface AdminResult {
  body: unknown;
  /**
   * The body already serialized, in parts sent one after another, when the endpoint assembled it from cached JSON
   * (then `body` is ignored): a page of 1,000 memoized orders is ~8 MB, and joining it cost a copy and, churned
   * through V8's external memory, the simulator's full GCs.
   */
  json?: readonly Buffer[];
  /** Rows returned (orders, items, products...): what the processing-time meter charges for. */
  rows: number;
}

export interface AdminRoute {
  /** Path under `/api/v2/admin`, with `:name` segments. */
  path: string;
  scope: string;
  /** The endpoint's call limit (§4.1); 40 unless the reference lists another. */
  callLimit?: number;
  handle(request: AdminRequest): AdminResult;
}

/** `shop_no` (default 1, §8): must name one of the mall's shops. */
export function resolveShop(request: AdminRequest): ShopInfo {
  const shopNo = request.query.int('shop_no', { min: 1, max: 15, fallback: 1 }) as number;
  const shop = request.mall.shops[shopNo - 1];
  if (!shop) throw invalidParameter('shop_no', `shop_no ${shopNo} does not exist in this mall.`);
  return shop;
}
