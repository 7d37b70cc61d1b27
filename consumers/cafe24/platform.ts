/** Cafe24 as one platform module (lib/platform/platform-module.ts): its entities, connector, mapper and privacy policy. */
import type { PlatformModule } from '../../lib/platform/platform-module.js';
import { createCafe24ConnectorStack } from './connector-stack.js';
import { cafe24Mapper } from './mapping.js';
import { cafe24Privacy } from './privacy.js';

export const cafe24Platform: PlatformModule = {
  platform: 'cafe24',
  entities: ['orders', 'products', 'categories'],
  mapper: cafe24Mapper,
  privacy: cafe24Privacy,
  createConnector: ({ config, credentials }) => createCafe24ConnectorStack({
    cafe24: config.cafe24, credentials, buyerHashSalt: config.secrets.buyerHashSalt,
  }),
};
