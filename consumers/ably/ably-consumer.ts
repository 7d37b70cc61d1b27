/**
 * The Ably consumer group, assembled: the platform consumer (lib/sync/platform-consumer.ts) over the Ably
 * connector stack (connector-stack.ts).
 */
import { createPlatformConsumer, type PlatformConsumerOptions } from '../../lib/sync/platform-consumer.js';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import { createAblyConnectorStack, type AblyConnectorStackOptions } from './connector-stack.js';
import { ablyPlatform } from './platform.js';

export interface AblyConsumerOptions extends Omit<AblyConnectorStackOptions, 'credentials' | 'logger'>, PlatformConsumerOptions {}

export function createAblyConsumer({ ably, buyerHashSalt, pacer, api, breaker, browser, now, ...group }: AblyConsumerOptions) {
  const edge = { model: ablyPlatform, hashBuyer: createBuyerHasher(buyerHashSalt) };
  return createPlatformConsumer('ably', { edge, ...group }, (credentials) =>
    createAblyConnectorStack({ ably, credentials, buyerHashSalt, logger: group.logger, pacer, api, breaker, browser, now }));
}
