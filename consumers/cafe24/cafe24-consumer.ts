/**
 * The Cafe24 consumer group, assembled: the platform consumer (lib/sync/platform-consumer.ts) over the Cafe24
 * connector stack (connector-stack.ts).
 */
import { createPlatformConsumer, type PlatformConsumerOptions } from '../../lib/sync/platform-consumer.js';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import { createCafe24ConnectorStack, type Cafe24ConnectorStackOptions } from './connector-stack.js';
import { cafe24Platform } from './platform.js';

export interface Cafe24ConsumerOptions extends Omit<Cafe24ConnectorStackOptions, 'credentials'>, PlatformConsumerOptions {}

export function createCafe24Consumer({ cafe24, buyerHashSalt, rateLimit, now, onTokenRotated, ...group }: Cafe24ConsumerOptions) {
  const edge = { model: cafe24Platform, hashBuyer: createBuyerHasher(buyerHashSalt) };
  return createPlatformConsumer('cafe24', { edge, ...group }, (credentials) => createCafe24ConnectorStack({ cafe24, credentials, buyerHashSalt, rateLimit, now, onTokenRotated }));
}
