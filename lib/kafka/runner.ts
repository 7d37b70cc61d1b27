/**
 * The consumer runner both platform consumer groups build on: it turns messages into jobs and each job's result
 * into one Kafka transaction (output + consumed offset).
 *
 * Why it does not process inside kafkajs's eachBatch: kafkajs fetches per broker and waits until a whole fetch is
 * processed before fetching again, so one 30 s crawl would hold every other partition of the broker. Here
 * eachBatch only queues messages (pausing a partition whose window is full) and returns at once; the Dispatcher
 * starts jobs from those windows under its rules (one job per tenant at a time, tenants of one partition in
 * parallel, a concurrency cap, priority with a low-priority share, not-before times), and the
 * TransactionalCommitter commits finished jobs in groups. Fetching never waits for a job, so kafkajs's own loop
 * keeps fetching and heartbeating while jobs run.
 *
 * Offsets only move inside transactions, in order: a partition commits up to its first unfinished job, and the
 * finished jobs above that travel in the commit metadata. After a rebalance (or a failed commit) kafkajs
 * re-reads the committed offsets, so the runner drops its windows, aborts running jobs (their results are not
 * committed), reads the metadata to skip what is already done, and starts over: nothing is lost or redone, except
 * the jobs that were cut off mid-way.
 *
 * Parts: runner-options.ts (contract, settings and their defaults, events), runner-job.ts (one job, from message
 * to commit), consumer-kernel.ts (connect, states and guarded start/stop, drain, close; shared with the sink),
 * dispatcher.ts, transaction.ts. States (runner-states.ts): idle → starting → running → draining → stopped;
 * crashed from any.
 */
import { EventEmitter } from 'node:events';
import type { EachBatchPayload } from 'kafkajs';
import type { Decoded } from '../contracts/codec.js';
import { createConsumerKernel } from './consumer-kernel.js';
import { createTransactionalProducer } from './client.js';
import { decodeCompleted, Dispatcher, encodeCompleted, partitionId, type CommitOffset, type Entry } from './dispatcher.js';
import { INSTRUMENTATION_EVENTS } from './instrumentation.js';
import { createHighBacklog, type HighBacklog } from './high-backlog.js';
import { createJobExecutor, type Fetched, type Unit } from './runner-job.js';
import { RUNNER_EVENTS, runnerSettings, type RunnerEventMap, type RunnerOptions } from './runner-options.js';
import { RUNNER_STATES } from './runner-states.js';
import { createSafeEmit } from './safe-emit.js';
import { createTransactionalCommitter, offsetsLanded, StaleUnitError, type SentTransaction, type TopicOffsets } from './transaction.js';

export * from './runner-options.js';

export function createRunner<T>(options: RunnerOptions<T>) {
  const { kafka, groupId, instanceId, inputs, contract, logger } = options;
  const settings = runnerSettings(options);
  const { concurrency, jobTimeoutMs, queuedPerPartition, lowShare, heartbeatIntervalMs } = settings;
  const events = new EventEmitter<RunnerEventMap>();
  const log = logger.child({ groupId, instanceId });
  const emit = createSafeEmit(events, log, 'runner');
  const priorityOf = new Map(inputs.map((i) => [kafka.topic(i.topic), i.priority]));
  const fullGroupId = kafka.topic(groupId);

  let committer: ReturnType<typeof createTransactionalCommitter<Unit<T>>> | undefined;
  /** Per partition seen since the last (re)join: its previous owner's finished-above-commit offsets are loaded. */
  const seeded = new Set<string>();
  let committedMetadata: Promise<Map<string, bigint[]>> | undefined;
  let restarting: Promise<void> | undefined;
  const dispatcher = new Dispatcher<Fetched<T>>({ concurrency, lowShare, lowAgeingMs: settings.lowAgeingMs, lowPeriodRatio: options.lowPeriodRatio });
  let highBacklog: HighBacklog | undefined;
  const running = new Map<Entry<Fetched<T>>, AbortController>();
  let wakeTimer: NodeJS.Timeout | undefined;
  let heartbeat: (() => Promise<void>) | undefined;
  let idle: (() => void) | undefined;

  const kernel = createConsumerKernel({
    component: 'runner',
    kafka,
    groupId: fullGroupId,
    instanceId,
    topics: inputs.map((i) => kafka.topic(i.topic)),
    log,
    consumerConfig: { sessionTimeout: settings.sessionTimeoutMs, heartbeatInterval: heartbeatIntervalMs },
    createProducer: () => createTransactionalProducer(kafka, `${fullGroupId}.${instanceId}`, settings.transactionTimeoutMs),
    drainTimeoutMs: settings.drainTimeoutMs,
    eachBatch,
    hooks: {
      transition: (from, to) => emit(RUNNER_EVENTS.TRANSITION, { from, to }),
      connected({ admin, producer }) {
        committer = createTransactionalCommitter<Unit<T>>({
          producer, groupId: fullGroupId, logger: log, offsetsFor, onCommitted,
          isStale: (unit) => !dispatcher.isCurrent(unit.entry), onSent: options.onTransactionSent, landed: offsetsLanded(admin, fullGroupId),
        });
        highBacklog = createHighBacklog({
          admin, groupId: fullGroupId, log, intervalMs: settings.backlogPollMs,
          topics: inputs.filter((i) => i.priority === 'high').map((i) => kafka.topic(i.topic)),
          onOffsets(offsets) {
            dispatcher.setBrokerOffsets(offsets);
            pump();
          },
        });
      },
      rebalancing() {
        highBacklog?.assign({});
        resetAfterRebalance('rebalancing');
      },
      groupJoin(assignment) {
        highBacklog?.assign(assignment);
        resetAfterRebalance('group join');
      },
      restarted: () => resetAfterRebalance('consumer restart'),
      running() {
        kernel.timers.every(heartbeatIntervalMs, () => {
          // kafkajs heartbeats only around handler calls; with all partitions paused behind long jobs it would not.
          if (running.size > 0) heartbeat?.().catch(() => undefined);
        });
      },
      started() {
        highBacklog?.start();
        pump();
      },
      async drain() {
        kernel.timers.clear(wakeTimer);
        if (running.size > 0) await new Promise<void>((resolve) => (idle = resolve));
      },
      drainTimedOut() {
        log.warn({ running: running.size }, 'drain timed out; aborting the jobs still running');
        for (const controller of running.values()) controller.abort(new Error('shutdown'));
      },
      closing: async () => {
        await highBacklog?.stop();
        await committer?.close().catch(() => undefined);
      },
      closed() {
        committer = undefined;
        dispatcher.reset();
      },
    },
  });
  const { machine } = kernel;

  const executor = createJobExecutor<T>({
    options, kernel, jobTimeoutMs, log, emit,
    commit: (unit) => committer!.commit(unit),
    canCommit: (entry) => dispatcher.isCurrent(entry) && committer !== undefined,
  });

  async function eachBatch({ batch, resolveOffset, heartbeat: beat, isRunning, isStale }: EachBatchPayload) {
    heartbeat = beat;
    const { topic, partition } = batch;
    const id = partitionId(topic, partition);
    if (!seeded.has(id)) {
      committedMetadata ??= loadCommittedMetadata();
      const completed = (await committedMetadata).get(id) ?? [];
      if (!isRunning() || isStale()) return;
      dispatcher.setCompleted(topic, partition, completed);
      seeded.add(id);
    }
    const priority = priorityOf.get(topic) ?? 'low';
    for (const kafkaMessage of batch.messages) {
      if (!isRunning() || isStale()) return;
      // Take no more than the window's room; the rest is fetched again after the partition resumes.
      if (dispatcher.heldIn(topic, partition) >= queuedPerPartition) break;
      const decoded = decodeFor(kafkaMessage.value);
      const key = decoded.ok && options.keyOf ? options.keyOf(decoded.value) : kafkaMessage.key?.toString() ?? id;
      const notBefore = decoded.ok ? options.notBeforeOf?.(decoded.value) ?? 0 : 0;
      dispatcher.push({ topic, partition, offset: BigInt(kafkaMessage.offset), key, priority, notBefore, enqueuedAt: Number(kafkaMessage.timestamp), message: { kafkaMessage, decoded } });
      resolveOffset(kafkaMessage.offset);
    }
    if (dispatcher.heldIn(topic, partition) >= queuedPerPartition) kernel.consumer?.pause([{ topic, partitions: [partition] }]);
    pump();
  }

  /** The message as a job, or why it cannot be one (it does not meet the contract, or is not for this runner). */
  function decodeFor(value: Buffer | null): Decoded<T> {
    const decoded = contract.decode(value);
    const misplaced = decoded.ok ? options.misplaced?.(decoded.value) : undefined;
    return misplaced === undefined ? decoded : { ok: false, reason: `${contract.name}: ${misplaced}` };
  }

  /** The group's committed offsets and their metadata: which offsets above each commit point are done. */
  async function loadCommittedMetadata(): Promise<Map<string, bigint[]>> {
    const topics = inputs.map((i) => kafka.topic(i.topic));
    const result = new Map<string, bigint[]>();
    for (const { topic, partitions } of await kernel.admin!.fetchOffsets({ groupId: fullGroupId, topics })) {
      for (const p of partitions) {
        if (p.offset !== '-1') result.set(partitionId(topic, p.partition), decodeCompleted(BigInt(p.offset), p.metadata));
      }
    }
    return result;
  }

  function pump() {
    if (!machine.is(RUNNER_STATES.RUNNING)) return;
    for (;;) {
      const { entry, wakeAt } = dispatcher.next(Date.now());
      if (entry) {
        void run(entry);
        continue;
      }
      if (wakeAt !== undefined) {
        kernel.timers.clear(wakeTimer);
        wakeTimer = kernel.timers.after(Math.max(0, wakeAt - Date.now()), pump);
      }
      return;
    }
  }

  async function run(entry: Entry<Fetched<T>>) {
    const { topic, partition } = entry;
    const controller = new AbortController();
    running.set(entry, controller);
    try {
      await executor.execute(entry, controller);
    } catch (error) {
      if (!(error instanceof StaleUnitError) && dispatcher.isCurrent(entry)) void redo(entry, error);
    } finally {
      running.delete(entry);
      dispatcher.release(entry);
      const consumer = kernel.consumer;
      if (dispatcher.heldIn(topic, partition) < queuedPerPartition && !machine.is(RUNNER_STATES.DRAINING)
        && consumer?.paused().some((p) => p.topic === topic && p.partitions.includes(partition))) {
        consumer.resume([{ topic, partitions: [partition] }]);
      }
      if (running.size === 0) idle?.();
      pump();
    }
  }

  /**
   * A job's outcome could not be committed (the committer already retried): rejoin the group, which re-reads
   * the committed offsets and their metadata, exactly as after a rebalance.
   */
  function redo(entry: Entry<Fetched<T>>, error: unknown): Promise<void> {
    const { kafkaMessage } = entry.message;
    log.error({ err: error, topic: entry.topic, partition: entry.partition, offset: kafkaMessage.offset }, 'could not commit a job; rejoining to redo it');
    emit(RUNNER_EVENTS.COMMIT_FAILED, { topic: entry.topic, partition: entry.partition, offset: kafkaMessage.offset, error });
    restarting ??= kernel.restartConsumer(() => resetAfterRebalance('commit failure')).finally(() => {
      restarting = undefined;
    });
    return restarting;
  }

  /** What a transaction commits for the group: per partition, the first unfinished offset and the finished above it. */
  function offsetsFor(units: Unit<T>[]): TopicOffsets[] {
    const byTopic = new Map<string, TopicOffsets>();
    for (const c of dispatcher.commitOffsets(units.map((u) => u.entry))) {
      let t = byTopic.get(c.topic);
      if (!t) byTopic.set(c.topic, (t = { topic: c.topic, partitions: [] }));
      t.partitions.push({ partition: c.partition, offset: c.offset.toString(), metadata: encodeCompleted(c.offset, c.completed) });
    }
    return [...byTopic.values()];
  }

  function onCommitted(units: Unit<T>[], offsets: TopicOffsets[], sent: SentTransaction) {
    const points: CommitOffset[] = offsets.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: BigInt(p.offset), completed: [] })));
    dispatcher.committed(units.map((u) => u.entry), points);
    kernel.emit(INSTRUMENTATION_EVENTS.TRANSACTION_COMMIT, { jobs: units.length, ...sent });
  }

  /** A rebalance (or a restart of kafkajs's loop) re-reads committed offsets: start from a clean slate. */
  function resetAfterRebalance(reason: string) {
    dispatcher.reset();
    seeded.clear();
    committedMetadata = undefined;
    for (const controller of running.values()) controller.abort(new Error(`partition reassigned (${reason})`));
    const consumer = kernel.consumer;
    const paused = consumer?.paused() ?? [];
    if (paused.length > 0 && machine.is(RUNNER_STATES.RUNNING)) consumer?.resume(paused);
    emit(RUNNER_EVENTS.REBALANCED, { reason });
  }

  return {
    start: kernel.start,
    stop: kernel.stop,
    events,
    get state() {
      return machine.state;
    },
    get inFlight() {
      return running.size;
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
