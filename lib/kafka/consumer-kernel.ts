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
 * Timers made through `timers` are unref'd (they never keep a process alive) and all cleared on close. Events go
 * through safeEmit (safe-emit.ts) and the instrumentation bus (instrumentation.ts): a listener never crashes it.
 */
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, Producer } from 'kafkajs';
import type { Logger } from '../logger.js';
import { createGroupConsumer, type KafkaContext } from './client.js';
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
  /** kafkajs crashed and restarts its loop: it re-reads the committed offsets. */
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
      consumer = createGroupConsumer(kafka, groupId, options.consumerConfig);
      consumer.on(consumer.events.REBALANCING, () => {
        hooks.rebalancing();
        rejoined('rebalancing');
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => hooks.groupJoin(payload.memberAssignment));
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        log.error({ err: payload.error, restart: payload.restart }, 'kafkajs consumer crashed');
        if (payload.restart) {
          hooks.restarted();
          rejoined('consumer restart');
        } else if (machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) machine.transitionTo(RUNNER_STATES.CRASHED);
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

  /**
   * Stops kafkajs's loop and runs it again (after `reset`), so it re-reads the committed offsets as after a
   * rebalance; the way out when a commit failed for good. A failure to restart crashes the kernel.
   */
  async function restartConsumer(reset: () => void) {
    try {
      if (!consumer || !machine.is(RUNNER_STATES.RUNNING)) return;
      await consumer.stop();
      reset();
      rejoined('commit failure');
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
