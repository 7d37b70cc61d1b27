/**
 * The web origin: the seller SPA. Pages are client-rendered from the JSON API; the server sends the shell,
 * the scripts and the styles. The client IP's limits are the same ones the API applies (one IP, two origins): a
 * soft-blocked IP gets the block page with status 200 (b.5), an over-limit one 429 with `Retry-After`.
 * `POST /login` is where the login form lands when no script ran: the login page again with "보안 확인이
 * 필요합니다" and no cookie: only the page's script can log in.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../cafe24/http-io.js';
import type { SellerAuth } from './auth.js';
import { BLOCK_PAGE, clientIp, cookieValue, sendHtml, TOO_MANY_PAGE } from './http-common.js';
import type { KnobBoard } from './knobs.js';
import type { Limiter, LimitPolicy } from './limits.js';
import type { SellerRegistry } from './seller-registry.js';
import { appShell, loginPage, type ShellConfig } from './spa/shell.js';

export const SESSION_COOKIE = 'ably-seller-admin-jwt-token';

export const PAGE_TITLES: Record<string, string> = {
  '/dashboard': '대시보드', '/sales/order': '주문 관리', '/sales/order/prepare': '배송 준비', '/sales/claims': '취소/반품',
  '/goods/list': '상품 관리', '/business-insight/goods': '상품 통계', '/settlement/history': '정산 내역', '/reviews': '리뷰 관리',
};

const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/core.js': { file: 'core.js', type: 'text/javascript; charset=utf-8' },
  '/assets/pages.js': { file: 'pages.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
const assetCache = new Map<string, Buffer>();
const asset = (file: string) => {
  let bytes = assetCache.get(file);
  if (!bytes) {
    bytes = readFileSync(new URL(`./spa/${file}`, import.meta.url));
    assetCache.set(file, bytes);
  }
  return bytes;
};

export interface WebServerDeps {
  now(): number;
  apiUrl(): string;
  registry: SellerRegistry;
  auth: SellerAuth;
  knobs: KnobBoard;
  limiter: Limiter;
  policy(): LimitPolicy;
  trustForwardedFor: boolean;
}

export function createWebHandler(deps: WebServerDeps) {
  /** Knobs and notices follow the seller of the session cookie when there is a valid one. */
  const configFor = (req: IncomingMessage): ShellConfig => {
    const token = cookieValue(req, SESSION_COOKIE);
    const auth = token ? deps.auth.authenticate(`JWT ${token}`) : undefined;
    const sellerId = auth?.ok ? auth.sellerId : undefined;
    const sellerNo = sellerId ? (deps.registry.spec(sellerId)?.sellerNo ?? 0) : 0;
    return { apiUrl: deps.apiUrl(), nowMs: deps.now(), notices: 1 + (sellerNo % 2), layoutDrift: deps.knobs.get(sellerId).layoutDrift };
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://web.local');
    const ip = clientIp(req, deps.trustForwardedFor);
    if (deps.knobs.roll(`web:${ip}`, deps.knobs.get().blockStormRate)) return sendHtml(res, 200, BLOCK_PAGE);
    const decision = deps.limiter.take(`ip:${ip}`, deps.policy().perIp);
    if (!decision.ok && decision.kind === 'blocked') return sendHtml(res, 200, BLOCK_PAGE);
    if (!decision.ok) return sendHtml(res, 429, TOO_MANY_PAGE, { 'Retry-After': String(decision.retryAfterSec) });

    const assetSpec = ASSETS[url.pathname];
    if (assetSpec && req.method === 'GET') {
      const bytes = asset(assetSpec.file);
      res.writeHead(200, { 'Content-Type': assetSpec.type, 'Content-Length': bytes.length, 'Cache-Control': 'no-cache' });
      return void res.end(bytes);
    }
    if (url.pathname === '/login' && req.method === 'POST') {
      await readBody(req);
      return sendHtml(res, 200, loginPage(configFor(req), '보안 확인이 필요합니다. 브라우저에서 JavaScript를 허용해주세요.'));
    }
    if (req.method !== 'GET') return sendHtml(res, 405, '<!doctype html><h1>405 Method Not Allowed</h1>');
    if (url.pathname === '/') {
      res.writeHead(302, { Location: '/dashboard' });
      return void res.end();
    }
    if (url.pathname === '/login') return sendHtml(res, 200, loginPage(configFor(req)));
    const title = PAGE_TITLES[url.pathname];
    if (title) return sendHtml(res, 200, appShell(title, configFor(req)));
    return sendHtml(res, 404, '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>404</title></head><body><h1>페이지를 찾을 수 없습니다</h1></body></html>');
  };
}
