/** Model registries for tests that swap a platform's mapper (a buggy one, an older version) and keep its privacy policy. */
import { cafe24Privacy } from '../../consumers/cafe24/privacy.js';
import type { PlatformMapper } from '../../lib/model/mapper.js';
import { createModelRegistry, type ModelRegistry } from '../../lib/model/registry.js';

export const cafe24ModelsWith = (mapper: PlatformMapper): ModelRegistry => createModelRegistry([{ platform: 'cafe24', mapper, privacy: cafe24Privacy }]);
