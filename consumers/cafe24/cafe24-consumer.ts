/**
 * The Cafe24 consumer group, assembled: the platform consumer (lib/sync/platform-consumer.ts) over the Cafe24
 * connector stack (connector-stack.ts).
 */
import { createPlatformConsumer, type PlatformConsumerOptions } from '../../lib/sync/platform-consumer.js';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import { createCafe24ConnectorStack, type Cafe24ConnectorStackOptions } from './connector-stack.js';
import { cafe24Model } from './model.js';

export interface Cafe24ConsumerOptions extends Omit<Cafe24ConnectorStackOptions, 'credentials'>, PlatformConsumerOptions {
  /** Salt of buyer hashes. */
  buyerHashSalt: string;
}

/** Where a page thread (lib/sync/page-threads.ts) finds the model the edge mapping holds here. */
const PLATFORM_MODEL = { moduleUrl: new URL('./model.js', import.meta.url).href, exportName: 'cafe24Model' };

export function createCafe24Consumer({ cafe24, buyerHashSalt, rateLimit, now, onTokenRotated, ...group }: Cafe24ConsumerOptions) {
  const edge = { model: cafe24Model, hashBuyer: createBuyerHasher(buyerHashSalt) };
  const pageSource = { ...PLATFORM_MODEL, buyerHashSalt };
  return createPlatformConsumer('cafe24', { edge, pageSource, ...group }, (credentials) => createCafe24ConnectorStack({ cafe24, credentials, rateLimit, now, onTokenRotated }));
}
