/** The incremental cursors of every tenant × platform: a view of the compacted sync.state topic. */
import type { Platform } from '../contracts/fields.js';
import { SYNC_STATE_TOPIC, SyncStateContract, syncStateKey, type SyncState } from '../contracts/sync-state.js';
import type { KafkaContext } from '../kafka/client.js';
import { createCompactedView } from '../kafka/compacted-view.js';
import type { Logger } from '../logger.js';

export interface StateStore {
  start(): Promise<void>;
  get(tenantId: string, platform: Platform): Promise<SyncState | undefined>;
  stop(): Promise<void>;
}

export function createStateStore({ kafka, instanceId, logger }: { kafka: KafkaContext; instanceId: string; logger: Logger }): StateStore {
  const view = createCompactedView({ kafka, topic: SYNC_STATE_TOPIC, contract: SyncStateContract, readerId: instanceId, logger });
  return {
    start: () => view.start(),
    get: (tenantId, platform) => view.get(syncStateKey(tenantId, platform)),
    stop: () => view.stop(),
  };
}
