/**
 * The Cafe24 consumer group, assembled: the platform consumer (lib/sync/platform-consumer.ts) over the Cafe24
 * connector stack (connector-stack.ts).
 */
import { createPlatformConsumer, type PlatformConsumerOptions } from '../../lib/sync/platform-consumer.js';
import { createCafe24ConnectorStack, type Cafe24ConnectorStackOptions } from './connector-stack.js';

export interface Cafe24ConsumerOptions extends Omit<Cafe24ConnectorStackOptions, 'credentials'>, PlatformConsumerOptions {}

export function createCafe24Consumer({ cafe24, buyerHashSalt, rateLimit, now, onTokenRotated, ...group }: Cafe24ConsumerOptions) {
  return createPlatformConsumer('cafe24', group, (credentials) => createCafe24ConnectorStack({ cafe24, credentials, buyerHashSalt, rateLimit, now, onTokenRotated }));
}
