/**
 * The Ably consumer group, assembled: the sync consumer (lib/sync) with the Ably connector stack
 * (connector-stack.ts) over the sealed credentials topic.
 */
import { createCredentialsStore } from '../../lib/credentials/credentials-store.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import type { Logger } from '../../lib/logger.js';
import type { Keyring } from '../../lib/secrets.js';
import { createSyncConsumer, type SyncConsumerOptions } from '../../lib/sync/sync-consumer.js';
import { createAblyConnectorStack, type AblyConnectorStackOptions } from './connector-stack.js';

export interface AblyConsumerOptions
  extends Omit<AblyConnectorStackOptions, 'credentials' | 'logger'>,
    Omit<SyncConsumerOptions, 'kafka' | 'connector' | 'instanceId' | 'logger'> {
  kafka: KafkaContext;
  instanceId: string;
  logger: Logger;
  keyring: Keyring;
}

export function createAblyConsumer({ kafka, instanceId, logger, keyring, ably, buyerHashSalt, pacer, api, breaker, browser, now, ...runner }: AblyConsumerOptions) {
  const credentials = createCredentialsStore({ kafka, keyring, readerId: `ably.${instanceId}`, logger });
  const stack = createAblyConnectorStack({ ably, credentials, buyerHashSalt, logger, pacer, api, breaker, browser, now });
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
