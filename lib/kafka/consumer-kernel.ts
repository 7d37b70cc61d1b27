/**
 * The lifecycle the runner (runner.ts) and the sink (consumers/sink/sink.ts) share, so it exists once: connect an
 * admin client, a producer and a group consumer; follow the group (rebalance, join, kafkajs's crash and restart);
 * drain on stop within a time limit; close everything. The coordinator plugs its phases in as hooks and keeps only
 * what is its own (dispatching jobs, batching rows).
 *
 * States (runner-states.ts): idle → starting → running → draining → stopped; crashed from any. The public
 * methods are guarded by state (KafkaJS createGuarded): start() in idle, stopped or crashed (a no-op while
 * starting or running), stop() while starting, running or crashed (a no-op when idle, stopped or already
 * draining); anything else fails with an IllegalStateError naming the method and the state.
 *
 * Crashes: kafkajs never restarts its loop here (restartOnFailure says no); the kernel decides. A crash that is the
 * broker's state (broker-trouble.ts: a broker restarting, a coordinator that forgot the member) drops everything
 * (hooks.restarted) and runs kafkajs's loop again after a short capped backoff, as often as it takes; kafkajs's own
 * restart waited as long as its last retry and skipped the errors it flags not retriable, which left the consumer
 * dead behind a broker that was back. Any other crash (a bug) makes the state crashed.
 *
 * Timers made through `timers` are unref'd (they never keep a process alive) and all cleared on close. Events go
 * through safeEmit (safe-emit.ts) and the instrumentation bus (instrumentation.ts): a listener never crashes it.
 */
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, Producer, TopicOffsets, TopicPartitionOffsetAndMetadata, TopicPartitions } from 'kafkajs';
import { SyncError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoff, type RetryPolicy } from '../retry.js';
import { isBrokerTrouble } from './broker-trouble.js';
import { createGroupConsumer, KAFKA_RETRY, type KafkaContext } from './client.js';
import { emitInstrumentation, INSTRUMENTATION_EVENTS, isInstrumented, type InstrumentationEvent, type InstrumentationEventMap, type Rejoin, type Source } from './instrumentation.js';
import { createGuarded, createStateMachine, RUNNER_STATES, type RunnerState } from './runner-states.js';

export interface KernelHooks {
  /** State changes (after the kernel logged them): the coordinator tells its own listeners. */
  transition(from: RunnerState, to: RunnerState): void;
  /** The admin client and producer are connected; the consumer is not yet. */
  connected?(parts: { admin: Admin; producer: Producer }): void;
  /** Extra kafkajs consumer listeners, added before it connects. */
  listen?(consumer: Consumer): void;
  /** The group rebalances: every partition is about to be revoked. */
  rebalancing(): void;
  /** Joined the group with this assignment (full topic names). */
  groupJoin(memberAssignment: Record<string, number[]>): void;
  /** kafkajs crashed (the broker's doing) and the kernel restarts its loop: it re-reads the committed offsets. */
  restarted(): void;
  /** Consuming; called right before the state becomes running (start timers here). */
  running?(): void;
  /** Running (start pumping here). */
  started?(): void;
  /** Stop: finish what is in flight. Resolves when done, or once drainTimedOut made it give up. */
  drain(): Promise<void>;
  /** The drain took longer than drainTimeoutMs. */
  drainTimedOut(): void;
  /** After the drain (or straight away when crashed), before the connections close. */
  stopping?(): void;
  /** Before disconnecting (flush what the producer still commits). */
  closing?(): Promise<void>;
  /** After every connection closed. */
  closed?(): void;
}

export interface ConsumerKernelOptions {
  component: Source['component'];
  kafka: KafkaContext;
  /** Full group id (with the topic prefix). */
  groupId: string;
  instanceId?: string;
  /** Full topic names subscribed to. */
  topics: string[];
  log: Logger;
  /** kafkajs consumer settings over createGroupConsumer's. */
  consumerConfig: Partial<ConsumerConfig>;
  createProducer(): Producer;
  drainTimeoutMs: number;
  eachBatch(payload: EachBatchPayload): Promise<void>;
  hooks: KernelHooks;
}

/**
 * Delay before kafkajs's loop runs again after a crash the broker caused, by consecutive crash (reset when the
 * group is joined): the first retry comes soon after a broker is back, a broker that stays away is not hammered.
 */
export const CONSUMER_RESTART: RetryPolicy = { initialMs: 250, maxMs: 5_000, multiplier: 2, jitter: 0.2, maxAttempts: Number.POSITIVE_INFINITY };

/** An offset commit that kafkajs did not make (its loop was stopped or restarting): the offsets are unchanged. */
export class OffsetCommitSkippedError extends SyncError {
  override readonly code: string = 'OFFSET_COMMIT_SKIPPED';
}

/** Timers that never keep the process alive, all cleared at once on close. */
export function createTimers() {
  const live = new Set<NodeJS.Timeout>();
  return {
    every(ms: number, fn: () => void): NodeJS.Timeout {
      const timer = setInterval(fn, ms).unref();
      live.add(timer);
      return timer;
    },
    after(ms: number, fn: () => void): NodeJS.Timeout {
      const timer = setTimeout(() => {
        live.delete(timer);
        fn();
      }, ms).unref();
      live.add(timer);
      return timer;
    },
    clear(timer: NodeJS.Timeout | undefined) {
      if (!timer) return;
      clearTimeout(timer);
      live.delete(timer);
    },
    clearAll() {
      for (const timer of live) clearTimeout(timer);
      live.clear();
    },
  };
}

export function createConsumerKernel(options: ConsumerKernelOptions) {
  const { component, kafka, groupId, instanceId, topics, log, hooks } = options;
  const source: Source = { component, groupId, ...(instanceId === undefined ? {} : { instanceId }) };
  const timers = createTimers();
  const machine = createStateMachine((from, to) => {
    log.info({ from, to }, `${component} state`);
    hooks.transition(from, to);
    emit(INSTRUMENTATION_EVENTS.TRANSITION, { ...source, from, to });
  });

  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  /** Crashes since the group was last joined (the restart backoff's attempt). */
  let crashes = 0;
  /** Checks of the offset commits in flight, told of every commit the coordinator accepted (commitOffsets). */
  const commitsInFlight = new Set<(accepted: TopicOffsets[]) => void>();

  /** Tells the instrumentation bus, with this kernel as the source. */
  function emit<E extends InstrumentationEvent>(event: E, payload: Omit<InstrumentationEventMap[E], keyof Source>) {
    if (isInstrumented(event)) emitInstrumentation(log, event, { ...source, ...payload } as InstrumentationEventMap[E]);
  }

  const rejoined = (reason: Rejoin['reason']) => emit(INSTRUMENTATION_EVENTS.REJOIN, { reason });

  async function eachBatch(payload: EachBatchPayload) {
    if (isInstrumented(INSTRUMENTATION_EVENTS.LAG)) {
      const { topic, partition } = payload.batch;
      emit(INSTRUMENTATION_EVENTS.LAG, { topic: kafka.baseTopic(topic), partition, lag: Number(payload.batch.offsetLag()) });
    }
    await options.eachBatch(payload);
  }

  const runConfig = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch };

  async function start() {
    machine.transitionTo(RUNNER_STATES.STARTING);
    try {
      admin = kafka.kafka.admin();
      await admin.connect();
      producer = options.createProducer();
      await producer.connect();
      hooks.connected?.({ admin, producer });
      consumer = createGroupConsumer(kafka, groupId, {
        ...options.consumerConfig,
        retry: { ...KAFKA_RETRY, restartOnFailure: async () => false },
      });
      consumer.on(consumer.events.REBALANCING, () => {
        hooks.rebalancing();
        rejoined('rebalancing');
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        crashes = 0;
        hooks.groupJoin(payload.memberAssignment);
      });
      consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
        for (const check of commitsInFlight) check(payload.topics);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) return;
        if (isBrokerTrouble(payload.error)) restartAfterCrash(payload.error);
        else {
          log.error({ err: payload.error }, 'kafkajs consumer crashed');
          machine.transitionTo(RUNNER_STATES.CRASHED);
        }
      });
      hooks.listen?.(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run(runConfig);
      hooks.running?.();
      machine.transitionTo(RUNNER_STATES.RUNNING);
      hooks.started?.();
    } catch (error) {
      machine.transitionTo(RUNNER_STATES.CRASHED);
      await close();
      throw error;
    }
  }

  async function stop() {
    if (!machine.is(RUNNER_STATES.CRASHED)) {
      machine.transitionTo(RUNNER_STATES.DRAINING);
      const timeout = timers.after(options.drainTimeoutMs, hooks.drainTimedOut);
      await hooks.drain();
      timers.clear(timeout);
    }
    hooks.stopping?.();
    await close();
    machine.transitionTo(RUNNER_STATES.STOPPED);
  }

  async function close() {
    timers.clearAll();
    await hooks.closing?.();
    await consumer?.disconnect().catch((error) => log.warn({ err: error }, 'consumer disconnect failed'));
    await producer?.disconnect().catch((error) => log.warn({ err: error }, 'producer disconnect failed'));
    await admin?.disconnect().catch(() => undefined);
    consumer = undefined;
    producer = undefined;
    admin = undefined;
    hooks.closed?.();
  }

  /** kafkajs stopped its loop and disconnected (a crash the broker caused): drop everything, run it again soon. */
  function restartAfterCrash(error: unknown) {
    hooks.restarted();
    rejoined('consumer restart');
    const delayMs = backoff(++crashes, CONSUMER_RESTART);
    log.warn({ err: error, crashes, delayMs }, 'kafkajs consumer crashed on the broker\'s state; restarting it');
    timers.after(delayMs, () => {
      if (!consumer || !machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) return;
      // A run that fails to join reports a CRASH again (and comes back here); a rejection is kafkajs refusing.
      consumer.run(runConfig).catch((failure: unknown) => {
        log.error({ err: failure }, 'could not restart the consumer');
        if (machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) machine.transitionTo(RUNNER_STATES.CRASHED);
      });
    });
  }

  /**
   * Commits offsets through the group, and resolves only once the coordinator accepted exactly these: kafkajs
   * returns without committing (and without an error) while its loop is stopped or restarting after a crash, which
   * must not pass for a commit. Rejects with OffsetCommitSkippedError then, or with kafkajs's error.
   */
  async function commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const current = consumer;
    if (!current) throw new OffsetCommitSkippedError('the offset commit was skipped: the consumer is not connected');
    const awaited = new Map(offsets.map((o) => [`${o.topic}:${o.partition}`, o.offset]));
    const check = (accepted: TopicOffsets[]) => {
      for (const { topic, partitions } of accepted) {
        for (const p of partitions) {
          const key = `${topic}:${p.partition}`;
          // kafkajs reports the offsets it sent as Longs, whatever its types say: compare their decimal text.
          if (awaited.get(key) === String(p.offset)) awaited.delete(key);
        }
      }
    };
    commitsInFlight.add(check);
    try {
      await current.commitOffsets(offsets);
    } finally {
      commitsInFlight.delete(check);
    }
    if (awaited.size > 0) throw new OffsetCommitSkippedError(`the offset commit was skipped by kafkajs (its loop was not running) for ${[...awaited.keys()].join(', ')}`);
  }

  /**
   * Pauses or resumes fetching of these partitions. kafkajs throws here only while it has no consumer group (its
   * loop restarting after a crash); nothing is lost then: its next group starts with nothing paused, and the
   * coordinator sets every partition again when the group is joined.
   */
  function setFetching(targets: TopicPartitions[], fetching: boolean) {
    try {
      if (fetching) consumer?.resume(targets);
      else consumer?.pause(targets);
    } catch (error) {
      log.debug({ err: error }, 'pause/resume while kafkajs restarts its loop');
    }
  }

  /**
   * Stops kafkajs's loop (leaving the group) and runs it again (after `reset`), so it re-reads the committed offsets
   * as after a rebalance; the way out when a commit failed for good, or when kafkajs carries on under a generation
   * the coordinator gave up. A failure to restart crashes the kernel.
   */
  async function restartConsumer(reset: () => void, reason: Rejoin['reason'] = 'commit failure') {
    try {
      if (!consumer || !machine.is(RUNNER_STATES.RUNNING)) return;
      await consumer.stop();
      reset();
      rejoined(reason);
      await consumer.run(runConfig);
    } catch (error) {
      log.error({ err: error }, 'could not restart the consumer');
      if (machine.is(RUNNER_STATES.RUNNING)) machine.transitionTo(RUNNER_STATES.CRASHED);
    }
  }

  const { IDLE, STARTING, RUNNING, DRAINING, STOPPED, CRASHED } = RUNNER_STATES;
  const guarded = createGuarded(machine, component, { start, stop }, {
    start: { allowed: [IDLE, STOPPED, CRASHED], ignored: [STARTING, RUNNING] },
    stop: { allowed: [STARTING, RUNNING, CRASHED], ignored: [IDLE, STOPPED, DRAINING] },
  });

  return {
    start: guarded.start as () => Promise<void>,
    stop: guarded.stop as () => Promise<void>,
    machine,
    timers,
    emit,
    restartConsumer,
    commitOffsets,
    setFetching,
    get consumer() {
      return consumer;
    },
    get producer() {
      return producer;
    },
    get admin() {
      return admin;
    },
  };
}

export type ConsumerKernel = ReturnType<typeof createConsumerKernel>;
