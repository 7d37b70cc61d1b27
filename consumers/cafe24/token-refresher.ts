/**
 * Keeps each tenant's Cafe24 grant usable. Cafe24 rotates the refresh token on every refresh and kills the old
 * one at once (reference §2.2), so: one refresh per tenant at a time (single flight), and the new grant is
 * persisted (sealed, on the credentials topic, acknowledged) before its access token is used. A refused refresh
 * marks the grant as needing re-authorisation, so later jobs fail fast instead of hammering the token endpoint.
 */
import { CredentialsRejectedError, RateLimitedError, TransientSourceError } from '../../lib/errors.js';
import type { CredentialsStore } from '../../lib/credentials/credentials-store.js';
import { createSingleFlight } from '../../lib/single-flight.js';
import { AccessTokenRejectedError, SourceRejectedError, type AdminApi } from './admin-api.js';

export interface Cafe24Grant {
  mallId: string;
  accessToken: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  refreshToken: string;
  refreshTokenExpiresAt: number;
  /** Set once a refresh was refused: the seller must reinstall the app. */
  needsReauth?: boolean;
}

export interface TokenRefresherOptions {
  api: AdminApi;
  credentials: CredentialsStore;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before the access token expires. @default 5 min */
  marginMs?: number;
  /** The clock the token times are compared with (the simulator's in tests). */
  now?: () => number;
  /** Called after a rotated grant was persisted, before it is used (crash tests stop the process here). */
  onRotated?: (tenantId: string) => Promise<void> | void;
}

/** Cafe24 token times carry no offset and are KST (reference §2.2, §9). */
export function parseKstTokenTime(text: unknown): number {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) {
    throw new TransientSourceError(`cafe24 token time ${JSON.stringify(text)} is not YYYY-MM-DDTHH:MM:SS(.sss)`);
  }
  return Date.parse(`${text}+09:00`);
}

export function grantFromTokenResponse(mallId: string, body: unknown): Cafe24Grant {
  const b = body as Record<string, unknown>;
  if (typeof b?.access_token !== 'string' || typeof b.refresh_token !== 'string') {
    throw new TransientSourceError(`cafe24 ${mallId}: token response without tokens`);
  }
  return {
    mallId,
    accessToken: b.access_token,
    accessTokenExpiresAt: parseKstTokenTime(b.expires_at),
    refreshToken: b.refresh_token,
    refreshTokenExpiresAt: parseKstTokenTime(b.refresh_token_expires_at),
  };
}

export function createTokenRefresher({ api, credentials, clientId, clientSecret, marginMs = 5 * 60_000, now = Date.now, onRotated }: TokenRefresherOptions) {
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  const singleFlight = createSingleFlight<Cafe24Grant>();
  /** Grants this process rotated: newer than the topic until the topic has them. */
  const rotated = new Map<string, Cafe24Grant>();

  async function load(tenantId: string): Promise<Cafe24Grant> {
    const stored = await credentials.get<Cafe24Grant>(tenantId, 'cafe24');
    const local = rotated.get(tenantId);
    const grant = local && (!stored || local.accessTokenExpiresAt >= stored.accessTokenExpiresAt) ? local : stored;
    if (!grant) throw new CredentialsRejectedError(`tenant ${tenantId} has no Cafe24 grant`);
    if (grant.needsReauth) throw new CredentialsRejectedError(`tenant ${tenantId}'s Cafe24 grant needs re-authorisation`);
    return grant;
  }

  async function refresh(tenantId: string, grant: Cafe24Grant, signal: AbortSignal): Promise<Cafe24Grant> {
    let fresh: Cafe24Grant;
    try {
      const body = await api.token(grant.mallId, basic, { grant_type: 'refresh_token', refresh_token: grant.refreshToken }, signal);
      fresh = grantFromTokenResponse(grant.mallId, body);
    } catch (error) {
      if (error instanceof SourceRejectedError || error instanceof AccessTokenRejectedError) {
        await credentials.put(tenantId, 'cafe24', { ...grant, needsReauth: true });
        throw new CredentialsRejectedError(`cafe24 refused to refresh tenant ${tenantId}'s token`, { cause: error });
      }
      if (error instanceof RateLimitedError || error instanceof TransientSourceError) throw error;
      throw error;
    }
    rotated.set(tenantId, fresh);
    // Persist before use: the old refresh token is already dead, this one is the only way back in.
    await credentials.put(tenantId, 'cafe24', fresh);
    await onRotated?.(tenantId);
    return fresh;
  }

  return {
    /** A grant whose access token is valid for at least the margin, refreshing it first if needed. */
    async validGrant(tenantId: string, signal: AbortSignal): Promise<Cafe24Grant> {
      const grant = await load(tenantId);
      if (grant.accessTokenExpiresAt - marginMs > now()) return grant;
      return singleFlight(tenantId, () => refresh(tenantId, grant, signal));
    },
    /** After a 401 on `rejectedAccessToken`: refresh unless someone already did. */
    async afterRejection(tenantId: string, rejectedAccessToken: string, signal: AbortSignal): Promise<Cafe24Grant> {
      const grant = await load(tenantId);
      if (grant.accessToken !== rejectedAccessToken) return grant;
      return singleFlight(tenantId, () => refresh(tenantId, grant, signal));
    },
  };
}

export type TokenRefresher = ReturnType<typeof createTokenRefresher>;
