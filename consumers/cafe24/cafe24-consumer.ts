/**
 * The Cafe24 consumer group, assembled: the sync consumer (lib/sync) with the Cafe24 connector, its Admin API
 * client and rate limiter, and the token refresher over the sealed credentials topic.
 */
import { createCredentialsStore } from '../../lib/credentials-store.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import type { Logger } from '../../lib/logger.js';
import type { Keyring } from '../../lib/secrets.js';
import { createSyncConsumer, type SyncConsumerOptions } from '../../lib/sync/sync-consumer.js';
import { createAdminApi } from './admin-api.js';
import { createCafe24Connector } from './connector.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT_POLICY, type RateLimitPolicy } from './rate-limiter.js';
import { createTokenRefresher } from './token-refresher.js';

export interface Cafe24Settings {
  apiBaseTemplate: string;
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  lookbackDays: number;
  initialDays: number;
}

export interface Cafe24ConsumerOptions extends Pick<SyncConsumerOptions, 'concurrency' | 'jobTimeoutMs' | 'lowShare' | 'drainTimeoutMs' | 'tierPolicies' | 'onTransactionSent' | 'sessionTimeoutMs'> {
  kafka: KafkaContext;
  instanceId: string;
  logger: Logger;
  keyring: Keyring;
  cafe24: Cafe24Settings;
  buyerHashSalt: string;
  rateLimit?: Partial<RateLimitPolicy>;
  /** The clock token expiry is judged by (tests pass the simulator's). */
  now?: () => number;
  onTokenRotated?: (tenantId: string) => Promise<void> | void;
}

export function createCafe24Consumer({ kafka, instanceId, logger, keyring, cafe24, buyerHashSalt, rateLimit, now, onTokenRotated, ...runner }: Cafe24ConsumerOptions) {
  const credentials = createCredentialsStore({ kafka, keyring, readerId: `cafe24.${instanceId}`, logger });
  const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT_POLICY, ...rateLimit });
  const api = createAdminApi({ baseTemplate: cafe24.apiBaseTemplate, apiVersion: cafe24.apiVersion, limiter });
  const tokens = createTokenRefresher({ api, credentials, clientId: cafe24.clientId, clientSecret: cafe24.clientSecret, now, onRotated: onTokenRotated });
  const connector = createCafe24Connector({ api, tokens, buyerHashSalt, lookbackDays: cafe24.lookbackDays, initialDays: cafe24.initialDays, now });
  const consumer = createSyncConsumer({ kafka, connector, instanceId, logger, ...runner });
  return {
    events: consumer.events,
    credentials,
    async start() {
      await credentials.start();
      await consumer.start();
    },
    async stop() {
      await consumer.stop();
      await credentials.stop();
      await api.close();
    },
  };
}
