/** Ably as one platform module (lib/platform/platform-module.ts): its entities, connector, mapper and privacy policy. */
import type { PlatformModule } from '../../lib/platform/platform-module.js';
import { createAblyConnectorStack } from './connector-stack.js';
import { ABLY_ENTITIES } from './connector.js';
import { ablyMapper } from './mapping.js';
import { ablyPrivacy } from './privacy.js';

export const ablyPlatform: PlatformModule = {
  platform: 'ably',
  entities: ABLY_ENTITIES,
  mapper: ablyMapper,
  privacy: ablyPrivacy,
  createConnector: ({ config, credentials, logger }) => createAblyConnectorStack({
    ably: config.ably, credentials, buyerHashSalt: config.secrets.buyerHashSalt, logger,
  }),
};
