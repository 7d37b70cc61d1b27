/**
 * The sync.state topic (compacted, key tenantId/platform) read into memory. Cursors are written inside job
 * transactions, so a reader must have consumed up to the topic's current end before trusting what it holds:
 * `get()` waits for that, which also covers a tenant that just moved here from another instance.
 */
import type { Consumer } from 'kafkajs';
import type { Platform } from '../contracts/fields.js';
import { SYNC_STATE_TOPIC, SyncStateContract, syncStateKey, type SyncState } from '../contracts/sync-state.js';
import type { KafkaContext } from '../kafka/client.js';
import type { Logger } from '../logger.js';
import { waitFor } from '../wait-for.js';

export interface StateStore {
  start(): Promise<void>;
  get(tenantId: string, platform: Platform): Promise<SyncState | undefined>;
  stop(): Promise<void>;
}

export function createStateStore({ kafka, instanceId, logger }: { kafka: KafkaContext; instanceId: string; logger: Logger }): StateStore {
  const topic = kafka.topic(SYNC_STATE_TOPIC);
  const states = new Map<string, SyncState>();
  /** Next offset to read, per partition, including transaction markers. */
  const positions = new Map<number, bigint>();
  const admin = kafka.kafka.admin();
  let consumer: Consumer | undefined;

  async function caughtUp(): Promise<boolean> {
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.every((end) => end.high === end.low || (positions.get(end.partition) ?? 0n) >= BigInt(end.high));
  }

  return {
    async start() {
      await admin.connect();
      // A private group that never commits: every instance reads the whole compacted topic from the start.
      consumer = kafka.kafka.consumer({ groupId: kafka.topic(`state-reader.${instanceId}.${process.pid}.${Date.now()}`), maxWaitTimeInMs: 100 });
      await consumer.connect();
      // A batch of only aborted records and markers never reaches eachBatch, but it does end a batch process:
      // that event is where the read position is learnt.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const key = message.key?.toString();
            if (!key) continue;
            if (message.value === null) {
              states.delete(key);
              continue;
            }
            const decoded = SyncStateContract.decode(message.value);
            if (decoded.ok) states.set(key, decoded.value);
            else logger.error({ key, reason: decoded.reason }, 'ignoring an invalid sync.state record');
          }
        },
      });
    },
    async get(tenantId, platform) {
      await waitFor(caughtUp, { intervalMs: 20, deadlineMs: 30_000, description: 'sync.state to be read to its end' });
      return states.get(syncStateKey(tenantId, platform));
    },
    async stop() {
      await consumer?.disconnect();
      await admin.disconnect();
      consumer = undefined;
    },
  };
}
