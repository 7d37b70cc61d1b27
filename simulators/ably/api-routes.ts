/**
 * The API origin's routes. Paths match with or without the trailing slash (Django's `APPEND_SLASH` makes
 * both reachable for GET). `public` routes need no token; `strictOrigin` ones answer 403 unless `Origin` is the
 * web origin itself (a.2: `rollback_to_prepare` refuses the seller-admin origin).
 */
import type { ApiHandler } from './api-context.js';
import { goodsDetail, listReviews, optionStatsOptions, searchGoods, settlementDownload, settlementHistories } from './api-catalog.js';
import { dashboardSummary, listOrderCancels, listOrderItems, orderItemDetail, rollbackToPrepare } from './api-orders.js';

export interface ApiRoute {
  name: string;
  methods: string[];
  pattern: RegExp;
  handler?: ApiHandler;
  public?: 'login' | 'challenge';
  strictOrigin?: boolean;
}

const path = (p: string) => new RegExp(`^${p}/?$`);

export const API_ROUTES: ApiRoute[] = [
  { name: 'login', methods: ['POST'], pattern: path('/seller/login'), public: 'login' },
  { name: 'login-challenge', methods: ['POST'], pattern: path('/seller/login/challenge'), public: 'challenge' },
  { name: 'order-items', methods: ['GET'], pattern: path('/seller/order_items'), handler: listOrderItems },
  { name: 'rollback-to-prepare', methods: ['PUT'], pattern: path('/seller/order_items/rollback_to_prepare'), handler: rollbackToPrepare, strictOrigin: true },
  { name: 'order-item', methods: ['GET'], pattern: path('/seller/order_items/(?<sno>\\d+)'), handler: orderItemDetail },
  { name: 'order-cancels', methods: ['GET'], pattern: path('/seller/order_cancels'), handler: listOrderCancels },
  { name: 'goods-search', methods: ['POST'], pattern: path('/seller/goods/search'), handler: searchGoods },
  { name: 'goods', methods: ['GET'], pattern: path('/seller/goods/(?<sno>\\d+)'), handler: goodsDetail },
  {
    name: 'option-stats', methods: ['GET'], pattern: path('/seller/business-insight/market-performance/option-stats-options'),
    handler: optionStatsOptions,
  },
  { name: 'settlements', methods: ['GET'], pattern: path('/seller/balance_accounts/histories'), handler: settlementHistories },
  {
    name: 'settlement-download', methods: ['GET', 'POST'], pattern: path('/seller/balance_accounts/histories/(?<sno>\\d+)/download'),
    handler: settlementDownload,
  },
  { name: 'reviews', methods: ['GET'], pattern: path('/seller/reviews'), handler: listReviews },
  { name: 'dashboard', methods: ['GET'], pattern: path('/seller/dashboard/summary'), handler: dashboardSummary },
];

/** The route for a path, and its path parameters; `methodAllowed` false means 405. */
export function matchRoute(method: string, pathname: string) {
  for (const route of API_ROUTES) {
    const match = route.pattern.exec(pathname);
    if (match) return { route, params: { ...match.groups }, methodAllowed: route.methods.includes(method) };
  }
  return undefined;
}
