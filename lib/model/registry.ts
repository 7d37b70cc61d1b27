/**
 * What the sink, replays and benches know of the platforms: per platform, its mapper into the analytics model and
 * its privacy policy. They receive a registry and import no platform; the composition root
 * (consumers/platforms.ts) registers each platform's module once.
 */
import type { Platform } from '../contracts/fields.js';
import type { PlatformMapper } from './mapper.js';
import { coversEntity, type PrivacyPolicy } from './privacy.js';

/** The model side of a platform: how its records become rows, and which of their fields must never be stored. */
export interface PlatformModel {
  readonly platform: Platform;
  readonly mapper: PlatformMapper;
  readonly privacy: PrivacyPolicy;
}

export interface ModelRegistry {
  get(platform: string): PlatformModel | undefined;
  /** e.g. "cafe24@3": names the mapping code that produced rows (replay tokens). */
  readonly fingerprint: string;
}

/**
 * Refuses a platform registered twice, a mapper and policy of different platforms, and a mapper entity the policy
 * has no entry for (an entity nobody reviewed for personal data must not reach a table).
 */
export function createModelRegistry(models: readonly PlatformModel[]): ModelRegistry {
  const byPlatform = new Map<string, PlatformModel>();
  for (const model of models) {
    if (byPlatform.has(model.platform)) throw new TypeError(`two modules registered for platform ${model.platform}`);
    if (model.mapper.platform !== model.platform || model.privacy.platform !== model.platform) {
      throw new TypeError(`the ${model.platform} module holds another platform's mapper or privacy policy`);
    }
    const unreviewed = Object.keys(model.mapper.entities).filter((entity) => !coversEntity(model.privacy, entity));
    if (unreviewed.length > 0) throw new TypeError(`the ${model.platform} privacy policy has no entry for ${unreviewed.join(', ')}`);
    byPlatform.set(model.platform, model);
  }
  const fingerprint = [...byPlatform.values()].map((m) => `${m.platform}@${m.mapper.version}`).sort().join(',') || 'none';
  return { get: (platform) => byPlatform.get(platform), fingerprint };
}
