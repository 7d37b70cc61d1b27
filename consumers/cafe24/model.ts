/**
 * Cafe24's model side alone (lib/model/registry.ts PlatformModel): its mapper and privacy policy, without the
 * connector, so a page thread (lib/sync/page-threads.ts) loads only what it reads pages with.
 */
import type { PlatformModel } from '../../lib/model/registry.js';
import { cafe24Mapper } from './mapping.js';
import { cafe24Privacy } from './privacy.js';

export const cafe24Model: PlatformModel = { platform: 'cafe24', mapper: cafe24Mapper, privacy: cafe24Privacy };
