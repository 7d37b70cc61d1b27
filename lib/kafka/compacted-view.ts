/**
 * A compacted topic (key → latest value) read into memory: sync.state, credentials, tenants. Values are written
 * inside transactions or by other processes, so a reader must have consumed up to the topic's current end
 * before trusting what it holds: `get()` waits for that, which also covers a tenant that just moved here from
 * another instance.
 */
import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { Contract } from '../contracts/codec.js';
import type { Logger } from '../logger.js';
import { waitFor } from '../wait-for.js';
import type { KafkaContext } from './client.js';

export interface CompactedView<T> {
  start(): Promise<void>;
  /** The latest value of `key` as of now (reads up to the topic's end first); undefined when absent or deleted. */
  get(key: string): Promise<T | undefined>;
  /** Every live value, as of now. */
  all(): Promise<Map<string, T>>;
  /**
   * Keys whose latest record failed its contract, with the reason, as of the last read: such a record is skipped
   * (the key keeps its last valid value, or stays absent) and reported here until a valid value or a tombstone follows.
   */
  invalid(): Map<string, string>;
  stop(): Promise<void>;
}

export interface CompactedViewOptions<T> {
  kafka: KafkaContext;
  /** Base topic name. */
  topic: string;
  contract: Contract<T>;
  /** Names this reader's private group (never committed); need not be unique: each view's group is. */
  readerId: string;
  logger: Logger;
}

export function createCompactedView<T>({ kafka, topic: base, contract, readerId, logger }: CompactedViewOptions<T>): CompactedView<T> {
  const topic = kafka.topic(base);
  const values = new Map<string, T>();
  const rejected = new Map<string, string>();
  /** Next offset to read, per partition, including transaction markers. */
  const positions = new Map<number, bigint>();
  const admin = kafka.kafka.admin();
  let consumer: Consumer | undefined;

  /**
   * Reads up to the ends as of the call: the ends are asked once, then the read position is awaited. Asking them
   * again on every check chased a moving end on a topic that is written all the time (sync.state, one record per
   * job from every instance), and a job's read of its cursor waited for a quiet moment: ~200 ms per job at 50 jobs/s.
   */
  async function readToEnd(): Promise<void> {
    const ends = await admin.fetchTopicOffsets(topic);
    const caughtUp = () => ends.every((end) => end.high === end.low || (positions.get(end.partition) ?? 0n) >= BigInt(end.high));
    if (!caughtUp()) await waitFor(caughtUp, { intervalMs: 5, deadlineMs: 30_000, description: `${base} to be read to its end` });
  }

  return {
    async start() {
      await admin.connect();
      // A random part, not the clock: two views of one topic started in the same millisecond with one readerId
      // (a process's cafe24 and ably state stores) joined one group and each read only half the partitions.
      const groupId = kafka.topic(`view.${base}.${readerId}.${process.pid}.${randomBytes(6).toString('hex')}`);
      consumer = kafka.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      // A batch of only aborted records and markers never reaches eachBatch, but it does end a batch process:
      // that event is where the read position is learnt.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const key = message.key?.toString();
            if (!key) continue;
            if (message.value === null) {
              values.delete(key);
              rejected.delete(key);
              continue;
            }
            const decoded = contract.decode(message.value);
            if (decoded.ok) {
              values.set(key, decoded.value);
              rejected.delete(key);
            } else {
              rejected.set(key, decoded.reason);
              logger.error({ topic: base, key, reason: decoded.reason }, 'ignoring an invalid record on a compacted topic');
            }
          }
        },
      });
    },
    async get(key) {
      await readToEnd();
      return values.get(key);
    },
    async all() {
      await readToEnd();
      return new Map(values);
    },
    invalid: () => new Map(rejected),
    async stop() {
      await consumer?.disconnect();
      await admin.disconnect();
      consumer = undefined;
    },
  };
}
