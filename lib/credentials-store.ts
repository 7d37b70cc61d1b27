/**
 * Tenants' platform secrets (passwords, OAuth grants, session cookies), sealed with the keyring and kept on the
 * compacted `credentials` topic (key tenantId/platform). `put` is durable when it resolves (acks from all
 * in-sync replicas) and is deliberately NOT part of any job transaction: a rotated OAuth refresh token must
 * survive even if the job that rotated it is aborted, or the tenant's only valid token would be lost.
 */
import { CREDENTIALS_TOPIC, CredentialsContract, credentialsKey } from './contracts/credentials.js';
import type { Platform } from './contracts/fields.js';
import type { KafkaContext } from './kafka/client.js';
import { createCompactedView } from './kafka/compacted-view.js';
import { createPublisher, type Publisher } from './kafka/publisher.js';
import type { Logger } from './logger.js';
import type { Keyring } from './secrets.js';

export interface CredentialsStore {
  start(): Promise<void>;
  /** The tenant's secret for the platform, opened; undefined when none is stored. */
  get<T>(tenantId: string, platform: Platform): Promise<T | undefined>;
  put(tenantId: string, platform: Platform, secret: unknown): Promise<void>;
  stop(): Promise<void>;
}

export function createCredentialsStore({ kafka, keyring, readerId, logger }: { kafka: KafkaContext; keyring: Keyring; readerId: string; logger: Logger }): CredentialsStore {
  const view = createCompactedView({ kafka, topic: CREDENTIALS_TOPIC, contract: CredentialsContract, readerId, logger });
  let publisher: Publisher | undefined;
  return {
    async start() {
      await view.start();
      publisher = await createPublisher(kafka);
    },
    async get<T>(tenantId: string, platform: Platform) {
      const record = await view.get(credentialsKey(tenantId, platform));
      return record ? (JSON.parse(keyring.open(record.sealed)) as T) : undefined;
    },
    async put(tenantId, platform, secret) {
      if (!publisher) throw new Error('credentials store is not started');
      await publisher.publish(CREDENTIALS_TOPIC, [{
        key: credentialsKey(tenantId, platform),
        value: CredentialsContract.encode({ v: 1, tenantId, platform, sealed: keyring.seal(JSON.stringify(secret)), updatedAt: new Date().toISOString() }),
      }]);
    },
    async stop() {
      await publisher?.close();
      await view.stop();
      publisher = undefined;
    },
  };
}
