/**
 * Commits each finished job's output together with its consumed offset, in one Kafka transaction: either the
 * records, the run event, the new cursor and the offset all become visible, or none do and the job is redone.
 *
 * Jobs finish concurrently but a producer holds one transaction at a time, so finished jobs queue here and are
 * committed as a group: one transaction carries every job that finished while the previous one was committing.
 * That keeps the commit cost per job small when many jobs run at once.
 */
import type { Producer, Transaction } from 'kafkajs';
import type { Logger } from '../logger.js';
import { backoff, type RetryPolicy } from '../retry.js';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface CommitUnit {
  messages: OutgoingMessage[];
  /** The consumed message this unit completes: its offset + 1 is committed for the group. */
  consumed: { topic: string; partition: number; offset: string };
}

interface Pending {
  unit: CommitUnit;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface TransactionalCommitterOptions {
  producer: Producer;
  groupId: string;
  logger: Logger;
  /** Retries of one group commit (e.g. across a broker restart) before its jobs are handed back as failed. */
  retry?: RetryPolicy;
  /** Most jobs in one transaction. @default 200 */
  maxUnitsPerTransaction?: number;
  /** Called after a transaction's records and offsets were sent and before it commits (crash tests, tracing). */
  onSent?: (units: number) => Promise<void> | void;
}

const COMMIT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 5_000, multiplier: 2, jitter: 0.2, maxAttempts: 8 };

export function createTransactionalCommitter({
  producer, groupId, logger, retry = COMMIT_RETRY, maxUnitsPerTransaction = 200, onSent,
}: TransactionalCommitterOptions) {
  const queue: Pending[] = [];
  let loop: Promise<void> | undefined;
  let closed = false;

  async function commitGroup(group: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let transaction: Transaction | undefined;
      try {
        transaction = await producer.transaction();
        const byTopic = new Map<string, { key: string; value: Buffer; headers?: Record<string, string> }[]>();
        for (const { unit } of group) {
          for (const m of unit.messages) {
            let list = byTopic.get(m.topic);
            if (!list) byTopic.set(m.topic, (list = []));
            list.push({ key: m.key, value: m.value, headers: m.headers });
          }
        }
        if (byTopic.size > 0) {
          await transaction.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        }
        await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsetsOf(group.map((p) => p.unit)) });
        await onSent?.(group.length);
        await transaction.commit();
        return;
      } catch (error) {
        if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
        if (attempt >= retry.maxAttempts || closed) throw error;
        const delay = backoff(attempt, retry);
        logger.warn({ err: error, attempt, delayMs: delay, jobs: group.length }, 'transaction failed; retrying the group commit');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0, maxUnitsPerTransaction);
      try {
        await commitGroup(group);
        for (const p of group) p.resolve();
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    loop = undefined;
  }

  return {
    /** Resolves once the unit's transaction committed; rejects if it could not be committed. */
    commit(unit: CommitUnit): Promise<void> {
      if (closed) return Promise.reject(new Error('committer is closed'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ unit, resolve, reject });
        loop ??= drain();
      });
    },
    /** Waits for queued commits to finish, then refuses new ones. */
    async close(): Promise<void> {
      await loop;
      closed = true;
    },
  };
}

/** The offset to commit per partition is the highest consumed offset + 1. */
export function offsetsOf(units: CommitUnit[]) {
  const highest = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const { consumed } of units) {
    const id = `${consumed.topic}#${consumed.partition}`;
    const offset = BigInt(consumed.offset);
    const known = highest.get(id);
    if (!known || offset > known.offset) highest.set(id, { topic: consumed.topic, partition: consumed.partition, offset });
  }
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of highest.values()) {
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push({ partition, offset: (offset + 1n).toString() });
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
