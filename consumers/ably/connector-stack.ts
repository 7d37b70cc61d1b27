/**
 * The Ably connector with what it stands on: the request pacer, the seller API (one undici pool, or one agent per
 * proxy), the session pool and login paths over the sealed credentials, the browser pool (launched only when a
 * login needs it) and the platform's circuit breaker. The consumer group, the tests and the bench assemble it here,
 * once. With `ably.proxies`, one assignment (proxy-assignment.ts) decides each seller's proxy for the API calls and
 * both logins alike.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialsStore } from '../../lib/credentials/credentials-store.js';
import type { Logger } from '../../lib/logger.js';
import type { ProxyEndpoint } from '../../lib/proxy-url.js';
import { createBrowserLogin } from './browser-login.js';
import { createBrowserPool, type BrowserPoolOptions } from './browser-pool.js';
import { createCircuitBreaker, type BreakerOptions } from './circuit-breaker.js';
import { createAblyConnector } from './connector.js';
import { createSessionProvider } from './login.js';
import { createProxyAssignment } from './proxy-assignment.js';
import { createRequestPacer, type PacerPolicy } from './request-pacer.js';
import { createSellerApi, type SellerApiOptions } from './seller-api.js';
import { createSessionPool } from './session-pool.js';

export interface AblySettings {
  apiBaseUrl: string;
  webUrl: string;
  hostRatePerSec: number;
  accountRatePerSec: number;
  lookbackDays: number;
  initialDays: number;
  browserPages: number;
  browserRetireAfter: number;
  browserMaxRssMb: number;
  evidenceDir: string;
  /** Outbound proxies (ABLY_PROXIES); each seller sticks to one. Absent or empty: direct connections. */
  proxies?: readonly ProxyEndpoint[];
}

export interface AblyConnectorStackOptions {
  ably: AblySettings;
  credentials: CredentialsStore;
  buyerHashSalt: string;
  logger?: Logger;
  pacer?: Partial<PacerPolicy>;
  /** The seller API's timeouts and soft-block cool-down (tests shorten them). */
  api?: Partial<Pick<SellerApiOptions, 'timeoutMs' | 'connections' | 'blockCoolDownMs'>>;
  breaker?: BreakerOptions;
  browser?: Partial<BrowserPoolOptions>;
  /** The clock date ranges and session ages are judged by (tests pass the simulator's). */
  now?: () => number;
}

export function createAblyConnectorStack({ ably, credentials, buyerHashSalt, logger, pacer, api: apiOptions, breaker, browser, now }: AblyConnectorStackOptions) {
  const evidenceDir = ably.evidenceDir || join(tmpdir(), 'ably-evidence');
  const egress = createProxyAssignment(ably.proxies ?? []);
  if (egress.proxies.length > 0) logger?.info({ proxies: egress.proxies.map((p) => p.server) }, 'ably calls and logins go through proxies, one per seller');
  const requestPacer = createRequestPacer({ hostRatePerSec: ably.hostRatePerSec, hostBurst: ably.hostRatePerSec * 2, accountRatePerSec: ably.accountRatePerSec, accountBurst: ably.accountRatePerSec * 2, ...pacer });
  const api = createSellerApi({ ...apiOptions, apiBaseUrl: ably.apiBaseUrl, webOrigin: ably.webUrl, egress, pacer: requestPacer });
  const browsers = createBrowserPool({
    maxOpenPages: ably.browserPages, retireAfterPages: ably.browserRetireAfter, maxRssMb: ably.browserMaxRssMb, logger, ...browser,
  });
  const sessions = createSessionProvider({
    api, credentials, pool: createSessionPool({ now }), now, egress,
    browserLogin: createBrowserLogin({ pool: browsers, webUrl: ably.webUrl, evidenceDir }),
  });
  const circuit = createCircuitBreaker(breaker);
  const connector = createAblyConnector({ api, sessions, breaker: circuit, buyerHashSalt, lookbackDays: ably.lookbackDays, initialDays: ably.initialDays, now, evidenceDir });
  return {
    connector,
    api,
    /** Its events feed the limiter and 429 metrics (otel/kernel-metrics.ts instrumentRateLimiter). */
    pacer: requestPacer,
    browsers,
    sessions,
    breaker: circuit,
    async close() {
      await browsers.destroy();
      await api.close();
    },
  };
}

export type AblyConnectorStack = ReturnType<typeof createAblyConnectorStack>;
