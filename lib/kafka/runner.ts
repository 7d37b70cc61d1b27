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
 * States (runner-states.ts): idle → starting → running → draining → stopped; crashed from any.
 */
import { EventEmitter } from 'node:events';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Admin, Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { Contract, Decoded } from '../contracts/codec.js';
import { DLQ_LIMITS, dlqEntry } from '../contracts/dlq.js';
import { DeadlineExceededError, errorCode, errorMessage } from '../errors.js';
import { jobLogger, type Logger } from '../logger.js';
import { ATTR, SPAN, TRACER_NAME } from '../../otel/attributes.js';
import { extractTraceContext, injectTraceHeaders, traceIdOf } from '../../otel/propagation.js';
import { createGroupConsumer, createTransactionalProducer, GROUP_TIMING, type KafkaContext } from './client.js';
import { decodeCompleted, Dispatcher, encodeCompleted, partitionId, type CommitOffset, type Entry, type PriorityClass } from './dispatcher.js';
import { readHeaders } from './headers.js';
import { createStateMachine, RUNNER_STATES, type RunnerState } from './runner-states.js';
import { createTransactionalCommitter, offsetsLanded, OutputRefusedError, StaleUnitError, type OutgoingMessage, type TopicOffsets } from './transaction.js';

export type { OutgoingMessage };

export interface Job<T> {
  value: T;
  /** Base topic name, as topics.json spells it. */
  topic: string;
  partition: number;
  offset: string;
  key: string;
  headers: Record<string, string>;
}

export interface JobContext {
  /** Fires at the job's deadline, on a rebalance that takes its partition away, and at the end of a drain. */
  signal: AbortSignal;
  deadline: number;
  log: Logger;
}

/** Does the job; returns what to publish (records, run event, cursor, continuation), committed with the offset. */
export type JobHandler<T> = (job: Job<T>, ctx: JobContext) => Promise<OutgoingMessage[]>;
/** Decides what a failed job publishes instead: a retry with a not-before time, a DLQ entry, a run event. */
export type FailureHandler<T> = (job: Job<T>, error: unknown, ctx: JobContext) => OutgoingMessage[] | Promise<OutgoingMessage[]>;

export interface RunnerInput {
  /** Base topic name. */
  topic: string;
  priority: PriorityClass;
}

export interface RunnerOptions<T> {
  kafka: KafkaContext;
  groupId: string;
  /** Stable per process of the group: names the transactional id, so a restarted process fences its predecessor. */
  instanceId: string;
  inputs: RunnerInput[];
  contract: Contract<T>;
  handle: JobHandler<T>;
  onFailure: FailureHandler<T>;
  /** Where undecodable messages go, with the reason and original bytes (base name). */
  dlqTopic: string;
  logger: Logger;
  /** The tenant a job belongs to (for per-tenant exclusivity); defaults to the message key. */
  keyOf?: (value: T) => string;
  /** Why a valid message is still not for this runner (another platform's request): it goes to the DLQ as a contract error. */
  misplaced?: (value: T) => string | undefined;
  /** Epoch ms before which a job must not start (retries). */
  notBeforeOf?: (value: T) => number | undefined;
  /** @default 16 */ concurrency?: number;
  /** @default 30_000 */ jobTimeoutMs?: number;
  /** @default 45_000 */ drainTimeoutMs?: number;
  /** Messages held per partition (queued, running, or done above the commit point) before it is paused. @default 32 */
  queuedPerPartition?: number;
  /** @default 0.2 */ lowShare?: number;
  /** @default 60_000 */ transactionTimeoutMs?: number;
  /** How long the group waits for a silent member before reassigning its partitions. @default GROUP_TIMING.sessionTimeoutMs */
  sessionTimeoutMs?: number;
  /** @default GROUP_TIMING.heartbeatIntervalMs */ heartbeatIntervalMs?: number;
  /** Called between sending a transaction and committing it; crash tests stop the process here. */
  onTransactionSent?: (jobs: number) => Promise<void> | void;
}

/** ok; failed (its failure handler's output committed); poison (undecodable: DLQ); refused (the broker refused its output: DLQ). */
export type JobOutcome = 'ok' | 'failed' | 'poison' | 'refused';

export const RUNNER_EVENTS = {
  TRANSITION: 'runner.transition',
  JOB_COMMITTED: 'job.committed',
  JOB_FAILED: 'job.failed',
  COMMIT_FAILED: 'commit.failed',
  REBALANCED: 'runner.rebalanced',
} as const;

export interface RunnerEventMap {
  [RUNNER_EVENTS.TRANSITION]: [{ from: RunnerState; to: RunnerState }];
  [RUNNER_EVENTS.JOB_COMMITTED]: [{ topic: string; partition: number; offset: string; key: string; outcome: JobOutcome; durationMs: number }];
  [RUNNER_EVENTS.JOB_FAILED]: [{ topic: string; partition: number; offset: string; key: string; error: unknown }];
  [RUNNER_EVENTS.COMMIT_FAILED]: [{ topic: string; partition: number; offset: string; error: unknown }];
  [RUNNER_EVENTS.REBALANCED]: [{ reason: string }];
}

type Fetched = { kafkaMessage: KafkaMessage; decoded: ReturnType<Contract<unknown>['decode']> };
type Unit = { messages: OutgoingMessage[]; entry: Entry<Fetched> };

/** The runner's settings an operator tunes, and their defaults: config (lib/config.ts runner.*) only overrides. */
export type RunnerSettings = Required<Pick<RunnerOptions<unknown>,
  'concurrency' | 'jobTimeoutMs' | 'drainTimeoutMs' | 'queuedPerPartition' | 'lowShare' | 'transactionTimeoutMs' | 'sessionTimeoutMs' | 'heartbeatIntervalMs'>>;

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = {
  concurrency: 16,
  jobTimeoutMs: 30_000,
  drainTimeoutMs: 45_000,
  queuedPerPartition: 32,
  lowShare: 0.2,
  transactionTimeoutMs: 60_000,
  sessionTimeoutMs: GROUP_TIMING.sessionTimeoutMs,
  heartbeatIntervalMs: GROUP_TIMING.heartbeatIntervalMs,
};

/** The defaults with every setting the caller gave (undefined leaves the default). */
export function runnerSettings(given: Partial<RunnerSettings>): RunnerSettings {
  const settings = { ...DEFAULT_RUNNER_SETTINGS };
  for (const key of Object.keys(settings) as (keyof RunnerSettings)[]) {
    const value = given[key];
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

export function createRunner<T>(options: RunnerOptions<T>) {
  const { kafka, groupId, instanceId, inputs, contract, handle, onFailure, dlqTopic, logger } = options;
  const {
    concurrency, jobTimeoutMs, drainTimeoutMs, queuedPerPartition, lowShare, transactionTimeoutMs, sessionTimeoutMs, heartbeatIntervalMs,
  } = runnerSettings(options);
  const events = new EventEmitter<RunnerEventMap>();
  const log = logger.child({ groupId, instanceId });
  const tracer = trace.getTracer(TRACER_NAME);
  const priorityOf = new Map(inputs.map((i) => [kafka.topic(i.topic), i.priority]));
  const fullGroupId = kafka.topic(groupId);
  const machine = createStateMachine((from, to) => {
    log.info({ from, to }, 'runner state');
    safeEmit(RUNNER_EVENTS.TRANSITION, { from, to });
  });

  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let committer: ReturnType<typeof createTransactionalCommitter<Unit>> | undefined;
  /** Per partition seen since the last (re)join: its previous owner's finished-above-commit offsets are loaded. */
  const seeded = new Set<string>();
  let committedMetadata: Promise<Map<string, bigint[]>> | undefined;
  let restarting: Promise<void> | undefined;
  const dispatcher = new Dispatcher<Fetched>({ concurrency, lowShare });
  const running = new Map<Entry<Fetched>, AbortController>();
  let wakeTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let heartbeat: (() => Promise<void>) | undefined;
  let idle: (() => void) | undefined;

  function safeEmit<E extends keyof RunnerEventMap>(event: E, ...args: RunnerEventMap[E]) {
    try {
      (events.emit as (e: E, ...a: RunnerEventMap[E]) => boolean)(event, ...args);
    } catch (error) {
      log.error({ err: error, event }, 'a runner event listener threw');
    }
  }

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
      dispatcher.push({ topic, partition, offset: BigInt(kafkaMessage.offset), key, priority, notBefore, message: { kafkaMessage, decoded } });
      resolveOffset(kafkaMessage.offset);
    }
    if (dispatcher.heldIn(topic, partition) >= queuedPerPartition) consumer?.pause([{ topic, partitions: [partition] }]);
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
    for (const { topic, partitions } of await admin!.fetchOffsets({ groupId: fullGroupId, topics })) {
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
      if (wakeAt !== undefined) scheduleWake(wakeAt);
      return;
    }
  }

  function scheduleWake(at: number) {
    clearTimeout(wakeTimer);
    wakeTimer = setTimeout(pump, Math.max(0, at - Date.now()));
    wakeTimer.unref();
  }

  async function run(entry: Entry<Fetched>) {
    const { kafkaMessage, decoded } = entry.message;
    const { topic } = entry;
    const job: Job<unknown> = {
      value: decoded.ok ? decoded.value : undefined,
      topic: kafka.baseTopic(topic),
      partition: entry.partition,
      offset: kafkaMessage.offset,
      key: entry.key,
      headers: readHeaders(kafkaMessage.headers),
    };
    const controller = new AbortController();
    running.set(entry, controller);
    const started = Date.now();
    const deadline = started + jobTimeoutMs;
    const parent = extractTraceContext(kafkaMessage.headers);
    const span = tracer.startSpan(SPAN.PROCESS(job.topic), {
      kind: SpanKind.CONSUMER,
      attributes: {
        [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: job.topic, [ATTR.MESSAGING_PARTITION]: String(job.partition),
        [ATTR.MESSAGING_OFFSET]: job.offset, [ATTR.MESSAGING_GROUP]: groupId, [ATTR.TENANT_ID]: job.key,
      },
    }, parent);
    const spanContext = trace.setSpan(parent, span);
    const jobLog = jobLogger(log, { tenantId: job.key, requestId: job.headers.requestId ?? '-', traceId: traceIdOf(spanContext) });
    let outcome: JobOutcome = 'ok';
    try {
      const messages = await context.with(spanContext, async () => {
        if (!decoded.ok) {
          outcome = 'poison';
          jobLog.warn({ topic: job.topic, partition: job.partition, offset: job.offset, reason: decoded.reason }, 'invalid message sent to the DLQ');
          return [dlqMessage(kafkaMessage, job, decoded.reason)];
        }
        const ctx: JobContext = { signal: controller.signal, deadline, log: jobLog };
        try {
          return await withDeadline(handle(job as Job<T>, ctx), controller, jobTimeoutMs);
        } catch (error) {
          outcome = 'failed';
          span.recordException(error as Error);
          safeEmit(RUNNER_EVENTS.JOB_FAILED, { topic: job.topic, partition: job.partition, offset: job.offset, key: job.key, error });
          if (controller.signal.aborted && !(controller.signal.reason instanceof DeadlineExceededError)) throw error; // rebalance or shutdown: redo, do not record
          jobLog.warn({ err: error, errorClass: errorCode(error) }, 'job failed');
          try {
            return await onFailure(job as Job<T>, error, ctx);
          } catch (failureError) {
            jobLog.error({ err: failureError }, 'the failure handler threw; sending the job to the DLQ');
            return [dlqMessage(kafkaMessage, job, `${errorMessage(error)}; failure handler: ${errorMessage(failureError)}`, errorCode(error))];
          }
        }
      });
      if (!dispatcher.isCurrent(entry) || !committer) return; // its partition was taken away meanwhile
      const traced = (list: OutgoingMessage[]) => list.map((m) => ({ ...m, topic: kafka.topic(m.topic), headers: injectTraceHeaders({ ...m.headers }, spanContext) }));
      const refusal = await commitFirstAccepted(entry, [
        traced(messages),
        (refused) => traced([dlqMessage(kafkaMessage, job, `the broker refused the job's output (${refused})`, refused)]),
        () => [],
      ]);
      if (refusal) {
        outcome = 'refused';
        jobLog.error({ refusal }, 'the broker refused the job\'s output; its input went to the DLQ instead');
      }
      span.setAttribute(ATTR.OUTCOME, outcome);
      safeEmit(RUNNER_EVENTS.JOB_COMMITTED, { topic: job.topic, partition: job.partition, offset: job.offset, key: job.key, outcome, durationMs: Date.now() - started });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      if (!(error instanceof StaleUnitError) && dispatcher.isCurrent(entry)) void redo(entry, error);
    } finally {
      span.end();
      running.delete(entry);
      dispatcher.release(entry);
      if (dispatcher.heldIn(topic, entry.partition) < queuedPerPartition && !machine.is(RUNNER_STATES.DRAINING)
        && consumer?.paused().some((p) => p.topic === topic && p.partitions.includes(entry.partition))) {
        consumer.resume([{ topic, partitions: [entry.partition] }]);
      }
      if (running.size === 0) idle?.();
      pump();
    }
  }

  /**
   * Commits the first output the broker accepts: the job's own, else (it refused a record: too large, invalid)
   * the next, so one job's refused output fails that job alone and never its partition. Returns the refusal.
   */
  async function commitFirstAccepted(entry: Entry<Fetched>, outputs: [OutgoingMessage[], ...((refusal: string) => OutgoingMessage[])[]]): Promise<string | undefined> {
    let refusal: string | undefined;
    for (const [i, output] of outputs.entries()) {
      try {
        await committer!.commit({ messages: typeof output === 'function' ? output(refusal!) : output, entry });
        return refusal;
      } catch (error) {
        if (!(error instanceof OutputRefusedError) || i === outputs.length - 1 || !committer) throw error;
        refusal ??= error.refusal;
      }
    }
    return refusal;
  }

  /**
   * A job's outcome could not be committed (the committer already retried): rejoin the group, which re-reads
   * the committed offsets and their metadata, exactly as after a rebalance.
   */
  function redo(entry: Entry<Fetched>, error: unknown): Promise<void> {
    const { kafkaMessage } = entry.message;
    log.error({ err: error, topic: entry.topic, partition: entry.partition, offset: kafkaMessage.offset }, 'could not commit a job; rejoining to redo it');
    safeEmit(RUNNER_EVENTS.COMMIT_FAILED, { topic: entry.topic, partition: entry.partition, offset: kafkaMessage.offset, error });
    restarting ??= (async () => {
      try {
        if (!consumer || !machine.is(RUNNER_STATES.RUNNING)) return;
        await consumer.stop();
        resetAfterRebalance('commit failure');
        await consumer.run(runConfig);
      } catch (restartError) {
        log.error({ err: restartError }, 'could not restart the consumer after a failed commit');
        if (machine.is(RUNNER_STATES.RUNNING)) machine.transitionTo(RUNNER_STATES.CRASHED);
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  }

  /** What a transaction commits for the group: per partition, the first unfinished offset and the finished above it. */
  function offsetsFor(units: Unit[]): TopicOffsets[] {
    const byTopic = new Map<string, TopicOffsets>();
    for (const c of dispatcher.commitOffsets(units.map((u) => u.entry))) {
      let t = byTopic.get(c.topic);
      if (!t) byTopic.set(c.topic, (t = { topic: c.topic, partitions: [] }));
      t.partitions.push({ partition: c.partition, offset: c.offset.toString(), metadata: encodeCompleted(c.offset, c.completed) });
    }
    return [...byTopic.values()];
  }

  function onCommitted(units: Unit[], offsets: TopicOffsets[]) {
    const points: CommitOffset[] = offsets.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: BigInt(p.offset), completed: [] })));
    dispatcher.committed(units.map((u) => u.entry), points);
  }

  function dlqMessage(kafkaMessage: KafkaMessage, job: Job<unknown>, reason: string, errorClass = 'CONTRACT'): OutgoingMessage {
    const key = kafkaMessage.key?.toString();
    return {
      topic: dlqTopic,
      key: key ?? job.key,
      value: dlqEntry({
        reason,
        errorClass,
        source: { topic: job.topic, partition: job.partition, offset: job.offset, ...(key === undefined ? {} : { key }) },
        value: kafkaMessage.value ?? Buffer.alloc(0),
        headers: job.headers,
        maxBytes: DLQ_LIMITS[dlqTopic],
      }),
    };
  }

  /** A rebalance (or a restart of kafkajs's loop) re-reads committed offsets: start from a clean slate. */
  function resetAfterRebalance(reason: string) {
    dispatcher.reset();
    seeded.clear();
    committedMetadata = undefined;
    for (const controller of running.values()) controller.abort(new Error(`partition reassigned (${reason})`));
    const paused = consumer?.paused() ?? [];
    if (paused.length > 0 && machine.is(RUNNER_STATES.RUNNING)) consumer?.resume(paused);
    safeEmit(RUNNER_EVENTS.REBALANCED, { reason });
  }

  const runConfig = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch };

  async function start() {
    if (machine.is(RUNNER_STATES.STARTING, RUNNER_STATES.RUNNING)) return;
    machine.transitionTo(RUNNER_STATES.STARTING);
    try {
      producer = createTransactionalProducer(kafka, `${fullGroupId}.${instanceId}`, transactionTimeoutMs);
      await producer.connect();
      admin = kafka.kafka.admin();
      await admin.connect();
      committer = createTransactionalCommitter<Unit>({
        producer, groupId: fullGroupId, logger: log, offsetsFor, onCommitted,
        isStale: (unit) => !dispatcher.isCurrent(unit.entry), onSent: options.onTransactionSent, landed: offsetsLanded(admin, fullGroupId),
      });
      consumer = createGroupConsumer(kafka, fullGroupId, { sessionTimeout: sessionTimeoutMs, heartbeatInterval: heartbeatIntervalMs });
      consumer.on(consumer.events.REBALANCING, () => resetAfterRebalance('rebalancing'));
      consumer.on(consumer.events.GROUP_JOIN, () => resetAfterRebalance('group join'));
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        log.error({ err: payload.error, restart: payload.restart }, 'kafkajs consumer crashed');
        if (payload.restart) resetAfterRebalance('consumer restart');
        else if (machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) machine.transitionTo(RUNNER_STATES.CRASHED);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: inputs.map((i) => kafka.topic(i.topic)), fromBeginning: true });
      await consumer.run(runConfig);
      heartbeatTimer = setInterval(() => {
        // kafkajs heartbeats only around handler calls; with all partitions paused behind long jobs it would not.
        if (running.size > 0) heartbeat?.().catch(() => undefined);
      }, heartbeatIntervalMs);
      heartbeatTimer.unref();
      machine.transitionTo(RUNNER_STATES.RUNNING);
      pump();
    } catch (error) {
      machine.transitionTo(RUNNER_STATES.CRASHED);
      await closeConnections();
      throw error;
    }
  }

  /** Drains: no new jobs; in-flight ones get `drainTimeoutMs` to finish and commit; then leaves the group. */
  async function stop() {
    if (machine.is(RUNNER_STATES.IDLE, RUNNER_STATES.STOPPED, RUNNER_STATES.DRAINING)) return;
    if (machine.is(RUNNER_STATES.CRASHED)) {
      await closeConnections();
      machine.transitionTo(RUNNER_STATES.STOPPED);
      return;
    }
    machine.transitionTo(RUNNER_STATES.DRAINING);
    clearTimeout(wakeTimer);
    if (running.size > 0) {
      const drained = new Promise<void>((resolve) => (idle = resolve));
      const timeout = setTimeout(() => {
        log.warn({ running: running.size }, 'drain timed out; aborting the jobs still running');
        for (const controller of running.values()) controller.abort(new Error('shutdown'));
      }, drainTimeoutMs);
      await drained;
      clearTimeout(timeout);
    }
    await closeConnections();
    machine.transitionTo(RUNNER_STATES.STOPPED);
  }

  async function closeConnections() {
    clearInterval(heartbeatTimer);
    clearTimeout(wakeTimer);
    await committer?.close().catch(() => undefined);
    await consumer?.disconnect().catch((error) => log.warn({ err: error }, 'consumer disconnect failed'));
    await producer?.disconnect().catch((error) => log.warn({ err: error }, 'producer disconnect failed'));
    await admin?.disconnect().catch(() => undefined);
    consumer = undefined;
    producer = undefined;
    admin = undefined;
    committer = undefined;
    dispatcher.reset();
  }

  return {
    start,
    stop,
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

/** Rejects when the job's signal fires (deadline, rebalance, shutdown), so a handler that ignores it cannot hold a slot. */
function withDeadline<R>(work: Promise<R>, controller: AbortController, timeoutMs: number): Promise<R> {
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(`job exceeded its ${timeoutMs} ms budget`)), timeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  return Promise.race([work, aborted]).finally(() => clearTimeout(timer));
}
