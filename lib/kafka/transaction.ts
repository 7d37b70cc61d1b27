/**
 * Commits each finished job's output together with its consumed offset, in one Kafka transaction: either the
 * records, the run event, the new cursor and the offset all become visible, or none do and the job is redone.
 *
 * Jobs finish concurrently but a producer holds one transaction at a time, so finished jobs queue here and are
 * committed as a group: one transaction carries every job that finished while the previous one was committing.
 * That keeps the commit cost per job small when many jobs run at once.
 *
 * A failed transaction is retried as a group (a broker restart, a coordinator moving), except when the broker
 * refused a record itself (too large, invalid: `isRecordRefused`): that never passes, and it would fail every
 * job of the group with it. The group is then committed job by job, and the one job whose output is refused
 * fails alone with OutputRefusedError (its runner replaces the output by a DLQ entry); the others commit.
 *
 * Each output once: a group is never committed over a rebalance that took one of its partitions (checked again
 * right before the commit), and a commit that reports a failure is first checked against the group's committed
 * offsets (`landed`): if they are this transaction's, it did commit and is not sent again. That read waits for
 * the transaction to be complete (`settledLanded`): the broker answers a commit before it writes the commit
 * markers, and until then an offset fetch still returns the previous offsets.
 */
import type { Admin, Producer, Transaction } from 'kafkajs';
import type { Logger } from '../logger.js';
import { backoff, type RetryPolicy } from '../retry.js';
import { PRODUCE_COMPRESSION } from './client.js';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers?: Record<string, string | Buffer>;
}

export interface CommitUnit {
  messages: OutgoingMessage[];
}

export interface TopicOffsets {
  topic: string;
  partitions: { partition: number; offset: string; metadata?: string }[];
}

/** The unit's input partition was reassigned before its transaction was built: its output was not sent. */
export class StaleUnitError extends Error {
  constructor() {
    super('unit left out of the transaction: its partition was reassigned');
  }
}

/**
 * Errors with which the broker refuses a record or batch itself (kafkajs marks them not retriable): the same
 * records are refused however often they are sent. Not PRODUCER_FENCED and the like: those are the producer's.
 */
const RECORD_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP', 'INVALID_REQUIRED_ACKS']);

/** The broker's refusal of a record, found in kafkajs's cause chain (it wraps the protocol error when it gives up). */
export function recordRefusal(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { name, type, retriable } = e as Error & { type?: string; retriable?: boolean };
    if (name === 'KafkaJSProtocolError' && retriable === false && type && RECORD_REFUSALS.has(type)) return type;
  }
  return undefined;
}

/** The broker refused this unit's output (`refusal`: the protocol error type); its group's other units committed. */
export class OutputRefusedError extends Error {
  constructor(readonly refusal: string, options: { cause: unknown }) {
    super(`the broker refused the output: ${refusal}`, options);
    this.name = 'OutputRefusedError';
  }
}

/** `landed` for a group: its committed offsets and metadata, read back, are exactly these. */
export function offsetsLanded(admin: Admin, groupId: string) {
  return async (offsets: TopicOffsets[]): Promise<boolean> => {
    const read = await admin.fetchOffsets({ groupId, topics: offsets.map((t) => t.topic) });
    return offsets.every((t) => t.partitions.every((p) => {
      const got = read.find((r) => r.topic === t.topic)?.partitions.find((r) => r.partition === p.partition);
      return got?.offset === p.offset && (got.metadata ?? '') === (p.metadata ?? '');
    }));
  };
}

/** What a committed transaction carried, and how long it took from opening to the broker's commit. */
export interface SentTransaction {
  messages: number;
  /** Keys and values. */
  bytes: number;
  durationMs: number;
}

interface Pending<U> {
  unit: U;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface TransactionalCommitterOptions<U extends CommitUnit> {
  producer: Producer;
  /** The group offsets a transaction commits, given the units it carries (computed when it is built). */
  offsetsFor(units: U[]): TopicOffsets[];
  /** Called once a transaction committed, before the units' promises resolve and before the next one is built. */
  onCommitted?(units: U[], offsets: TopicOffsets[], sent: SentTransaction): void;
  /** A unit whose input was taken away (rebalance) is left out of the transaction; its promise rejects with StaleUnitError. */
  isStale?(unit: U): boolean;
  groupId: string;
  logger: Logger;
  /** Retries of one group commit (e.g. across a broker restart) before its jobs are handed back as failed. */
  retry?: RetryPolicy;
  /** Most jobs in one transaction. @default 200 */
  maxUnitsPerTransaction?: number;
  /** Called after a transaction's records and offsets were sent and before it commits (crash tests, tracing). */
  onSent?: (units: number) => Promise<void> | void;
  /** Whether these offsets (and metadata) are the group's committed ones: asked when a commit reported a failure. */
  landed?: (offsets: TopicOffsets[]) => Promise<boolean>;
}

/** Below Kafka's default 1 MB message (batch) limit, with room for headers and framing. */
const MAX_SEND_BYTES = 900 * 1024;

type Produced = { key: string; value: Buffer; headers?: Record<string, string | Buffer> };

/** A message's bytes on the wire, near enough to cut sends by: key, value and header values. */
function sizeOf({ key, value, headers }: Produced): number {
  let size = key.length + value.length;
  for (const name in headers) size += name.length + (headers[name] as string | Buffer).length;
  return size;
}

/** The messages cut into consecutive sends of at most `maxBytes` each (a larger message goes alone). */
export function slicesOf(byTopic: Map<string, Produced[]>, maxBytes: number): { topic: string; messages: Produced[] }[][] {
  const slices: { topic: string; messages: Produced[] }[][] = [];
  let slice: { topic: string; messages: Produced[] }[] = [];
  let bytes = 0;
  for (const [topic, messages] of byTopic) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > maxBytes) {
        slices.push(slice);
        slice = [];
        bytes = 0;
      }
      let entry = slice.find((t) => t.topic === topic);
      if (!entry) slice.push((entry = { topic, messages: [] }));
      entry.messages.push(message);
      bytes += size;
    }
  }
  if (slice.length > 0) slices.push(slice);
  return slices;
}

/** Another transaction of this producer is still completing: the coordinator expects the request again. */
function isConcurrentTransactions(error: unknown): boolean {
  return (error as { type?: string } | undefined)?.type === 'CONCURRENT_TRANSACTIONS';
}

const COMPLETION_WAIT: RetryPolicy = { initialMs: 20, maxMs: 500, multiplier: 2, jitter: 0, maxAttempts: 20 };

const COMMIT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 5_000, multiplier: 2, jitter: 0.2, maxAttempts: 8 };

export function createTransactionalCommitter<U extends CommitUnit>({
  producer, offsetsFor, onCommitted, isStale = () => false, groupId, logger, retry = COMMIT_RETRY, maxUnitsPerTransaction = 200, onSent, landed,
}: TransactionalCommitterOptions<U>) {
  const queue: Pending<U>[] = [];
  let loop: Promise<void> | undefined;
  let closed = false;

  /**
   * `landed`, read once the producer's previous transaction is complete. The coordinator refuses to add a group's
   * offsets to a new transaction (CONCURRENT_TRANSACTIONS) until the previous one's markers are written, so a
   * probe transaction that adds them, then aborts, is the barrier after which the committed offsets are final.
   */
  async function settledLanded(offsets: TopicOffsets[]): Promise<boolean> {
    if (!landed) return false;
    const probe = await producer.transaction();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await probe.sendOffsets({ consumerGroupId: groupId, topics: offsets });
          break;
        } catch (error) {
          if (!isConcurrentTransactions(error) || attempt >= COMPLETION_WAIT.maxAttempts) throw error;
          await new Promise((resolve) => setTimeout(resolve, backoff(attempt, COMPLETION_WAIT)));
        }
      }
    } finally {
      if (probe.isActive()) await probe.abort();
    }
    return landed(offsets);
  }

  function settle(group: Pending<U>[], units: U[], offsets: TopicOffsets[], sent: SentTransaction) {
    try {
      onCommitted?.(units, offsets, sent);
    } catch (error) {
      logger.error({ err: error }, 'onCommitted threw; the transaction itself is committed');
    }
    for (const p of group) p.resolve();
  }

  async function commitGroup(all: Pending<U>[]): Promise<void> {
    let group = all;
    for (let attempt = 1; ; attempt++) {
      let transaction: Transaction | undefined;
      let committing: TopicOffsets[] | undefined;
      const stale = group.filter((p) => isStale(p.unit));
      if (stale.length > 0) {
        for (const p of stale) p.reject(new StaleUnitError());
        group = group.filter((p) => !stale.includes(p));
        if (group.length === 0) return;
      }
      const began = Date.now();
      const sent = { messages: 0, bytes: 0 };
      try {
        transaction = await producer.transaction();
        const byTopic = new Map<string, Produced[]>();
        for (const { unit } of group) {
          for (const m of unit.messages) {
            let list = byTopic.get(m.topic);
            if (!list) byTopic.set(m.topic, (list = []));
            list.push({ key: m.key, value: m.value, headers: m.headers });
            sent.messages += 1;
            sent.bytes += sizeOf(m);
          }
        }
        // A produce request carries one record batch per partition; slices keep each under the broker's limit.
        for (const slice of slicesOf(byTopic, MAX_SEND_BYTES)) await transaction.sendBatch({ topicMessages: slice, compression: PRODUCE_COMPRESSION });
        const units = group.map((p) => p.unit);
        const offsets = offsetsFor(units);
        if (offsets.length > 0) await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsets });
        await onSent?.(group.length);
        // A rebalance while it was being sent: the partition's next owner may already have read the old offsets
        // and redone the job, so committing it now would publish its output twice. Abort; build it again without.
        if (group.some((p) => isStale(p.unit))) {
          await transaction.abort();
          attempt -= 1;
          continue;
        }
        committing = offsets;
        await transaction.commit();
        settle(group, units, offsets, { ...sent, durationMs: Date.now() - began });
        return;
      } catch (error) {
        // A commit that failed on the way back (a timeout, a lost response) may have committed: its offsets say so.
        // Sent again, its records (DLQ entries too) would be published twice.
        if (committing && committing.length > 0) {
          let committed: boolean;
          try {
            committed = await settledLanded(committing);
          } catch (checkError) {
            // Unknown either way: handed back as failed, the jobs are redone from the group's committed offsets,
            // which the runner's rejoin reads, so only what did not commit is done again.
            logger.error({ err: checkError, jobs: group.length }, 'a transaction reported a failure and whether it committed could not be read');
            for (const p of group) p.reject(error);
            return;
          }
          if (committed) {
            logger.warn({ err: error, jobs: group.length }, 'a transaction reported a failure but its offsets committed: taken as committed');
            settle(group, group.map((p) => p.unit), committing, { ...sent, durationMs: Date.now() - began });
            return;
          }
        }
        if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
        const refusal = recordRefusal(error);
        if (refusal !== undefined) {
          if (group.length === 1) {
            logger.warn({ err: error, refusal }, 'the broker refused a job\'s output');
            group[0]!.reject(new OutputRefusedError(refusal, { cause: error }));
          } else {
            logger.warn({ refusal, jobs: group.length }, 'the broker refused a record of a group commit; committing its jobs one by one');
            for (const p of group) await commitGroup([p]);
          }
          return;
        }
        if (attempt >= retry.maxAttempts || closed) {
          for (const p of group) p.reject(error);
          return;
        }
        const delay = backoff(attempt, retry);
        logger.warn({ err: error, attempt, delayMs: delay, jobs: group.length }, 'transaction failed; retrying the group commit');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0, maxUnitsPerTransaction);
      await commitGroup(group);
    }
    loop = undefined;
  }

  return {
    /** Resolves once the unit's transaction committed; rejects if it could not be committed. */
    commit(unit: U): Promise<void> {
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
