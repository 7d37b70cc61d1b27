/**
 * Tenants' platform secrets (passwords, OAuth grants, session cookies), sealed with the keyring and kept on the
 * compacted `credentials` topic (key tenantId/platform). `put` is durable when it resolves (acks from all
 * in-sync replicas) and is deliberately NOT part of any job transaction: a rotated OAuth refresh token must
 * survive even if the job that rotated it is aborted, or the tenant's only valid token would be lost.
 *
 * Key rotation: a value sealed with an older key is re-sealed with the current one when it is read, and the read
 * waits for that write. The reader of a tenant's secret is the one process that owns the tenant (a consumer, keyed
 * by tenant), so the re-sealed copy is ordered with that process's own later writes (a rotated token) and never
 * overwrites a newer value. Roll a new key out as a second key everywhere first, then move it to the front.
 */
import { CREDENTIALS_TOPIC, CredentialsContract, credentialsKey } from '../contracts/credentials.js';
import type { Platform } from '../contracts/fields.js';
import type { KafkaContext } from '../kafka/client.js';
import { createCompactedView } from '../kafka/compacted-view.js';
import { createPublisher, type Publisher } from '../kafka/publisher.js';
import type { Logger } from '../logger.js';
import type { Keyring } from '../secrets.js';

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

  async function write(tenantId: string, platform: Platform, plaintext: string): Promise<void> {
    if (!publisher) throw new Error('credentials store is not started');
    await publisher.publish(CREDENTIALS_TOPIC, [{
      key: credentialsKey(tenantId, platform),
      value: CredentialsContract.encode({ v: 1, tenantId, platform, sealed: keyring.seal(plaintext), updatedAt: new Date().toISOString() }),
    }]);
  }

  return {
    async start() {
      await view.start();
      publisher = await createPublisher(kafka);
    },
    async get<T>(tenantId: string, platform: Platform) {
      const record = await view.get(credentialsKey(tenantId, platform));
      if (!record) return undefined;
      const plaintext = keyring.open(record.sealed);
      if (!keyring.isCurrent(record.sealed)) {
        try {
          await write(tenantId, platform, plaintext);
        } catch (error) {
          logger.warn({ err: error, tenantId, platform }, 'could not re-seal a secret with the current key; it stays readable with the old one');
        }
      }
      return JSON.parse(plaintext) as T;
    },
    put: (tenantId, platform, secret) => write(tenantId, platform, JSON.stringify(secret)),
    async stop() {
      await publisher?.close();
      await view.stop();
      publisher = undefined;
    },
  };
}
