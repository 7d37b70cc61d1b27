/**
 * A platform's consumer group, assembled the one way every platform is: the sync consumer (sync-consumer.ts) over
 * the platform's connector stack, which reads and renews its secrets through the sealed credentials topic. The
 * stack is built by the platform (consumers/<platform>/connector-stack.ts) from the credentials store made here;
 * start and stop order the three so no job runs without credentials and none is cut off by their store closing.
 */
import { createCredentialsStore, type CredentialsStore } from '../credentials/credentials-store.js';
import type { Platform } from '../contracts/fields.js';
import type { KafkaContext } from '../kafka/client.js';
import type { Logger } from '../logger.js';
import type { Keyring } from '../secrets.js';
import type { Connector } from './connector.js';
import { createSyncConsumer, type SyncConsumerOptions } from './sync-consumer.js';

/** What a platform's stack gives the group: its connector, and how to release what it holds (pools, browsers). */
export interface ConnectorStack {
  connector: Connector;
  close(): Promise<void>;
}

export interface PlatformConsumerOptions extends Omit<SyncConsumerOptions, 'kafka' | 'connector' | 'instanceId' | 'logger'> {
  kafka: KafkaContext;
  instanceId: string;
  logger: Logger;
  keyring: Keyring;
}

export function createPlatformConsumer<S extends ConnectorStack>(
  platform: Platform,
  { kafka, instanceId, logger, keyring, ...runner }: PlatformConsumerOptions,
  buildStack: (credentials: CredentialsStore) => S,
) {
  const credentials = createCredentialsStore({ kafka, keyring, readerId: `${platform}.${instanceId}`, logger });
  const stack = buildStack(credentials);
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
