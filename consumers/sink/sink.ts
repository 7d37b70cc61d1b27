/**
 * The ClickHouse sink: consumes raw.results and sync.runs (group `sink`), batches rows per partition, inserts them
 * and commits the consumed offsets only after the warehouse accepted every table of the batch.
 *
 * Parts (each in its own file): translate.ts turns a message into rows or DLQ items; batcher.ts collects one
 * partition's batch; flusher.ts inserts a flush group (the sealed batches of many partitions) with deduplication
 * tokens and retries; intent.ts holds the token and intent formats; partitions.ts the per-partition state:
 *
 *   eachBatch ──translate──► PartitionBatcher ──sealed──► flush loop: record intent → insert tables → DLQ → commit
 *
 * kafkajs's eachBatch only translates and queues (it returns at once, so fetching and heartbeats never wait for
 * ClickHouse). Open batches are sealed together when their rows or bytes, all partitions together, reach the
 * batch limits, or when the oldest has waited batchAgeMs; one flush loop then inserts the sealed batches of all
 * partitions as one group: one insert per table, however many partitions feed it (few, large parts).
 *
 * Exactly-once (details in intent.ts): before a group's first insert, every member partition commits its current
 * offset again with the group (all members' ranges) as metadata: the intent; each table insert carries a token
 * derived from the group; after the last one every member commits past its range, in one request. A sink killed
 * anywhere in between leaves the intents behind, and whoever owns the partitions next re-forms exactly those
 * ranges and flushes them as the same group, so its inserts repeat the tokens and ClickHouse drops what already
 * landed. Crash windows:
 *   - before the intent commit: nothing was inserted; the ranges are re-batched freely;
 *   - after it, during or after the inserts: the group is re-formed and re-inserted, duplicates dropped by token;
 *   - after the final commit: done; the next batches start past it.
 * If the partitions of a group end up with different owners (several sink instances, a crash and a rebalance),
 * each re-forms its members as a new group: rows already inserted may then land twice physically, and
 * ReplacingMergeTree on the natural keys (FINAL) still counts each once. With one owner the tokens always hold.
 * DLQ entries of a group are sent before its final commit, so a crash in between may send them twice (at least
 * once); re-sinking a DLQ entry is idempotent (natural keys + tokens), so a duplicate entry is harmless.
 *
 * Back-pressure: while the warehouse is unavailable (a retriable error) the flusher retries the same insert with
 * capped backoff and every partition is paused; nothing is committed, nothing is dropped, and fetching resumes
 * when an insert succeeds. Partitions also pause while they hold two sealed batches, and all of them while the
 * buffered bytes exceed maxBufferedBytes. A group that failed for another reason (a commit, the DLQ send) is
 * retried as the same group: its members never join another group, so its tokens never change.
 *
 * Rebalances: on REBALANCING, on a crash the kernel restarts from (a broker restarting), and on a GROUP_JOIN that
 * came without either (a coordinator that forgot the member: kafkajs rejoins on UNKNOWN_MEMBER_ID silently), every
 * partition is revoked (its in-flight flush stops before its next step and commits nothing). On GROUP_JOIN the sink
 * waits for the flush loop to go idle, then reads the committed offsets and intents of its new assignment
 * (partitions.ts) before any message of it is translated, and sets every assigned partition's fetching afresh:
 * kafkajs keeps pauses across a rejoin. An offset commit counts only once the coordinator accepted it
 * (kernel.commitOffsets): kafkajs skips commits silently while it restarts its loop.
 *
 * Parts: sink-events.ts (its events and counters), flush-loop.ts (the flush phase), consumer-kernel.ts in
 * lib/kafka (connect, states and guarded start/stop, drain, close; shared with the runner). This file holds the
 * consuming and sealing phase, back-pressure and the assignment. States (lib/kafka/runner-states.ts): idle →
 * starting → running → draining → stopped; crashed from any.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import { RAW_RESULTS_TOPIC } from '../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC } from '../../lib/contracts/sync-run.js';
import { errorCode } from '../../lib/errors.js';
import { createIdempotentProducer, GROUP_TIMING } from '../../lib/kafka/client.js';
import { createConsumerKernel } from '../../lib/kafka/consumer-kernel.js';
import { INSTRUMENTATION_EVENTS } from '../../lib/kafka/instrumentation.js';
import { RUNNER_STATES } from '../../lib/kafka/runner-states.js';
import { createSafeEmit } from '../../lib/kafka/safe-emit.js';
import { backoff } from '../../lib/retry.js';
import { openBatchesDue } from './batcher.js';
import { createFlusher } from './flusher.js';
import { createFlushLoop } from './flush-loop.js';
import { compareOffsets, nextOffset } from './intent.js';
import { resolveTuning, WAREHOUSE_RETRY, type SinkOptions } from './options.js';
import { bufferedBytes, createPartitionState, fetchCommitted, partitionKey, type PartitionState } from './partitions.js';
import { SINK_EVENTS, type SinkEventMap, type SinkStats } from './sink-events.js';
import { createTranslator } from './translate.js';

export { MAX_GROUP_MEMBERS } from './flush-loop.js';

/** How long a batch waits for its assignment to load before kafkajs is let go (it heartbeats, then fetches it again). */
const ASSIGNMENT_WAIT_MS = 500;

/** Whether the promise settles within `ms`. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
export * from './sink-events.js';

export function createSink(options: SinkOptions) {
  const tuning = resolveTuning(options);
  const { kafka, warehouse, logger } = options;
  const groupId = kafka.topic(options.groupId ?? 'sink');
  const baseTopics = options.topics ?? [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC];
  const retry = options.retry ?? WAREHOUSE_RETRY;
  const log = logger.child({ groupId });
  const events = new EventEmitter<SinkEventMap>();
  const emit = createSafeEmit(events, log, 'sink');
  const translate = options.translator ?? createTranslator({
    registry: options.registry,
    hashBuyer: createBuyerHasher(options.buyerHashSalt),
    maxRecordBytes: tuning.maxRecordBytes,
  });
  const limits = { maxRows: tuning.batchRows, maxBytes: tuning.batchBytes, maxAgeMs: tuning.batchAgeMs };
  const stats: SinkStats = { rows: 0, groups: 0, messages: 0, dlq: 0, firstMessageAt: undefined, lastCommitAt: undefined };

  let partitions = new Map<string, PartitionState>();
  /** Settles once the current assignment's committed offsets and intents are loaded. */
  let assigned: Promise<void> = Promise.resolve();
  /** Set between REBALANCING and the end of the next assignment: settles `assigned` for whoever awaited it. */
  let settleAssigned: (() => void) | undefined;
  let warehouseDown = false;
  let ageTimer: NodeJS.Timeout | undefined;
  /** A rejoin the sink asked for (see eachBatch), until kafkajs's loop runs again. */
  let rejoining: Promise<void> | undefined;

  const kernel = createConsumerKernel({
    component: 'sink',
    kafka,
    groupId,
    topics: baseTopics.map((t) => kafka.topic(t)),
    log,
    consumerConfig: {
      sessionTimeout: tuning.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs ?? GROUP_TIMING.heartbeatIntervalMs,
      maxBytesPerPartition: tuning.maxBytesPerPartition,
      // A whole fetch, compressed: ~25× more once decompressed (see maxBytesPerPartition).
      maxBytes: Math.max(tuning.maxBytesPerPartition * 4, 2 * 1024 * 1024),
    },
    createProducer: () => createIdempotentProducer(kafka),
    drainTimeoutMs: tuning.drainTimeoutMs,
    eachBatch,
    hooks: {
      transition: (from, to) => emit(SINK_EVENTS.TRANSITION, { from, to }),
      listen(consumer) {
        // A fetch holding only transaction markers never reaches eachBatch; a replay's end may sit behind one.
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const state = partitions.get(partitionKey(payload.topic, payload.partition));
          if (!state?.endOffset || state.ended || compareOffsets(nextOffset(payload.lastOffset), state.endOffset) < 0) return;
          state.ended = true;
          sealDue(Date.now(), true);
          applyBackPressure();
          loop.pump();
        });
      },
      rebalancing() {
        revokeAll('rebalancing');
        if (!settleAssigned) assigned = new Promise((resolve) => (settleAssigned = resolve));
      },
      groupJoin(memberAssignment) {
        const settle = settleAssigned;
        settleAssigned = undefined;
        assigned = assign(memberAssignment).finally(() => settle?.());
      },
      restarted: () => revokeAll('consumer restart'),
      running() {
        ageTimer = kernel.timers.every(Math.max(10, Math.min(250, Math.floor(tuning.batchAgeMs / 4))), () => {
          sealDue(Date.now());
          loop.pump();
        });
      },
      /** Stops fetching, seals what is open, and lets pending batches land and commit (see stop()). */
      async drain() {
        kernel.timers.clear(ageTimer);
        for (const state of partitions.values()) kernel.setFetching([{ topic: state.topic, partitions: [state.partition] }], false);
        sealDue(Date.now(), true);
        loop.pump();
        while (loop.flushing) await loop.flushing;
      },
      drainTimedOut() {
        log.warn('drain timed out; leaving pending batches to the next owner');
        revokeAll('shutdown');
      },
      stopping() {
        revokeAll('stopped');
        settleAssigned?.();
      },
    },
  });
  const { machine } = kernel;

  const flusher = createFlusher({
    warehouse,
    tokenNamespace: options.tokenNamespace ?? 'sink',
    retry,
    logger: log,
    emit: kernel.emit,
    onUnavailable(error, attempt, delayMs, table) {
      if (!warehouseDown) {
        warehouseDown = true;
        applyBackPressure();
      }
      emit(SINK_EVENTS.WAREHOUSE_UNAVAILABLE, { error, attempt, delayMs });
      kernel.emit(INSTRUMENTATION_EVENTS.WAREHOUSE_UNAVAILABLE, { table, attempt, delayMs, errorClass: errorCode(error) });
    },
    onAvailable(downMs) {
      warehouseDown = false;
      applyBackPressure();
      emit(SINK_EVENTS.WAREHOUSE_AVAILABLE);
      kernel.emit(INSTRUMENTATION_EVENTS.WAREHOUSE_AVAILABLE, { downMs });
    },
    onTableInserted: (group, table) => options.onStage?.({ stage: 'table-inserted', group, table }),
  });

  const stateOf = (topic: string, partition: number) => partitions.get(partitionKey(kafka.topic(topic), partition));
  const loop = createFlushLoop({
    kernel, options, flusher, retry, log, stats, emit, stateOf, applyBackPressure,
    partitions: () => partitions.values(),
  });

  // ── consuming and sealing ────────────────────────────────────────────────────────────────────────────────────

  async function eachBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload) {
    // eachBatch runs on kafkajs's only loop, which also joins the group and heartbeats: never wait here for what
    // that loop has yet to do. A batch between REBALANCING and GROUP_JOIN means kafkajs's rejoin failed and it carries
    // on under the generation the sink revoked (a coordinator still loading after a broker restart answers
    // GROUP_LOAD_IN_PROGRESS, which kafkajs does not retry as a join): no GROUP_JOIN will hand it back, and waiting
    // for one stopped the heartbeats for good (seen in the broker-restart fault). Rejoin cleanly instead. While an
    // assignment loads (after GROUP_JOIN), wait a little; the batch is fetched again if it is not ready.
    if (settleAssigned) {
      rejoining ??= kernel.restartConsumer(() => revokeAll('rejoining'), 'consumer restart').finally(() => (rejoining = undefined));
      return;
    }
    if (!(await settlesWithin(assigned, ASSIGNMENT_WAIT_MS))) return;
    const state = partitions.get(partitionKey(batch.topic, batch.partition));
    if (!state || !machine.is(RUNNER_STATES.RUNNING)) return;
    const now = Date.now();
    stats.firstMessageAt ??= now;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || state.revoked.signal.aborted) return;
      if (state.endOffset !== undefined && compareOffsets(message.offset, state.endOffset) >= 0) {
        state.ended = true;
        break;
      }
      resolveOffset(message.offset);
      // Already committed (an offset commit that landed while the group rebalanced): already in the warehouse.
      if (state.committed !== undefined && compareOffsets(message.offset, state.committed) < 0) continue;
      const source = {
        topic: state.baseTopic, partition: state.partition, offset: message.offset,
        key: message.key?.toString(), value: message.value, headers: message.headers,
      };
      stats.messages += 1;
      const sealed = state.batcher.add(source, translate, now, options.include?.(source) ?? true);
      if (sealed.length > 0) state.sealed.push(...sealed);
    }
    if (state.endOffset !== undefined && compareOffsets(nextOffset(batch.lastOffset()), state.endOffset) >= 0) state.ended = true;
    sealDue(now, state.ended);
    applyBackPressure();
    loop.pump();
  }

  /**
   * Seals every open batch at once when, all partitions together, they reached the row or byte limit, or the
   * oldest waited batchAgeMs (or when told: a replay reached its end). Sealing them together lets one flush group
   * take them all. Partitions re-forming an intent are left alone: they seal at their intent's end.
   */
  function sealDue(now: number, force = false) {
    if (!force && !openBatchesDue([...partitions.values()].map((s) => s.batcher), limits, now)) return;
    for (const state of partitions.values()) {
      const batch = state.batcher.sealNow();
      if (batch) state.sealed.push(batch);
    }
  }

  /** Pauses or resumes each partition as the rules in the file comment say. */
  function applyBackPressure() {
    if (!machine.is(RUNNER_STATES.RUNNING)) return;
    let total = 0;
    for (const state of partitions.values()) total += bufferedBytes(state);
    const overBudget = total > tuning.maxBufferedBytes;
    for (const state of partitions.values()) {
      // A partition re-forming an intent must reach the intent's end to make progress: never starve it.
      const pause = warehouseDown || state.ended || state.sealed.length >= 2 || (overBudget && state.batcher.resume === undefined);
      if (pause === state.paused) continue;
      state.paused = pause;
      kernel.setFetching([{ topic: state.topic, partitions: [state.partition] }], !pause);
    }
  }

  // ── assignment ───────────────────────────────────────────────────────────────────────────────────────────────

  function revokeAll(reason: string) {
    for (const state of partitions.values()) state.revoked.abort(new Error(reason));
    partitions = new Map();
  }

  async function assign(memberAssignment: Record<string, number[]>) {
    revokeAll('rebalanced');
    // Let the revoked flush stop first: its commits must not race the offsets read below.
    await loop.flushing;
    for (let attempt = 1; ; attempt++) {
      try {
        const committed = await fetchCommitted(kernel.admin!, groupId, memberAssignment);
        const next = new Map<string, PartitionState>();
        for (const [topic, numbers] of Object.entries(memberAssignment)) {
          const baseTopic = kafka.baseTopic(topic);
          for (const partition of numbers) {
            const end = options.endOffsets?.get(baseTopic)?.get(partition);
            const state = createPartitionState(topic, baseTopic, partition, limits, committed.get(partitionKey(topic, partition)), end);
            next.set(state.key, state);
          }
        }
        partitions = next;
        const summary = [...next.values()].map((s) => ({ topic: s.baseTopic, partition: s.partition, committed: s.committed, resumed: s.batcher.resume !== undefined }));
        log.info({ partitions: summary.length, resuming: summary.filter((s) => s.resumed).length }, 'partitions assigned');
        // kafkajs keeps its paused partitions across a rejoin (only a crash gives it a fresh set): one paused under the
        // previous assignment (back-pressure) would never be fetched again while its new state says it fetches.
        for (const state of next.values()) {
          state.paused = state.ended;
          kernel.setFetching([{ topic: state.topic, partitions: [state.partition] }], !state.ended);
        }
        emit(SINK_EVENTS.ASSIGNED, { partitions: summary });
        applyBackPressure();
        return;
      } catch (error) {
        if (!machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) return;
        log.warn({ err: error, attempt }, 'could not read committed offsets of the new assignment; retrying');
        await sleep(backoff(attempt, retry));
      }
    }
  }

  /** Replays: every assigned partition consumed to its end offset and committed. */
  function caughtUp(): boolean {
    if (partitions.size === 0) return false;
    for (const state of partitions.values()) {
      if (!state.ended || state.sealed.length > 0 || state.batcher.isOpen || state.batcher.resume) return false;
    }
    return !loop.flushing;
  }

  return {
    start: kernel.start,
    /**
     * Drains: stops fetching, seals what is open, and gives pending batches `drainTimeoutMs` to land and commit;
     * then leaves the group. What did not land stays uncommitted (with its intent) for the next owner.
     */
    stop: kernel.stop,
    events,
    stats,
    caughtUp,
    get state() {
      return machine.state;
    },
    /** Partitions this instance has paused (back-pressure), as `topic:partition` (base topic names). */
    paused(): string[] {
      return [...partitions.values()].filter((s) => s.paused).map((s) => partitionKey(s.baseTopic, s.partition));
    },
    /** Committed offset per `topic:partition` (base topic names), as this instance knows them. */
    committed(): Record<string, string | undefined> {
      return Object.fromEntries([...partitions.values()].map((s) => [partitionKey(s.baseTopic, s.partition), s.committed]));
    },
  };
}

export type Sink = ReturnType<typeof createSink>;
