/** Cafe24 as one platform module (lib/platform/platform-module.ts): its entities, connector, mapper and privacy policy. */
import type { PlatformModule } from '../../lib/platform/platform-module.js';
import { createCafe24ConnectorStack } from './connector-stack.js';
import { cafe24Model } from './model.js';

export const cafe24Platform: PlatformModule = {
  ...cafe24Model,
  entities: ['orders', 'products', 'categories'],
  createConnector: ({ config, credentials }) => createCafe24ConnectorStack({ cafe24: config.cafe24, credentials }),
};
