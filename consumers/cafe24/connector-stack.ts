/**
 * The Cafe24 connector with what it stands on: the per-mall rate limiter, the Admin API client (undici pools) and
 * the token refresher over a credentials store. The consumer group (cafe24-consumer.ts) gives it the sealed
 * credentials topic; the benchmark's baseline (bench/cafe24-baseline.ts) an in-memory store.
 */
import type { CredentialsStore } from '../../lib/credentials/credentials-store.js';
import type { Connector } from '../../lib/sync/connector.js';
import { createAdminApi } from './admin-api.js';
import { createCafe24Connector } from './connector.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT_POLICY, type RateLimiter, type RateLimitPolicy } from './rate-limiter.js';
import { createTokenRefresher } from './token-refresher.js';

export interface Cafe24Settings {
  apiBaseTemplate: string;
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  lookbackDays: number;
  initialDays: number;
}

export interface Cafe24ConnectorStackOptions {
  cafe24: Cafe24Settings;
  credentials: CredentialsStore;
  rateLimit?: Partial<RateLimitPolicy>;
  /** The clock token expiry is judged by (tests pass the simulator's). */
  now?: () => number;
  onTokenRotated?: (tenantId: string) => Promise<void> | void;
}

export interface Cafe24ConnectorStack {
  connector: Connector;
  /** Its events feed the limiter and 429 metrics (otel/kernel-metrics.ts instrumentRateLimiter). */
  limiter: RateLimiter;
  /** Closes the Admin API's connection pools. */
  close(): Promise<void>;
}

export function createCafe24ConnectorStack({ cafe24, credentials, rateLimit, now, onTokenRotated }: Cafe24ConnectorStackOptions): Cafe24ConnectorStack {
  const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT_POLICY, ...rateLimit });
  const api = createAdminApi({ baseTemplate: cafe24.apiBaseTemplate, apiVersion: cafe24.apiVersion, limiter });
  const tokens = createTokenRefresher({ api, credentials, clientId: cafe24.clientId, clientSecret: cafe24.clientSecret, now, onRotated: onTokenRotated });
  const connector = createCafe24Connector({ api, tokens, lookbackDays: cafe24.lookbackDays, initialDays: cafe24.initialDays, now });
  return { connector, limiter, close: () => api.close() };
}
