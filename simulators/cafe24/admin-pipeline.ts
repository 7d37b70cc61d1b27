/**
 * One Admin API call, in the order the checks apply:
 *   route (404) → bearer token (401) → rate limit (429) → request shape and `X-Cafe24-Api-Version` (400)
 *   → scope (403) → injected hang / 5xx → the endpoint (200, or its 404/422) → injected broken body.
 * Every response carries `X-Api-Call-Limit` and the usage headers (§4), 401s included; only admitted calls are
 * added to the bucket. Unauthenticated calls are not counted because a bucket belongs to an authenticated mall.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminRequest, AdminRoute } from './admin-route.js';
import { CATEGORY_ROUTES } from './categories-api.js';
import type { SimClock } from './clock.js';
import { AdminApiError, ADMIN_MESSAGES } from './errors.js';
import type { FaultBoard } from './faults.js';
import { bearerToken } from './http-io.js';
import type { TokenAuthority } from './oauth.js';
import { ORDER_ROUTES } from './orders-api.js';
import { PRODUCT_ROUTES } from './products-api.js';
import { QueryReader } from './query-params.js';
import {
  chargeProcessingTime, decide, freshMeters, type MallMeters, mergePolicy, rateLimitHeaders, type RateLimitPolicy,
  type RefusalReason,
} from './rate-limit.js';
import { REPORT_ROUTES } from './reports-api.js';
import type { MallData } from './shop-registry.js';
import type { StatsBook } from './stats.js';
import { STORE_ROUTES } from './store-api.js';
import { resolveApiVersion } from './versioning.js';

export interface AdminPipelineContext {
  seed: number;
  clock: SimClock;
  authority: TokenAuthority;
  faults: FaultBoard;
  stats: StatsBook;
  meters: Map<string, MallMeters>;
  basePolicy: RateLimitPolicy;
  appApiVersion: string;
  knownApiVersions: readonly string[];
  /** Keeps a deliberately unanswered response until the client or the simulator closes it. */
  hold(res: ServerResponse): void;
  /** Sends after the injected latency. */
  deliver(mallId: string, res: ServerResponse, send: () => void): void;
}

interface CompiledRoute {
  route: AdminRoute;
  pattern: RegExp;
  names: string[];
}

const ROUTES: CompiledRoute[] = [...ORDER_ROUTES, ...PRODUCT_ROUTES, ...CATEGORY_ROUTES, ...STORE_ROUTES, ...REPORT_ROUTES]
  .map((route) => {
    const names: string[] = [];
    const source = route.path.split('/').map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    }).join('/');
    return { route, pattern: new RegExp(`^${source}$`), names };
  });

/** Processing time charged to the time-usage meter: a base plus a little per row returned (ms). */
const processingCostMs = (rows: number) => 10 + rows * 0.1;

const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  'bucket': ADMIN_MESSAGES.tooManyRequestsBucket,
  'forced': ADMIN_MESSAGES.tooManyRequestsBucket,
  'call-usage': ADMIN_MESSAGES.tooManyRequestsUsage,
  'time-usage': ADMIN_MESSAGES.tooManyRequestsUsage,
  'abnormal-traffic': ADMIN_MESSAGES.tooManyRequestsAbnormal,
};

function matchRoute(subPath: string): { route: AdminRoute; params: Record<string, string> } | undefined {
  for (const { route, pattern, names } of ROUTES) {
    const match = pattern.exec(subPath);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => { params[name] = decodeURIComponent(match[i + 1] as string); });
    return { route, params };
  }
  return undefined;
}

export function handleAdminCall(
  ctx: AdminPipelineContext,
  call: { mallId: string; mall: MallData; subPath: string; url: URL; req: IncomingMessage; res: ServerResponse; mallBaseUrl: string },
): void {
  const { mallId, req, res } = call;
  const nowMs = ctx.clock.now();
  const knobs = ctx.faults.get(mallId);
  const policy = mergePolicy(ctx.basePolicy, knobs.rateLimit);
  const matched = matchRoute(call.subPath);
  const endpoint = matched?.route.path ?? 'unknown';
  const endpointLimit = matched?.route.callLimit ?? policy.bucket.capacity;
  const meters = () => ctx.meters.get(mallId) ?? freshMeters(nowMs);
  const headersNow = (extra: Record<string, string> = {}) => ({ ...rateLimitHeaders(meters(), nowMs, policy, endpointLimit), ...extra });

  const finish = (status: number, body: unknown, extraHeaders: Record<string, string> = {}, breakable = false, json?: readonly Buffer[]) => {
    ctx.stats.recordCall(mallId, endpoint, status);
    const parts = json ?? [Buffer.from(JSON.stringify(body))];
    const headers = { 'Content-Type': 'application/json', ...headersNow(extraHeaders) };
    if (breakable && ctx.faults.roll(mallId, knobs.malformedRate)) {
      ctx.stats.of(mallId).injected.malformed += 1;
      ctx.deliver(mallId, res, () => sendBroken(res, status, headers, Buffer.concat(parts), ctx.faults.malformedKind(mallId)));
      return;
    }
    ctx.deliver(mallId, res, () => {
      res.writeHead(status, { ...headers, 'Content-Length': parts.reduce((sum, part) => sum + part.length, 0) });
      // Corked, the parts leave in one writev rather than a write each.
      res.cork();
      for (const part of parts) res.write(part);
      res.end();
    });
  };
  const fail = (error: AdminApiError, extraHeaders: Record<string, string> = {}) => finish(error.status, error.body(), extraHeaders);

  if (!matched || knobs.unavailableEndpoints?.includes(matched.route.path)) return fail(new AdminApiError(404, ADMIN_MESSAGES.notFoundApi));
  if (req.method !== 'GET') return fail(new AdminApiError(405, ADMIN_MESSAGES.methodNotAllowed));

  const access = ctx.authority.checkAccessToken(mallId, bearerToken(req.headers.authorization));
  if (!access.ok) {
    return fail(new AdminApiError(401, access.reason === 'expired' ? ADMIN_MESSAGES.accessTokenExpired : ADMIN_MESSAGES.accessTokenInvalid));
  }

  const decision = decide(meters(), nowMs, policy, { endpointLimit, forceRefusal: ctx.faults.shouldForce429(mallId) });
  ctx.meters.set(mallId, decision.meters);
  if (!decision.admitted) {
    const reason = decision.reason as RefusalReason;
    ctx.stats.recordRefusal(mallId, reason);
    return fail(new AdminApiError(429, REFUSAL_MESSAGES[reason]));
  }

  let apiVersion: string;
  try {
    const contentType = req.headers['content-type'];
    // GETs may send Content-Type (the docs' examples do); when they do it must be JSON (§3).
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
      throw new AdminApiError(400, 'Content-Type must be application/json.');
    }
    const requested = req.headers['x-cafe24-api-version'];
    apiVersion = resolveApiVersion(Array.isArray(requested) ? requested[0] : requested, nowMs, {
      appVersion: ctx.appApiVersion, known: ctx.knownApiVersions,
    });
    if (!access.grant.scopes.includes(matched.route.scope)) {
      throw new AdminApiError(403, ADMIN_MESSAGES.insufficientScope(matched.route.scope));
    }
  } catch (error) {
    return fail(asAdminError(error));
  }
  const versionHeader = { 'X-Cafe24-Api-Version': apiVersion };

  if (ctx.faults.roll(mallId, knobs.timeoutRate)) {
    ctx.stats.of(mallId).injected.timeouts += 1;
    ctx.stats.recordCall(mallId, endpoint, 0);
    ctx.hold(res);
    return;
  }
  if (ctx.faults.roll(mallId, knobs.status5xxRate)) {
    ctx.stats.of(mallId).injected.serverErrors += 1;
    const status = ctx.faults.serverErrorStatus(mallId);
    return fail(new AdminApiError(status, status === 500 ? ADMIN_MESSAGES.internalError : ADMIN_MESSAGES.serviceUnavailable), versionHeader);
  }

  const request: AdminRequest = {
    mallId, mall: call.mall, url: call.url, query: new QueryReader(call.url.searchParams), params: matched.params,
    nowMs, mallBaseUrl: call.mallBaseUrl, seed: ctx.seed, canaries: knobs.canaries === true,
  };
  let result;
  try {
    result = matched.route.handle(request);
  } catch (error) {
    return fail(asAdminError(error), versionHeader);
  }
  ctx.meters.set(mallId, chargeProcessingTime(meters(), nowMs, policy, processingCostMs(result.rows)));
  finish(200, result.body, versionHeader, true, result.json);
}

function asAdminError(error: unknown): AdminApiError {
  if (error instanceof AdminApiError) return error;
  // A bug in the simulator surfaces as the API's own 500, with the cause in the message for whoever reads it.
  return new AdminApiError(500, `${ADMIN_MESSAGES.internalError} (${error instanceof Error ? error.message : String(error)})`);
}

/** A 200 whose body is broken: cut mid-transfer (declared length not delivered) or invalid JSON. */
function sendBroken(res: ServerResponse, status: number, headers: Record<string, string>, full: Buffer, kind: 'truncated' | 'invalid-json'): void {
  const half = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
  if (kind === 'invalid-json') {
    res.writeHead(status, { ...headers, 'Content-Length': half.length });
    res.end(half);
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': full.length });
  res.write(half, () => res.destroy());
}
