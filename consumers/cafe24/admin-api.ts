/**
 * The Cafe24 Admin API over undici, one keep-alive pool per mall. Builds URLs from a template so the same
 * code reaches `https://{mall_id}.cafe24api.com` in production and the simulator in tests; the mall id is user
 * input that becomes a host name, so it is validated before it gets near a URL. Maps every failure onto the
 * error hierarchy: 401 → AccessTokenRejectedError (refresh once), 429 → RateLimitedError, 5xx/408/timeouts/bad
 * JSON → TransientSourceError, other 4xx → SourceRejectedError with Cafe24's own message.
 */
import { errors as undiciErrors, Pool, request } from 'undici';
import { NonRetriableError, RateLimitedError, SessionExpiredError, TransientSourceError } from '../../lib/errors.js';
import { readBodyBytes } from '../../lib/body-bytes.js';
import type { RateLimiter } from './rate-limiter.js';

/** Cafe24 mall ids: 4-16 lower-case letters and digits (they are sub-domains of cafe24api.com). */
const MALL_ID = /^[a-z0-9]{4,16}$/;

export class InvalidMallIdError extends NonRetriableError {
  override readonly code: string = 'INVALID_MALL_ID';
}

/** The access token was refused (expired or revoked): refresh once, then retry. */
export class AccessTokenRejectedError extends SessionExpiredError {}

/** A 200 whose body is not the JSON it should be (truncated, malformed, missing its list). */
export class MalformedPayloadError extends TransientSourceError {
  override readonly code: string = 'MALFORMED_PAYLOAD';
}

/** A 4xx other than 401/429: retrying the same call cannot help. */
export class SourceRejectedError extends NonRetriableError {
  override readonly code: string = 'SOURCE_REJECTED';
}

export function mallBaseUrl(template: string, mallId: string): string {
  if (!MALL_ID.test(mallId)) throw new InvalidMallIdError(`invalid Cafe24 mall id ${JSON.stringify(mallId.slice(0, 40))}`);
  return template.replace('{mall_id}', mallId);
}

export interface AdminApiOptions {
  /** `https://{mall_id}.cafe24api.com`, or the simulator's template. */
  baseTemplate: string;
  /** Sent as X-Cafe24-Api-Version: a pinned, tested version (an expired one silently changes behaviour). */
  apiVersion: string;
  limiter: RateLimiter;
  /** Per call, headers to body. @default 20_000 */
  timeoutMs?: number;
  /** Keep-alive connections per mall. @default 4 */
  connectionsPerHost?: number;
}

/**
 * Reads a 200's body from its bytes as they came (the connector has its record pages read by its context,
 * lib/sync/connector.ts readPage). A SyntaxError it throws, or its promise rejects with, makes the page malformed.
 * The bytes are valid only until it returns (lib/body-bytes.ts): what it keeps, it copies.
 */
export type BodyReader<T> = (bytes: Buffer) => T | Promise<T>;

/** What a call makes of its answer: the body's bytes are valid only until it returns. */
type Settle<T> = (status: number, headers: Record<string, string | string[] | undefined>, bytes: Buffer) => T | Promise<T>;

const parseJson: BodyReader<unknown> = (bytes) => JSON.parse(bytes.toString('utf8'));

export interface AdminApi {
  /** A GET's body, read by `read` (JSON.parse by default). */
  get<T>(mallId: string, accessToken: string, path: string, query: Record<string, string | number | undefined>, signal: AbortSignal, read?: BodyReader<T>): Promise<T>;
  /** The OAuth token endpoint (form body, Basic client auth); returns the parsed JSON body or throws. */
  token(mallId: string, basicAuth: string, form: Record<string, string>, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

interface Cafe24ErrorBody {
  error?: { code?: number | string; message?: string } | string;
  error_description?: string;
}

/** A UTF-8 byte order mark is not JSON; undici's text() dropped it too. */
const withoutBom = (bytes: Buffer) => (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes);

export function createAdminApi({ baseTemplate, apiVersion, limiter, timeoutMs = 20_000, connectionsPerHost = 4 }: AdminApiOptions): AdminApi {
  // One pool per mall, not per origin: in production each mall is its own host, so the two are the same; behind one
  // origin (the simulator, a proxy) a per-origin pool would cap every mall together at `connectionsPerHost`
  // (measured by bench/cafe24.ts: 300 jobs queued on 4 sockets, seconds per call).
  const pools = new Map<string, Pool>();
  const poolFor = (mallId: string, url: string) => {
    let pool = pools.get(mallId);
    if (!pool) {
      pool = new Pool(new URL(url).origin, { connections: connectionsPerHost, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      pools.set(mallId, pool);
    }
    return pool;
  };

  /** One request; `settle` reads its status, headers and body bytes, which are valid only until it returns (lib/body-bytes.ts). */
  async function call<T>(mallId: string, url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }, signal: AbortSignal, settle: Settle<T>): Promise<T> {
    const release = await limiter.acquire(mallId, signal);
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    // Once the whole body is in, the call is over for the limiter (the mall's next call may go while this one is
    // read), and what `settle` throws is its verdict on the answer, not a failure of the transport.
    let answered = false;
    try {
      const response = await request(url, { ...init, dispatcher: poolFor(mallId, url), signal });
      status = response.statusCode;
      headers = response.headers;
      return await readBodyBytes(response.body, (bytes) => {
        answered = true;
        release(status, headers);
        return settle(status, headers, withoutBom(bytes));
      });
    } catch (error) {
      if (answered) throw error;
      if (signal.aborted) throw signal.reason;
      if (error instanceof undiciErrors.UndiciError || (error as NodeJS.ErrnoException).code !== undefined) {
        throw new TransientSourceError(`cafe24 ${mallId}: ${(error as Error).message}`, { cause: error, context: { mallId } });
      }
      throw error;
    } finally {
      if (!answered) release(status, headers);
    }
  }

  function parse<T>(mallId: string, path: string, status: number, bytes: Buffer, reader: BodyReader<T>): T | Promise<T> {
    // Taken now: the bytes do not outlive this call, and a reader's promise settles later.
    const length = bytes.length;
    const sample = () => bytes.toString('utf8', 0, 200);
    const malformed = (error: unknown, evidence: string) => {
      if (!(error instanceof SyntaxError)) return error;
      return new MalformedPayloadError(`cafe24 ${mallId} ${path}: malformed JSON in a ${status} response (${length} bytes)`, {
        cause: error, context: { mallId, path, status, sample: evidence },
      });
    };
    try {
      const read = reader(bytes);
      if (!(read instanceof Promise)) return read;
      const evidence = sample();
      return read.catch((error: unknown) => { throw malformed(error, evidence); });
    } catch (error) {
      throw malformed(error, sample());
    }
  }

  /** A body's JSON, undefined when it is not JSON. */
  const jsonOf = (bytes: Buffer): unknown => {
    try {
      return parseJson(bytes);
    } catch {
      return undefined;
    }
  };

  function failure(mallId: string, path: string, status: number, headers: Record<string, string | string[] | undefined>, body: Cafe24ErrorBody | undefined): Error {
    const message = typeof body?.error === 'object' ? body.error.message : body?.error_description ?? body?.error;
    const context = { mallId, path, status };
    const text = `cafe24 ${mallId} ${path}: ${status}${message ? ` ${message}` : ''}`;
    if (status === 401) return new AccessTokenRejectedError(text, { context });
    if (status === 429) {
      const remain = Math.max(Number(headers['x-cafe24-call-remain'] ?? 0), Number(headers['x-cafe24-time-remain'] ?? 0));
      return new RateLimitedError(text, Math.max(1000, remain * 1000), { context });
    }
    // 408: the server (or a proxy) gave up waiting for the request; repeating it is what RFC 9110 says to do.
    if (status >= 500 || status === 408) return new TransientSourceError(text, { context });
    return new SourceRejectedError(text, { context });
  }

  return {
    async get<T>(mallId: string, accessToken: string, path: string, query: Record<string, string | number | undefined>, signal: AbortSignal, read = parseJson as BodyReader<T>) {
      const url = new URL(`${mallBaseUrl(baseTemplate, mallId)}/api/v2/admin/${path}`);
      for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
      return call(mallId, url.toString(), {
        method: 'GET',
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json', 'X-Cafe24-Api-Version': apiVersion },
      }, signal, (status, headers, bytes) => {
        if (status !== 200) throw failure(mallId, path, status, headers, jsonOf(bytes) as Cafe24ErrorBody | undefined);
        return parse(mallId, path, status, bytes, read);
      });
    },
    async token(mallId, basicAuth, form, signal) {
      const url = `${mallBaseUrl(baseTemplate, mallId)}/api/v2/oauth/token`;
      return call(mallId, url, {
        method: 'POST',
        headers: { Authorization: `Basic ${basicAuth}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }, signal, (status, headers, bytes) => {
        const body = jsonOf(bytes);
        if (status !== 200) throw failure(mallId, 'oauth/token', status, headers, body as Cafe24ErrorBody | undefined);
        if (body === undefined) throw new TransientSourceError(`cafe24 ${mallId} oauth/token: malformed JSON`, { context: { mallId } });
        return body;
      });
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((pool) => pool.close()));
    },
  };
}
