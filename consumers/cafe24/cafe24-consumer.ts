/**
 * The Cafe24 consumer group, assembled: the sync consumer (lib/sync) with the Cafe24 connector stack
 * (connector-stack.ts) over the sealed credentials topic.
 */
import { createCredentialsStore } from '../../lib/credentials/credentials-store.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import type { Logger } from '../../lib/logger.js';
import type { Keyring } from '../../lib/secrets.js';
import { createSyncConsumer, type SyncConsumerOptions } from '../../lib/sync/sync-consumer.js';
import { createCafe24ConnectorStack, type Cafe24ConnectorStackOptions } from './connector-stack.js';

export interface Cafe24ConsumerOptions
  extends Omit<Cafe24ConnectorStackOptions, 'credentials'>,
    Omit<SyncConsumerOptions, 'kafka' | 'connector' | 'instanceId' | 'logger'> {
  kafka: KafkaContext;
  instanceId: string;
  logger: Logger;
  keyring: Keyring;
}

export function createCafe24Consumer({ kafka, instanceId, logger, keyring, cafe24, buyerHashSalt, rateLimit, now, onTokenRotated, ...runner }: Cafe24ConsumerOptions) {
  const credentials = createCredentialsStore({ kafka, keyring, readerId: `cafe24.${instanceId}`, logger });
  const stack = createCafe24ConnectorStack({ cafe24, credentials, buyerHashSalt, rateLimit, now, onTokenRotated });
  const consumer = createSyncConsumer({ kafka, connector: stack.connector, instanceId, logger, ...runner });
  return {
    events: consumer.events,
    credentials,
    stack,
    async start() {
      await credentials.start();
      await consumer.start();
    },
    async stop() {
      await consumer.stop();
      await credentials.stop();
      await stack.close();
    },
  };
}
