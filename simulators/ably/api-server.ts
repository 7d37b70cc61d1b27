/**
 * The API origin (`/seller/...`). Every call goes through the same checks, in this order:
 *   CORS preflight (answered, never limited) → soft block / block storm on the client IP → the IP's buckets
 *   (429 + Retry-After) → Origin/Referer allow-list (403 `invalid_origin`) → route (404/405) → strict-origin
 *   routes (403 `forbidden_origin`) → login / challenge, or `Authorization: JWT` (401) → the account's block and
 *   buckets → injected faults (502/503 HTML, heavy page 502, 200 `{"success":false}`) → the handler.
 * Every response waits for the latency knob (wall time) and carries CORS headers for an allowed Origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../cafe24/http-io.js';
import type { ApiContext, ApiResult } from './api-context.js';
import { BadRequest, pageRequest } from './api-params.js';
import { matchRoute } from './api-routes.js';
import type { SellerAuth } from './auth.js';
import type { ChallengeBook } from './challenge.js';
import { BLOCK_PAGE, BLOCK_TEXT, clientIp, gatewayPage, sendHtml } from './http-common.js';
import type { KnobBoard } from './knobs.js';
import type { LimitDecision, Limiter, LimitPolicy } from './limits.js';
import type { SellerRegistry } from './seller-registry.js';
import { ANONYMOUS, type StatsBook } from './sim-stats.js';

export interface ApiServerDeps {
  seed: number;
  now(): number;
  registry: SellerRegistry;
  auth: SellerAuth;
  challenges: ChallengeBook;
  knobs: KnobBoard;
  limiter: Limiter;
  policy(): LimitPolicy;
  stats: StatsBook;
  webOrigin(): string;
  allowedOrigins(): string[];
  trustForwardedFor: boolean;
  /** Schedules a send after a wall-time delay (the server owns and clears the timers). */
  later(delayMs: number, res: ServerResponse, send: () => void): void;
}

export const ERROR_IN_200_MESSAGE = '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.';

type Answer = { status: number; json?: unknown; html?: string; csv?: { text: string; filename: string }; headers?: Record<string, string> };

const originOf = (value: string | undefined) => {
  try {
    return value ? new URL(value).origin : undefined;
  } catch {
    return undefined;
  }
};

export function createApiHandler(deps: ApiServerDeps) {
  const blockedAnswer = (sellerId?: string): Answer => deps.knobs.get(sellerId).blockedApiAsHtml
    ? { status: 200, html: BLOCK_PAGE }
    : { status: 403, json: { code: 'blocked', message: BLOCK_TEXT } };

  const limitAnswer = (decision: LimitDecision, sellerId: string): Answer | undefined => {
    if (decision.ok) return undefined;
    if (decision.kind === 'blocked') {
      deps.stats.of(sellerId).blocked += 1;
      return blockedAnswer(sellerId === ANONYMOUS ? undefined : sellerId);
    }
    deps.stats.of(sellerId).rateLimited += 1;
    return {
      status: 429, json: { code: 'too_many_requests', message: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.' },
      headers: { 'Retry-After': String(decision.retryAfterSec) },
    };
  };

  const decide = async (req: IncomingMessage, url: URL, origin: string | undefined): Promise<{ answer: Answer; sellerId: string; route: string }> => {
    const method = req.method ?? 'GET';
    const ip = clientIp(req, deps.trustForwardedFor);
    let sellerId = ANONYMOUS;
    const out = (answer: Answer, route = 'other') => ({ answer, sellerId, route });
    if (deps.knobs.roll(`ip:${ip}`, deps.knobs.get().blockStormRate)) {
      deps.stats.of(sellerId).injected.blockStorm += 1;
      return out(blockedAnswer());
    }
    const ipLimit = limitAnswer(deps.limiter.take(`ip:${ip}`, deps.policy().perIp), ANONYMOUS);
    if (ipLimit) return out(ipLimit);
    const claimed = origin ?? originOf(req.headers.referer);
    if (!claimed || !deps.allowedOrigins().includes(claimed)) {
      return out({ status: 403, json: { code: 'invalid_origin', message: '허용되지 않은 요청입니다' } });
    }
    const match = matchRoute(method, url.pathname);
    if (!match) return out({ status: 404, json: { detail: 'Not found.' } });
    const { route, params } = match;
    if (!match.methodAllowed) return out({ status: 405, json: { detail: `Method "${method}" not allowed.` } }, route.name);
    if (route.strictOrigin && origin !== deps.webOrigin()) {
      return out({ status: 403, json: { code: 'forbidden_origin', message: '허용되지 않은 출처입니다' } }, route.name);
    }
    let body: unknown;
    if (method === 'POST' || method === 'PUT') {
      const text = await readBody(req);
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return out({ status: 400, json: { message: '요청 본문이 올바른 JSON이 아닙니다' } }, route.name);
      }
    }
    if (route.public === 'challenge') return out({ status: 200, json: deps.challenges.issue() }, route.name);
    if (route.public === 'login') {
      const target = deps.auth.sellerOf(body);
      if (target) {
        sellerId = target;
        const limited = limitAnswer(deps.limiter.take(`acct:${target}`, deps.policy().perAccount), target);
        if (limited) return out(limited, route.name);
      }
      const reply = deps.auth.login(body);
      return out({ status: reply.status, json: reply.body }, route.name);
    }
    const auth = deps.auth.authenticate(req.headers.authorization);
    if (!auth.ok) return out({ status: auth.reply.status, json: auth.reply.body }, route.name);
    sellerId = auth.sellerId;
    const knobs = deps.knobs.get(sellerId);
    if (deps.knobs.roll(sellerId, knobs.blockStormRate)) {
      deps.stats.of(sellerId).injected.blockStorm += 1;
      return out(blockedAnswer(sellerId), route.name);
    }
    const limited = limitAnswer(deps.limiter.take(`acct:${sellerId}`, deps.policy().perAccount), sellerId);
    if (limited) return out(limited, route.name);
    const injected = deps.stats.of(sellerId).injected;
    if (deps.knobs.roll(sellerId, knobs.status5xxRate)) {
      injected.status5xx += 1;
      const status = deps.knobs.pick(sellerId, [502, 503] as const);
      return out({ status, html: gatewayPage(status) }, route.name);
    }
    if (deps.knobs.roll(sellerId, knobs.errorIn200Rate)) {
      injected.errorIn200 += 1;
      return out({ status: 200, json: { success: false, message: ERROR_IN_200_MESSAGE } }, route.name);
    }
    const ctx: ApiContext = {
      seed: deps.seed, nowMs: deps.now(), seller: deps.registry.require(sellerId), query: url.searchParams, body, params,
      schemaDrift: knobs.schemaDrift, canaries: knobs.canaries,
      page(page, perPage, defaultPerPage) {
        const request = pageRequest(page, perPage, defaultPerPage);
        if (knobs.heavyPage502 && request.requestedPerPage > 500) {
          injected.heavyPage += 1;
          throw new BadRequest('heavy page', 502);
        }
        return request;
      },
    };
    try {
      const result = (route.handler as (c: ApiContext) => ApiResult)(ctx);
      return out('csv' in result ? { status: result.status, csv: { text: result.csv, filename: result.filename } } : { status: result.status, json: result.json }, route.name);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      return out(error.status === 502 ? { status: 502, html: gatewayPage(502) } : { status: error.status, json: { message: error.message } }, route.name);
    }
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://api.local');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const cors: Record<string, string> = origin && deps.allowedOrigins().includes(origin)
      ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'Retry-After, Content-Disposition' }
      : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(cors['Access-Control-Allow-Origin'] ? 204 : 403, {
        ...cors, 'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, x-token-type', 'Access-Control-Max-Age': '600',
      });
      return void res.end();
    }
    const { answer, sellerId, route } = await decide(req, url, origin);
    deps.stats.record(sellerId, route, answer.status);
    const headers = { ...cors, ...answer.headers };
    deps.later(deps.knobs.latencyMs(sellerId === ANONYMOUS ? undefined : sellerId), res, () => {
      if (answer.html !== undefined) return sendHtml(res, answer.status, answer.html, headers);
      if (answer.csv) {
        const bytes = Buffer.from(answer.csv.text, 'utf8');
        res.writeHead(answer.status, {
          ...headers, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': bytes.length,
          'Content-Disposition': `attachment; filename="${answer.csv.filename}"`,
        });
        return void res.end(bytes);
      }
      sendJson(res, answer.status, answer.json, headers);
    });
  };
}
