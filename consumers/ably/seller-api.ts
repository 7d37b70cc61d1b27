/**
 * The seller center's private JSON API (`https://api.a-bly.com/seller/...`, reference a.2/a.3) over undici: one
 * keep-alive pool per host, `Authorization: JWT <token>`, the web app's Origin and Referer (some endpoints 403
 * another origin), and the same User-Agent and locale as the browser login (c.5 fingerprint hygiene). Every
 * answer is checked, not only its status (c.5 soft-block detectors), and mapped onto lib/errors.ts:
 *   401 → TokenRejectedError (log in again once); 429 → RateLimitedError with Retry-After;
 *   403 `blocked` or HTML where JSON was expected (a block or login page with status 200) → SoftBlockedError;
 *   200 with an error body (`success: false`) → ErrorIn200Error with the body as evidence;
 *   5xx, resets, timeouts → TransientSourceError; other 4xx → SourceRejectedError with Ably's message.
 * With proxies (ABLY_PROXIES) every call of a seller leaves through the seller's one proxy (proxy-assignment.ts):
 * one undici ProxyAgent per proxy, made at start and shared by its sellers; the pacer's host bucket is then per
 * proxy, since each proxy is an egress IP of its own. Without proxies, one direct pool as before.
 */
import type { Dispatcher } from 'undici';
import { errors as undiciErrors, Pool, ProxyAgent, request } from 'undici';
import { NonRetriableError, RateLimitedError, SessionExpiredError, TransientSourceError } from '../../lib/errors.js';
import type { ProxyEndpoint } from '../../lib/proxy-url.js';
import { DIRECT, type ProxyAssignment } from './proxy-assignment.js';
import type { RequestPacer } from './request-pacer.js';

export const ABLY_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

/** The token was refused (expired or revoked): retire the session and log in again. */
export class TokenRejectedError extends SessionExpiredError {}

/**
 * The source soft-blocked us (403 `blocked`, a block page where JSON was expected). Retriable, but only after a
 * cool-down: `retryAfterMs` is it. The session is reset and the platform's breaker counts it.
 */
export class SoftBlockedError extends RateLimitedError {
  override readonly code: string = 'SOFT_BLOCKED';
}

/** HTTP 200 whose body says the call failed (a.4: errors inside 200 bodies). */
export class ErrorIn200Error extends TransientSourceError {
  override readonly code: string = 'ERROR_IN_200';
}

/** A 200 whose JSON lacks what it should hold (schema drift, truncation): fetched once more, then the job fails. */
export class SchemaDriftError extends TransientSourceError {
  override readonly code: string = 'SCHEMA_DRIFT';
}

/** A 4xx other than 401/403-blocked/429: repeating the same call cannot help. */
export class SourceRejectedError extends NonRetriableError {
  override readonly code: string = 'SOURCE_REJECTED';
}

/** Login outcomes that are not a token. */
export type LoginRefusal = 'invalid_credentials' | 'challenge_required' | 'challenge_failed' | 'login_locked';
export class LoginRefusedError extends NonRetriableError {
  override readonly code: string = 'LOGIN_REFUSED';
  constructor(message: string, readonly refusal: LoginRefusal, context: Record<string, unknown>) {
    super(message, { context });
  }
}

export interface SellerApiOptions {
  /** `https://api.a-bly.com` or the simulator's. */
  apiBaseUrl: string;
  /** The web app's origin, sent as Origin and Referer: `https://my.a-bly.com`. */
  webOrigin: string;
  pacer: RequestPacer;
  /** Per call, headers to body. @default 20_000 */
  timeoutMs?: number;
  /** Keep-alive connections to the API host. @default 32 */
  connections?: number;
  /** How long a soft block pauses the account when the source gives no Retry-After. @default 60_000 */
  blockCoolDownMs?: number;
  /** Which proxy each seller's calls leave through. @default DIRECT (no proxy) */
  egress?: ProxyAssignment;
}

export interface SellerApi {
  login(account: string, email: string, password: string, signal: AbortSignal, challenge?: Record<string, string>): Promise<string>;
  get<T>(account: string, token: string, path: string, query: Record<string, string | number | undefined>, signal: AbortSignal): Promise<T>;
  post<T>(account: string, token: string, path: string, body: unknown, signal: AbortSignal): Promise<T>;
  /** A CSV (or other text) download. */
  text(account: string, token: string, path: string, signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
  /** Calls sent since start (benches and tests read it). */
  readonly calls: number;
}

type Headers = Record<string, string | string[] | undefined>;

const looksLikeHtml = (headers: Headers, text: string) => /html/i.test(String(headers['content-type'] ?? '')) || /^\s*</.test(text);

/**
 * One ProxyAgent for a proxy. A plain-http origin (the simulator; Ably itself is https, always tunnelled with
 * CONNECT) is forwarded as absolute-URI requests rather than tunnelled, as Chromium does, so both paths look alike
 * to the proxy. The factory gives the connections behind the proxy the same limits and timeouts as the direct pool.
 */
function proxyAgent(proxy: ProxyEndpoint, poolOptions: Pool.Options): ProxyAgent {
  const { credentials } = proxy;
  return new ProxyAgent({
    uri: proxy.server,
    ...(credentials ? { token: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } : {}),
    proxyTunnel: false,
    factory: (origin, options) => new Pool(origin, { ...options, ...poolOptions }),
  });
}

export function createSellerApi({ apiBaseUrl, webOrigin, pacer, timeoutMs = 20_000, connections = 32, blockCoolDownMs = 60_000, egress = DIRECT }: SellerApiOptions): SellerApi {
  const host = new URL(apiBaseUrl).host;
  const poolOptions: Pool.Options = { connections, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  const direct = egress.proxies.length === 0 ? new Pool(new URL(apiBaseUrl).origin, poolOptions) : undefined;
  const viaProxy = new Map(egress.proxies.map((proxy) => [proxy.server, proxyAgent(proxy, poolOptions)]));
  /** The seller's way out, and the pacer's name for that egress. */
  const route = (account: string): { dispatcher: Dispatcher; egressHost: string; via?: string } => {
    const proxy = egress.proxyFor(account);
    return proxy ? { dispatcher: viaProxy.get(proxy.server)!, egressHost: `${host} via ${proxy.server}`, via: proxy.server } : { dispatcher: direct!, egressHost: host };
  };
  const base = { Accept: 'application/json', 'Accept-Language': 'ko-KR,ko;q=0.9', 'User-Agent': ABLY_USER_AGENT, Origin: webOrigin, Referer: `${webOrigin}/` };
  let calls = 0;

  async function call(account: string, path: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }, signal: AbortSignal) {
    const { dispatcher, egressHost, via } = route(account);
    await pacer.acquire(egressHost, account, signal);
    calls += 1;
    try {
      const response = await request(`${apiBaseUrl}${path}`, { ...init, headers: { ...base, ...init.headers }, dispatcher, signal });
      return { status: response.statusCode, headers: response.headers as Headers, text: await response.body.text() };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof undiciErrors.UndiciError || (error as NodeJS.ErrnoException).code !== undefined) {
        throw new TransientSourceError(`ably ${account} ${path}${via ? ` via ${via}` : ''}: ${(error as Error).message}`, { cause: error, context: { account, path, via } });
      }
      throw error;
    }
  }

  const parseBody = (text: string): unknown => { try { return JSON.parse(text); } catch { return undefined; } };

  /** The answer as JSON, or the error it stands for. */
  function judge(account: string, path: string, status: number, headers: Headers, text: string): unknown {
    const body = parseBody(text) as Record<string, unknown> | undefined;
    const context = { account, path, status, evidence: text.slice(0, 500) };
    const message = `ably ${account} ${path}: ${status}${typeof body?.message === 'string' ? ` ${body.message}` : typeof body?.detail === 'string' ? ` ${body.detail}` : ''}`;
    if (status === 401) return new TokenRejectedError(message, { context });
    if (status === 429) {
      const seconds = Number(headers['retry-after']);
      const waitMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
      pacer.pause({ account }, waitMs, 'throttled');
      return new RateLimitedError(message, waitMs, { context });
    }
    if ((status === 403 && body?.code === 'blocked') || (status === 200 && body === undefined && looksLikeHtml(headers, text))) {
      pacer.pause({ account }, blockCoolDownMs, 'blocked');
      return new SoftBlockedError(`${message} (soft block)`, blockCoolDownMs, { context });
    }
    if (status >= 500 || status === 408) return new TransientSourceError(message, { context });
    if (status !== 200) return new SourceRejectedError(message, { context });
    if (body === undefined) return new SchemaDriftError(`${message}: not JSON (${text.length} bytes)`, { context });
    if (body.success === false || (typeof body.error === 'string' && Object.keys(body).length <= 3)) return new ErrorIn200Error(`${message}: error in a 200 body`, { context });
    return body;
  }

  async function json<T>(account: string, token: string, path: string, init: { method: 'GET' | 'POST'; body?: string }, signal: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Authorization: `JWT ${token}` };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const { status, headers: h, text } = await call(account, path, { ...init, headers }, signal);
    const result = judge(account, path, status, h, text);
    if (result instanceof Error) throw result;
    return result as T;
  }

  return {
    async login(account, email, password, signal, challenge) {
      const { status, headers, text } = await call(account, '/seller/login/', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password, ...challenge }),
      }, signal);
      const body = parseBody(text) as Record<string, unknown> | undefined;
      const code = typeof body?.code === 'string' ? body.code : '';
      if (code === 'invalid_credentials' || code === 'challenge_required' || code === 'challenge_failed' || code === 'login_locked') {
        throw new LoginRefusedError(`ably ${account} login: ${code}`, code, { account, status });
      }
      const result = judge(account, '/seller/login/', status, headers, text) as Record<string, unknown> | Error;
      if (result instanceof Error) throw result;
      const token = result.token ?? result.access_token;
      if (typeof token !== 'string' || token === '') throw new SchemaDriftError(`ably ${account} login: no token in the answer`, { context: { account, keys: Object.keys(result) } });
      return token;
    },
    get(account, token, path, query, signal) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
      const qs = params.toString();
      return json(account, token, qs ? `${path}?${qs}` : path, { method: 'GET' }, signal);
    },
    post(account, token, path, body, signal) {
      return json(account, token, path, { method: 'POST', body: JSON.stringify(body) }, signal);
    },
    async text(account, token, path, signal) {
      const { status, headers, text } = await call(account, path, { method: 'GET', headers: { Authorization: `JWT ${token}`, Accept: 'text/csv,*/*' } }, signal);
      if (status === 200 && !looksLikeHtml(headers, text)) return text;
      const result = judge(account, path, status, headers, text);
      throw result instanceof Error ? result : new SchemaDriftError(`ably ${account} ${path}: JSON where a download was expected`, { context: { account, path } });
    },
    async close() {
      await Promise.all([direct?.close(), ...[...viaProxy.values()].map((agent) => agent.close())]);
    },
    get calls() {
      return calls;
    },
  };
}
