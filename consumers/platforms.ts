/**
 * The composition root of the platforms: every platform module, registered once. Adding a platform is one folder
 * (`consumers/<platform>/`, exporting its module from `platform.ts`) and one line here.
 */
import { createModelRegistry, type ModelRegistry } from '../lib/model/registry.js';
import type { PlatformModule } from '../lib/platform/platform-module.js';
import { ablyPlatform } from './ably/platform.js';
import { cafe24Platform } from './cafe24/platform.js';

export const PLATFORMS: readonly PlatformModule[] = [
  cafe24Platform,
  ablyPlatform,
];

/** The model side of every platform: what the sink, replays and benches receive. */
export function platformModels(): ModelRegistry {
  return createModelRegistry(PLATFORMS);
}
