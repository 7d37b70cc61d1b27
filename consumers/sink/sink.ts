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
 * Rebalances: on REBALANCING every partition is revoked (its in-flight flush stops before its next step and
 * commits nothing). On GROUP_JOIN the sink waits for the flush loop to go idle, then reads the committed offsets
 * and intents of its new assignment (partitions.ts) before any message of it is translated.
 *
 * States (lib/kafka/runner-states.ts): idle → starting → running → draining → stopped; crashed from any.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { CompressionTypes, type Admin, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import { RAW_RESULTS_TOPIC } from '../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC } from '../../lib/contracts/sync-run.js';
import { errorMessage } from '../../lib/errors.js';
import { createGroupConsumer, createIdempotentProducer, GROUP_TIMING } from '../../lib/kafka/client.js';
import { createStateMachine, RUNNER_STATES, type RunnerState } from '../../lib/kafka/runner-states.js';
import { backoff } from '../../lib/retry.js';
import { ATTR, SPAN, TRACER_NAME } from '../../otel/attributes.js';
import { openBatchesDue, type Batch } from './batcher.js';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import { dlqMessage, type DlqItem } from './dlq.js';
import { createFlusher, type FlushGroup } from './flusher.js';
import { pickGroup } from './group-picker.js';
import { traceOf } from './group-trace.js';
import { compareOffsets, encodeIntent, nextOffset } from './intent.js';
import { resolveTuning, WAREHOUSE_RETRY, type SinkOptions } from './options.js';
import { bufferedBytes, createPartitionState, fetchCommitted, partitionKey, type PartitionState } from './partitions.js';
import { TABLES } from '../../lib/model/tables.js';
import { createTranslator } from './translate.js';

export const SINK_EVENTS = {
  TRANSITION: 'sink.transition',
  GROUP_COMMITTED: 'group.committed',
  DLQ_SENT: 'dlq.sent',
  WAREHOUSE_UNAVAILABLE: 'warehouse.unavailable',
  WAREHOUSE_AVAILABLE: 'warehouse.available',
  ASSIGNED: 'partitions.assigned',
} as const;

export interface GroupCommitted {
  id: string;
  /** Member ranges, `topic:partition:first-last`. */
  members: string[];
  rows: number;
  rowsByTable: Record<string, number>;
  messages: number;
  dlq: number;
  resumed: boolean;
  durationMs: number;
}

export interface SinkEventMap {
  [SINK_EVENTS.TRANSITION]: [{ from: RunnerState; to: RunnerState }];
  [SINK_EVENTS.GROUP_COMMITTED]: [GroupCommitted];
  [SINK_EVENTS.DLQ_SENT]: [{ items: DlqItem[] }];
  [SINK_EVENTS.WAREHOUSE_UNAVAILABLE]: [{ error: unknown; attempt: number; delayMs: number }];
  [SINK_EVENTS.WAREHOUSE_AVAILABLE]: [];
  [SINK_EVENTS.ASSIGNED]: [{ partitions: { topic: string; partition: number; committed?: string; resumed: boolean }[] }];
}

export interface SinkStats {
  rows: number;
  groups: number;
  messages: number;
  dlq: number;
  firstMessageAt: number | undefined;
  lastCommitAt: number | undefined;
}

/**
 * Most partitions in one flush group: every member's offset metadata lists the whole group (~32 bytes each), and
 * Kafka keeps at most offset.metadata.max.bytes (4096 by default) of it.
 */
export const MAX_GROUP_MEMBERS = 96;

export function createSink(options: SinkOptions) {
  const tuning = resolveTuning(options);
  const { kafka, warehouse, logger } = options;
  const groupId = kafka.topic(options.groupId ?? 'sink');
  const baseTopics = options.topics ?? [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC];
  const retry = options.retry ?? WAREHOUSE_RETRY;
  const log = logger.child({ groupId });
  const tracer = trace.getTracer(TRACER_NAME);
  const events = new EventEmitter<SinkEventMap>();
  const translate = options.translator ?? createTranslator({
    registry: options.registry,
    hashBuyer: createBuyerHasher(options.buyerHashSalt),
    maxRecordBytes: tuning.maxRecordBytes,
  });
  const limits = { maxRows: tuning.batchRows, maxBytes: tuning.batchBytes, maxAgeMs: tuning.batchAgeMs };
  const machine = createStateMachine((from, to) => {
    log.info({ from, to }, 'sink state');
    safeEmit(SINK_EVENTS.TRANSITION, { from, to });
  });
  const stats: SinkStats = { rows: 0, groups: 0, messages: 0, dlq: 0, firstMessageAt: undefined, lastCommitAt: undefined };

  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let partitions = new Map<string, PartitionState>();
  /** Settles once the current assignment's committed offsets and intents are loaded. */
  let assigned: Promise<void> = Promise.resolve();
  /** Set between REBALANCING and the end of the next assignment: settles `assigned` for whoever awaited it. */
  let settleAssigned: (() => void) | undefined;
  let warehouseDown = false;
  let ageTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  /** Groups whose DLQ entries were sent, so a retried flush of the same group does not send them again. */
  const sentDlq = new Set<string>();

  const flusher = createFlusher({
    warehouse,
    tokenNamespace: options.tokenNamespace ?? 'sink',
    retry,
    logger: log,
    onUnavailable(error, attempt, delayMs) {
      if (!warehouseDown) {
        warehouseDown = true;
        applyBackPressure();
      }
      safeEmit(SINK_EVENTS.WAREHOUSE_UNAVAILABLE, { error, attempt, delayMs });
    },
    onAvailable() {
      warehouseDown = false;
      applyBackPressure();
      safeEmit(SINK_EVENTS.WAREHOUSE_AVAILABLE);
    },
    onTableInserted: (group, table) => options.onStage?.({ stage: 'table-inserted', group, table }),
  });

  function safeEmit<E extends keyof SinkEventMap>(event: E, ...args: SinkEventMap[E]) {
    try {
      (events.emit as (e: E, ...a: SinkEventMap[E]) => boolean)(event, ...args);
    } catch (error) {
      log.error({ err: error, event }, 'a sink event listener threw');
    }
  }

  // ── consuming and sealing ────────────────────────────────────────────────────────────────────────────────────

  async function eachBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload) {
    await assigned;
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
    pump();
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
    if (!consumer || !machine.is(RUNNER_STATES.RUNNING)) return;
    let total = 0;
    for (const state of partitions.values()) total += bufferedBytes(state);
    const overBudget = total > tuning.maxBufferedBytes;
    for (const state of partitions.values()) {
      // A partition re-forming an intent must reach the intent's end to make progress: never starve it.
      const pause = warehouseDown || state.ended || state.sealed.length >= 2 || (overBudget && state.batcher.resume === undefined);
      if (pause === state.paused) continue;
      state.paused = pause;
      const target = [{ topic: state.topic, partitions: [state.partition] }];
      if (pause) consumer.pause(target);
      else consumer.resume(target);
    }
  }

  // ── flushing ─────────────────────────────────────────────────────────────────────────────────────────────────

  function pump() {
    if (flushing || machine.is(RUNNER_STATES.STOPPED, RUNNER_STATES.CRASHED)) return;
    flushing = flushLoop().finally(() => {
      flushing = undefined;
      if (nextGroup()) pump();
    });
  }

  const stateOf = (topic: string, partition: number) => partitions.get(partitionKey(kafka.topic(topic), partition));

  /** The next flush group (group-picker.ts); members of a group that cannot be repeated lose their intent. */
  function nextGroup(): FlushGroup | undefined {
    for (;;) {
      const choice = pickGroup(partitions.values(), stateOf, MAX_GROUP_MEMBERS);
      if (choice.kind !== 'broken') return choice.kind === 'group' ? choice.group : undefined;
      log.warn({ group: choice.intent.id, members: choice.intent.members.length, here: choice.heads.length },
        'a flush group cannot be re-formed whole (a member moved to another instance, or its range is gone); its members here are flushed as a new group');
      for (const head of choice.heads) {
        const state = stateOf(head.topic, head.partition);
        if (state?.sealed[0] === head) state.sealed[0] = { ...head, resumed: undefined };
      }
    }
  }

  async function flushLoop() {
    for (let group = nextGroup(); group; group = nextGroup()) {
      // The same group until it lands or a member is revoked: its members never join another group.
      for (let failures = 0; ; ) {
        try {
          await flushGroup(group);
          break;
        } catch (error) {
          if (!group.batches.every((b) => isCurrent(b))) {
            log.info({ group: group.intent.id, reason: errorMessage(error) }, 'dropped a flush group of revoked partitions; their next owner re-forms it');
            break;
          }
          // Not a warehouse outage (the flusher rides those out): a commit or the DLQ send failed. The flush is
          // idempotent (intents re-recorded, inserts dropped by token), so the same group is simply tried again.
          failures += 1;
          log.error({ err: error, group: group.intent.id, failures }, 'could not complete a flush group; retrying it');
          await sleep(backoff(failures, retry)).catch(() => undefined);
        }
      }
      applyBackPressure();
    }
  }

  function isCurrent(batch: Batch): boolean {
    const state = stateOf(batch.topic, batch.partition);
    return state !== undefined && !state.revoked.signal.aborted && state.sealed[0] === batch;
  }

  async function flushGroup(group: FlushGroup) {
    const started = Date.now();
    const states = group.batches.map((b) => stateOf(b.topic, b.partition)!);
    const signal = AbortSignal.any(states.map((s) => s.revoked.signal));
    const { parent, links } = traceOf(group);
    const span = tracer.startSpan(SPAN.PROCESS(group.batches[0]!.topic), {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: group.batches[0]!.topic, [ATTR.MESSAGING_GROUP]: groupId,
        [ATTR.RECORDS]: group.batches.reduce((n, b) => n + b.messages.length, 0), [ATTR.ROWS]: group.batches.reduce((n, b) => n + b.rows.count, 0),
      },
    }, parent);
    const spanContext = trace.setSpan(parent, span);
    try {
      if (!group.resumed) {
        const metadata = encodeIntent(group.intent);
        await commit(group, (b) => ({ offset: b.range.first, metadata }));
        await options.onStage?.({ stage: 'intent-recorded', group });
      }
      const refused = await context.with(spanContext, () => flusher.flush(group, signal, spanContext));
      const dlq = group.batches.flatMap((b) => b.dlq).concat(refused);
      if (dlq.length > 0 && !sentDlq.has(group.intent.id)) {
        await sendDlq(dlq);
        sentDlq.add(group.intent.id);
      }
      await commit(group, (b) => ({ offset: nextOffset(b.range.last), metadata: '' }));
      sentDlq.delete(group.intent.id);
      group.batches.forEach((batch, i) => {
        const state = states[i]!;
        state.committed = nextOffset(batch.range.last);
        if (state.sealed[0] === batch) state.sealed.shift();
      });
      recordCommitted(group, dlq.length, Date.now() - started);
      await options.onStage?.({ stage: 'committed', group });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** One offset commit for every member of the group (one request: the broker writes it as one record batch). */
  async function commit(group: FlushGroup, at: (batch: Batch) => { offset: string; metadata: string }) {
    // A revoked partition's offsets belong to its next owner: never commit over them.
    if (!consumer || !group.batches.every((b) => isCurrent(b))) throw new Error(`a partition of flush group ${group.intent.id} is no longer assigned`);
    await consumer.commitOffsets(group.batches.map((b) => ({ topic: kafka.topic(b.topic), partition: b.partition, ...at(b) })));
  }

  async function sendDlq(items: DlqItem[]) {
    if (!producer) throw new Error('the DLQ producer is not connected');
    const messages = items.map((item) => dlqMessage(item));
    // One request per entry: an entry may carry a whole 10 MB record, and a request is one record batch per
    // partition, bounded by the topic's max.message.bytes; gzip keeps even those well under it.
    for (const m of messages) {
      await producer.send({ topic: kafka.topic(m.topic), acks: -1, compression: CompressionTypes.GZIP, messages: [{ key: m.key, value: m.value, headers: m.headers }] });
    }
    stats.dlq += items.length;
    log.warn({ count: items.length, reasons: items.slice(0, 5).map((i) => i.reason) }, 'sent to the DLQ');
    safeEmit(SINK_EVENTS.DLQ_SENT, { items });
  }

  function recordCommitted(group: FlushGroup, dlq: number, durationMs: number) {
    const rowsByTable: Record<string, number> = {};
    let rows = 0;
    for (const table of TABLES) {
      const n = group.batches.reduce((sum, b) => sum + b.rows.rowsOf(table).length, 0);
      if (n > 0) rowsByTable[table] = n;
      rows += n;
    }
    stats.rows += rows;
    stats.groups += 1;
    stats.lastCommitAt = Date.now();
    log.debug({ group: group.intent.id, members: group.batches.length, rows, durationMs }, 'flush group committed');
    safeEmit(SINK_EVENTS.GROUP_COMMITTED, {
      id: group.intent.id,
      members: group.intent.members.map((m) => `${m.topic}:${m.partition}:${m.first}-${m.last}`),
      rows, rowsByTable, messages: group.batches.reduce((n, b) => n + b.messages.length, 0), dlq, resumed: group.resumed, durationMs,
    });
  }

  // ── assignment ───────────────────────────────────────────────────────────────────────────────────────────────

  function revokeAll(reason: string) {
    for (const state of partitions.values()) state.revoked.abort(new Error(reason));
    partitions = new Map();
  }

  async function assign(memberAssignment: Record<string, number[]>) {
    revokeAll('rebalanced');
    // Let the revoked flush stop first: its commits must not race the offsets read below.
    await flushing;
    for (let attempt = 1; ; attempt++) {
      try {
        const committed = await fetchCommitted(admin!, groupId, memberAssignment);
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
        safeEmit(SINK_EVENTS.ASSIGNED, { partitions: summary });
        for (const state of next.values()) if (state.ended) consumer?.pause([{ topic: state.topic, partitions: [state.partition] }]);
        return;
      } catch (error) {
        if (!machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) return;
        log.warn({ err: error, attempt }, 'could not read committed offsets of the new assignment; retrying');
        await sleep(backoff(attempt, retry));
      }
    }
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────────────────────

  async function start() {
    if (machine.is(RUNNER_STATES.STARTING, RUNNER_STATES.RUNNING)) return;
    machine.transitionTo(RUNNER_STATES.STARTING);
    try {
      admin = kafka.kafka.admin();
      await admin.connect();
      producer = createIdempotentProducer(kafka);
      await producer.connect();
      consumer = createGroupConsumer(kafka, groupId, {
        sessionTimeout: tuning.sessionTimeoutMs,
        heartbeatInterval: options.heartbeatIntervalMs ?? GROUP_TIMING.heartbeatIntervalMs,
        maxBytesPerPartition: tuning.maxBytesPerPartition,
        maxBytes: Math.max(tuning.maxBytesPerPartition * 4, 16 * 1024 * 1024),
      });
      consumer.on(consumer.events.REBALANCING, () => {
        revokeAll('rebalancing');
        if (!settleAssigned) assigned = new Promise((resolve) => (settleAssigned = resolve));
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const settle = settleAssigned;
        settleAssigned = undefined;
        assigned = assign(payload.memberAssignment).finally(() => settle?.());
      });
      // A fetch holding only transaction markers never reaches eachBatch; a replay's end may sit behind one.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const state = partitions.get(partitionKey(payload.topic, payload.partition));
        if (!state?.endOffset || state.ended || compareOffsets(nextOffset(payload.lastOffset), state.endOffset) < 0) return;
        state.ended = true;
        sealDue(Date.now(), true);
        applyBackPressure();
        pump();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        log.error({ err: payload.error, restart: payload.restart }, 'kafkajs consumer crashed');
        if (payload.restart) revokeAll('consumer restart');
        else if (machine.is(RUNNER_STATES.RUNNING, RUNNER_STATES.STARTING)) machine.transitionTo(RUNNER_STATES.CRASHED);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: baseTopics.map((t) => kafka.topic(t)), fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
      ageTimer = setInterval(() => {
        sealDue(Date.now());
        pump();
      }, Math.max(10, Math.min(250, Math.floor(tuning.batchAgeMs / 4))));
      ageTimer.unref();
      machine.transitionTo(RUNNER_STATES.RUNNING);
    } catch (error) {
      machine.transitionTo(RUNNER_STATES.CRASHED);
      await closeConnections();
      throw error;
    }
  }

  /**
   * Drains: stops fetching, seals what is open, and gives pending batches `drainTimeoutMs` to land and commit;
   * then leaves the group. What did not land stays uncommitted (with its intent) for the next owner.
   */
  async function stop() {
    if (machine.is(RUNNER_STATES.IDLE, RUNNER_STATES.STOPPED, RUNNER_STATES.DRAINING)) return;
    if (!machine.is(RUNNER_STATES.CRASHED)) {
      machine.transitionTo(RUNNER_STATES.DRAINING);
      clearInterval(ageTimer);
      for (const state of partitions.values()) consumer?.pause([{ topic: state.topic, partitions: [state.partition] }]);
      sealDue(Date.now(), true);
      pump();
      const timeout = setTimeout(() => {
        log.warn('drain timed out; leaving pending batches to the next owner');
        revokeAll('shutdown');
      }, tuning.drainTimeoutMs);
      while (flushing) await flushing;
      clearTimeout(timeout);
    }
    revokeAll('stopped');
    settleAssigned?.();
    await closeConnections();
    machine.transitionTo(RUNNER_STATES.STOPPED);
  }

  async function closeConnections() {
    clearInterval(ageTimer);
    await consumer?.disconnect().catch((error) => log.warn({ err: error }, 'consumer disconnect failed'));
    await producer?.disconnect().catch((error) => log.warn({ err: error }, 'producer disconnect failed'));
    await admin?.disconnect().catch(() => undefined);
    consumer = undefined;
    producer = undefined;
    admin = undefined;
  }

  /** Replays: every assigned partition consumed to its end offset and committed. */
  function caughtUp(): boolean {
    if (partitions.size === 0) return false;
    for (const state of partitions.values()) {
      if (!state.ended || state.sealed.length > 0 || state.batcher.isOpen || state.batcher.resume) return false;
    }
    return !flushing;
  }

  return {
    start,
    stop,
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
