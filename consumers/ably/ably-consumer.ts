/**
 * The Ably consumer group, assembled: the platform consumer (lib/sync/platform-consumer.ts) over the Ably
 * connector stack (connector-stack.ts).
 */
import { createPlatformConsumer, type PlatformConsumerOptions } from '../../lib/sync/platform-consumer.js';
import { createAblyConnectorStack, type AblyConnectorStackOptions } from './connector-stack.js';

export interface AblyConsumerOptions extends Omit<AblyConnectorStackOptions, 'credentials' | 'logger'>, PlatformConsumerOptions {}

export function createAblyConsumer({ ably, buyerHashSalt, pacer, api, breaker, browser, now, ...group }: AblyConsumerOptions) {
  return createPlatformConsumer('ably', group, (credentials) =>
    createAblyConnectorStack({ ably, credentials, buyerHashSalt, logger: group.logger, pacer, api, breaker, browser, now }));
}
