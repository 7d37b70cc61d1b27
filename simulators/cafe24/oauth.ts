/**
 * OAuth 2.0 as Cafe24 runs it (reference §2), without HTTP: codes, grants, rotation, revocation.
 * - Authorization codes are single-use and live 1 minute (§2.1).
 * - Access tokens live 2 hours, refresh tokens 14 days (§2.2); lifetimes are measured on the simulated clock.
 * - Every refresh rotates the refresh token: the old one is dead at once, so a second use fails (§2.2).
 * - Revoking an access token also revokes its refresh token (§2.3).
 * Where the reference is silent the stricter choice is taken: the previous access token is revoked when its
 * grant is refreshed (knob `revokeAccessTokenOnRefresh`), and a refresh must come from the client that holds the grant.
 */
import type { SimClock } from './clock.js';
import { OAUTH_ERRORS } from './errors.js';
import { formatKstTokenTime } from './kst.js';
import { type Rng, randomToken } from './seeded-random.js';

export const ACCESS_TOKEN_TTL_MS = 2 * 3_600_000;
export const REFRESH_TOKEN_TTL_MS = 14 * 86_400_000;
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

/** An app registered in the (simulated) Developer Center. */
export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Scopes the app was approved for; a request may ask for a subset. */
  scopes: string[];
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** One live grant: what a token response describes. */
export interface TokenGrant {
  mallId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  accessToken: string;
  refreshToken: string;
  issuedAtMs: number;
  expiresAtMs: number;
  refreshExpiresAtMs: number;
}

/** The JSON body of a token response, field for field as §2.2 documents (no `expires_in`). */
export interface TokenResponseBody {
  access_token: string;
  expires_at: string;
  refresh_token: string;
  refresh_token_expires_at: string;
  client_id: string;
  mall_id: string;
  user_id: string;
  scopes: string[];
  issued_at: string;
  shop_no: string;
  token_type: 'Bearer';
}

export function tokenResponseBody(grant: TokenGrant): TokenResponseBody {
  return {
    access_token: grant.accessToken,
    expires_at: formatKstTokenTime(grant.expiresAtMs),
    refresh_token: grant.refreshToken,
    refresh_token_expires_at: formatKstTokenTime(grant.refreshExpiresAtMs),
    client_id: grant.clientId,
    mall_id: grant.mallId,
    user_id: grant.userId,
    scopes: [...grant.scopes],
    issued_at: formatKstTokenTime(grant.issuedAtMs),
    shop_no: '1',
    token_type: 'Bearer',
  };
}

export type AccessCheck =
  | { ok: true; grant: TokenGrant }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

interface PendingCode {
  mallId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  expiresAtMs: number;
}

export interface TokenAuthorityOptions {
  clock: SimClock;
  rng: Rng;
  apps: AppRegistration[];
  /** @default true: the stricter reading; set false to keep the old access token valid until it expires. */
  revokeAccessTokenOnRefresh?: boolean;
}

export interface TokenAuthorityEvents {
  onIssued?(mallId: string, kind: 'authorization_code' | 'refresh_token'): void;
}

export class TokenAuthority {
  private readonly apps = new Map<string, AppRegistration>();
  private readonly codes = new Map<string, PendingCode>();
  /** Live and expired access tokens (expired ones are kept so the 401 can say "time expired"). */
  private readonly accessTokens = new Map<string, TokenGrant>();
  private readonly refreshTokens = new Map<string, TokenGrant>();
  private readonly revokeAccessOnRefresh: boolean;

  constructor(
    private readonly options: TokenAuthorityOptions,
    private readonly events: TokenAuthorityEvents = {},
  ) {
    for (const app of options.apps) this.apps.set(app.clientId, app);
    this.revokeAccessOnRefresh = options.revokeAccessTokenOnRefresh ?? true;
  }

  app(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId);
  }

  /** The consent step of §2.1, already approved: validates the request and returns a fresh code. */
  issueCode(mallId: string, request: { clientId: string; redirectUri: string; scope?: string }): string {
    const app = this.apps.get(request.clientId);
    if (!app) throw OAUTH_ERRORS.invalidClientId();
    if (request.redirectUri !== app.redirectUri) throw OAUTH_ERRORS.invalidRedirectUri();
    const scopes = request.scope ? parseScopes(request.scope) : [...app.scopes];
    const notAllowed = scopes.find((scope) => !app.scopes.includes(scope));
    if (notAllowed) throw OAUTH_ERRORS.invalidScope(notAllowed);
    const code = randomToken(this.options.rng);
    this.codes.set(code, {
      mallId, clientId: app.clientId, redirectUri: request.redirectUri, scopes,
      expiresAtMs: this.options.clock.now() + AUTHORIZATION_CODE_TTL_MS,
    });
    return code;
  }

  exchangeCode(mallId: string, credentials: ClientCredentials, code: string, redirectUri: string): TokenGrant {
    const app = this.authenticateClient(credentials);
    const pending = this.codes.get(code);
    // Single use: a code is gone after its first exchange, successful or not.
    this.codes.delete(code);
    if (!pending || pending.mallId !== mallId || pending.clientId !== app.clientId) throw OAUTH_ERRORS.invalidCode();
    if (this.options.clock.now() >= pending.expiresAtMs) throw OAUTH_ERRORS.invalidCode();
    if (redirectUri !== pending.redirectUri) throw OAUTH_ERRORS.invalidRedirectUri();
    const grant = this.newGrant(mallId, app.clientId, pending.scopes, this.options.clock.now());
    this.events.onIssued?.(mallId, 'authorization_code');
    return grant;
  }

  refresh(mallId: string, credentials: ClientCredentials, refreshToken: string): TokenGrant {
    const app = this.authenticateClient(credentials);
    const previous = this.refreshTokens.get(refreshToken);
    const now = this.options.clock.now();
    if (!previous || previous.mallId !== mallId || previous.clientId !== app.clientId || now >= previous.refreshExpiresAtMs) {
      throw OAUTH_ERRORS.invalidRefreshToken();
    }
    // Rotation: the presented refresh token dies now, before the new grant exists.
    this.refreshTokens.delete(refreshToken);
    if (this.revokeAccessOnRefresh) this.accessTokens.delete(previous.accessToken);
    const grant = this.newGrant(mallId, app.clientId, previous.scopes, now);
    this.events.onIssued?.(mallId, 'refresh_token');
    return grant;
  }

  /** `POST /oauth/revoke` (§2.3): an access token takes its refresh token with it. Unknown tokens are ignored. */
  revoke(mallId: string, credentials: ClientCredentials, token: string): void {
    const app = this.authenticateClient(credentials);
    const byAccess = this.accessTokens.get(token);
    if (byAccess && byAccess.mallId === mallId && byAccess.clientId === app.clientId) {
      this.accessTokens.delete(token);
      this.refreshTokens.delete(byAccess.refreshToken);
      return;
    }
    const byRefresh = this.refreshTokens.get(token);
    if (byRefresh && byRefresh.mallId === mallId && byRefresh.clientId === app.clientId) {
      this.refreshTokens.delete(token);
      this.accessTokens.delete(byRefresh.accessToken);
    }
  }

  /** Everything the mall ever granted stops working (the seller uninstalled the app, or a test says so). */
  revokeMall(mallId: string): void {
    for (const [token, grant] of this.accessTokens) if (grant.mallId === mallId) this.accessTokens.delete(token);
    for (const [token, grant] of this.refreshTokens) if (grant.mallId === mallId) this.refreshTokens.delete(token);
  }

  /** Makes the mall's current access tokens expired now; refresh tokens stay usable. */
  expireAccessTokens(mallId: string): void {
    const now = this.options.clock.now();
    for (const grant of this.accessTokens.values()) {
      if (grant.mallId === mallId && grant.expiresAtMs > now) grant.expiresAtMs = now;
    }
  }

  checkAccessToken(mallId: string, accessToken: string | undefined): AccessCheck {
    if (!accessToken) return { ok: false, reason: 'missing' };
    const grant = this.accessTokens.get(accessToken);
    if (!grant || grant.mallId !== mallId) return { ok: false, reason: 'invalid' };
    if (this.options.clock.now() >= grant.expiresAtMs) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  /** Programmatic install: what a seller clicking "install" and the app exchanging the code amount to. */
  install(mallId: string, clientId: string, scopes?: string[]): TokenGrant {
    const app = this.apps.get(clientId);
    if (!app) throw OAUTH_ERRORS.invalidClientId();
    const code = this.issueCode(mallId, { clientId, redirectUri: app.redirectUri, scope: scopes?.join(',') });
    return this.exchangeCode(mallId, { clientId, clientSecret: app.clientSecret }, code, app.redirectUri);
  }

  private authenticateClient(credentials: ClientCredentials): AppRegistration {
    const app = this.apps.get(credentials.clientId);
    if (!app) throw OAUTH_ERRORS.invalidClientId();
    if (app.clientSecret !== credentials.clientSecret) throw OAUTH_ERRORS.invalidClientSecret();
    return app;
  }

  private newGrant(mallId: string, clientId: string, scopes: string[], now: number): TokenGrant {
    this.dropStaleTokens(now);
    const grant: TokenGrant = {
      mallId, clientId, userId: mallId, scopes: [...scopes],
      accessToken: randomToken(this.options.rng),
      refreshToken: randomToken(this.options.rng),
      issuedAtMs: now,
      expiresAtMs: now + ACCESS_TOKEN_TTL_MS,
      refreshExpiresAtMs: now + REFRESH_TOKEN_TTL_MS,
    };
    this.accessTokens.set(grant.accessToken, grant);
    this.refreshTokens.set(grant.refreshToken, grant);
    return grant;
  }

  /** Forgets access tokens whose refresh window is over too, so a long benchmark does not grow without bound. */
  private dropStaleTokens(now: number): void {
    for (const [token, grant] of this.accessTokens) if (now >= grant.refreshExpiresAtMs) this.accessTokens.delete(token);
    for (const [token, grant] of this.refreshTokens) if (now >= grant.refreshExpiresAtMs) this.refreshTokens.delete(token);
    for (const [code, pending] of this.codes) if (now >= pending.expiresAtMs) this.codes.delete(code);
  }
}

/** Scopes arrive comma- or space-separated depending on the client (§2.1); both are accepted. */
export function parseScopes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
