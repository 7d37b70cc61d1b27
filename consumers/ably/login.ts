/**
 * A tenant's seller-center session, by the cheapest path that works (reference c.3/c.4):
 *   1. the session in memory (session-pool.ts), reused across jobs and retries;
 *   2. the session sealed on the `credentials` topic (after a restart or a rebalance);
 *   3. the API login (`POST /seller/login/`), a few ms;
 *   4. the browser login (browser-login.ts), only when the API login is refused with a challenge.
 * One login per tenant at a time (single flight): parallel jobs and a 401 storm share it, so an account never
 * sees two logins race. Outcomes are explicit:
 *   - wrong password: the link is marked `needsNewCredentials` on the credentials topic and the job ends
 *     needs_reauth (CredentialsRejectedError, no retries); later jobs fail fast until the seller saves a new one;
 *   - a challenge the browser cannot pass: the tenant is parked (ChallengeUnpassedError, non-retriable, its
 *     reason in the run and the DLQ) for `parkMs`, so it is not retried into a lockout;
 *   - a locked account: retried after the lock (RateLimitedError);
 *   - a browser crash: retriable, the job retries.
 * With proxies (ABLY_PROXIES) both logins go through the tenant's proxy (proxy-assignment.ts) and the session
 * records which one. Ably ties a session to the IP that logged in, so a stored session obtained through another
 * proxy (or directly) is not restored: the tenant logs in again through its own. Within a process the assignment
 * never changes, so a session always keeps the proxy it was obtained through.
 */
import type { CredentialsStore } from '../../lib/credentials/credentials-store.js';
import { BlockedError, CredentialsRejectedError, RateLimitedError } from '../../lib/errors.js';
import type { ProxyEndpoint } from '../../lib/proxy-url.js';
import { createSingleFlight } from '../../lib/single-flight.js';
import { DIRECT, type ProxyAssignment } from './proxy-assignment.js';
import { LoginRefusedError, type SellerApi } from './seller-api.js';
import type { AblySession, AblySessionState, SessionPool } from './session-pool.js';

/** What the credentials topic holds for a tenant's Ably link (sealed). */
export interface AblySecret {
  email: string;
  password: string;
  session?: AblySessionState;
  /** Set when Ably refused the password: the seller must enter a new one. */
  needsNewCredentials?: boolean;
  /** Set when the browser could not pass the login challenge: why, and when (epoch ms). */
  parked?: { reason: string; at: number };
}

/** The login challenge was not passed in a real browser: a human has to look (screenshot in the context). */
export class ChallengeUnpassedError extends BlockedError {
  override readonly code: string = 'CHALLENGE_UNPASSED';
}

/** A login in Chromium, through `proxy` when one is given. */
export type BrowserLogin = (login: { tenantId: string; email: string; password: string; signal: AbortSignal; proxy?: ProxyEndpoint }) => Promise<{ token: string }>;

export interface SessionProviderOptions {
  api: SellerApi;
  credentials: CredentialsStore;
  pool: SessionPool;
  browserLogin: BrowserLogin;
  /** How long a tenant whose challenge failed stays parked. @default 6 h */
  parkMs?: number;
  /** How long a locked account is left alone. @default 30 min */
  lockedRetryMs?: number;
  /** The tenant's proxy, the same assignment the seller API routes by. @default DIRECT */
  egress?: ProxyAssignment;
  now?: () => number;
}

export interface LoginCounts {
  reused: number;
  restored: number;
  apiLogins: number;
  browserLogins: number;
}

export function createSessionProvider({
  api, credentials, pool, browserLogin, parkMs = 6 * 3_600_000, lockedRetryMs = 30 * 60_000, egress = DIRECT, now = Date.now,
}: SessionProviderOptions) {
  const singleFlight = createSingleFlight<AblySession>();
  const counts: LoginCounts = { reused: 0, restored: 0, apiLogins: 0, browserLogins: 0 };

  async function load(tenantId: string): Promise<AblySecret> {
    const secret = await credentials.get<AblySecret>(tenantId, 'ably');
    if (!secret) throw new CredentialsRejectedError(`tenant ${tenantId} has no Ably credentials`);
    if (secret.needsNewCredentials) throw new CredentialsRejectedError(`tenant ${tenantId}'s Ably password was refused; a new one is needed`);
    if (secret.parked && now() - secret.parked.at < parkMs) throw new ChallengeUnpassedError(`tenant ${tenantId} is parked: ${secret.parked.reason}`);
    return secret;
  }

  async function login(tenantId: string, secret: AblySecret, signal: AbortSignal): Promise<AblySession> {
    const proxy = egress.proxyFor(tenantId);
    const through = proxy ? { proxy: proxy.server } : {};
    let state: AblySessionState;
    try {
      state = { token: await api.login(tenantId, secret.email, secret.password, signal), obtainedAt: now(), via: 'api', ...through };
      counts.apiLogins += 1;
    } catch (error) {
      if (!(error instanceof LoginRefusedError)) throw error;
      if (error.refusal === 'invalid_credentials') return refused(tenantId, secret, error);
      if (error.refusal === 'login_locked') throw new RateLimitedError(`ably ${tenantId}: account locked after failed logins`, lockedRetryMs, { cause: error });
      state = { ...await viaBrowser(tenantId, secret, signal, proxy), ...through };
    }
    await credentials.put(tenantId, 'ably', { email: secret.email, password: secret.password, session: state } satisfies AblySecret);
    return pool.add(tenantId, state);
  }

  async function viaBrowser(tenantId: string, secret: AblySecret, signal: AbortSignal, proxy: ProxyEndpoint | undefined): Promise<AblySessionState> {
    try {
      const { token } = await browserLogin({ tenantId, email: secret.email, password: secret.password, signal, ...(proxy ? { proxy } : {}) });
      counts.browserLogins += 1;
      return { token, obtainedAt: now(), via: 'browser' };
    } catch (error) {
      if (error instanceof LoginRefusedError && error.refusal === 'invalid_credentials') return refused(tenantId, secret, error);
      if (error instanceof ChallengeUnpassedError) {
        await credentials.put(tenantId, 'ably', { ...secret, parked: { reason: error.message, at: now() } } satisfies AblySecret);
      }
      throw error;
    }
  }

  async function refused(tenantId: string, secret: AblySecret, cause: unknown): Promise<never> {
    await credentials.put(tenantId, 'ably', { email: secret.email, password: secret.password, needsNewCredentials: true } satisfies AblySecret);
    throw new CredentialsRejectedError(`ably refused tenant ${tenantId}'s password`, { cause });
  }

  /** A usable session, reusing what exists, logging in only when nothing does. */
  async function acquire(tenantId: string, signal: AbortSignal, rejectedToken?: string): Promise<AblySession> {
    const live = pool.get(tenantId);
    if (live && live.token !== rejectedToken) {
      counts.reused += 1;
      return live;
    }
    return singleFlight(tenantId, async () => {
      const again = pool.get(tenantId);
      if (again && again.token !== rejectedToken) return again;
      const secret = await load(tenantId);
      const stored = secret.session;
      if (stored && stored.token !== rejectedToken && stored.proxy === egress.proxyFor(tenantId)?.server) {
        const session = pool.add(tenantId, stored);
        if (session.isUsable()) {
          counts.restored += 1;
          return session;
        }
        pool.retire(session);
      }
      return login(tenantId, secret, signal);
    });
  }

  return {
    acquire: (tenantId: string, signal: AbortSignal) => acquire(tenantId, signal),
    /** After the source refused `session`'s token: retire it and get another (unless someone already did). */
    renew(session: AblySession, signal: AbortSignal): Promise<AblySession> {
      pool.retire(session);
      return acquire(session.tenantId, signal, session.token);
    },
    counts,
  };
}

export type SessionProvider = ReturnType<typeof createSessionProvider>;
