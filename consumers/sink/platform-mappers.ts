/**
 * The mappers the sink and replays use: one per platform, each living with its platform's consumer.
 * Ably's mapper is not written yet: its RawResults go to sink.dlq as UNKNOWN_ENTITY ("no mapper is registered
 * for platform ably") and can be re-sunk with `replay.ts --from-dlq` once it exists.
 */
import { cafe24Mapper } from '../cafe24/mapping.js';
import { createMapperRegistry, type MapperRegistry } from '../../lib/model/mapper.js';

export function defaultMapperRegistry(): MapperRegistry {
  return createMapperRegistry([cafe24Mapper]);
}
