/**
 * The ClickHouse sink: consumes raw.results and sync.runs (group `sink`), batches rows per partition, inserts them
 * and commits the consumed offsets only after the warehouse accepted every table of the batch.
 *
 * Parts (each in its own file): translate.ts turns a message into rows or DLQ items; batcher.ts decides when a
 * partition's batch is due; flusher.ts inserts a batch with deduplication tokens and retries; intent.ts holds the
 * token and intent formats; partitions.ts the per-partition state. This file joins them:
 *
 *   eachBatch ──translate──► PartitionBatcher ──sealed──► flush loop: record intent → insert tables → DLQ → commit
 *
 * kafkajs's eachBatch only translates and queues (it returns at once, so fetching and heartbeats never wait for
 * ClickHouse); one flush loop lands sealed batches one at a time (the embedded engine serialises calls anyway).
 *
 * Exactly-once, per partition (details in intent.ts): before a batch's first insert its range is committed as an
 * intent in the offset metadata; every table insert carries a token derived from that range; after the last one
 * the offset past the batch is committed. A sink killed anywhere in between leaves the intent behind, and whoever
 * owns the partition next re-forms exactly that range, so its inserts repeat the tokens and ClickHouse drops what
 * already landed. Crash windows:
 *   - before the intent commit: nothing was inserted; the range is re-batched freely;
 *   - after it, during or after the inserts: the range is re-formed and re-inserted, duplicates dropped by token;
 *   - after the final commit: done; the next batch starts past it.
 * DLQ entries of a batch are sent before its final commit, so a crash in between may send them twice (at least
 * once); re-sinking a DLQ entry is idempotent (natural keys + tokens), so a duplicate entry is harmless.
 *
 * Back-pressure: while the warehouse is unavailable (a retriable error) the flusher retries the same insert with
 * capped backoff and every partition is paused; nothing is committed, nothing is dropped, and fetching resumes
 * when an insert succeeds. Partitions also pause while they hold two sealed batches, and all of them while the
 * buffered bytes exceed maxBufferedBytes.
 *
 * Rebalances: on REBALANCING every partition is revoked (its in-flight flush stops before its next step and
 * commits nothing). On GROUP_JOIN the sink waits for the flush loop to go idle, then reads the committed offsets
 * and intents of its new assignment (partitions.ts) before any message of it is translated.
 *
 * States (lib/kafka/runner-states.ts): idle → starting → running → draining → stopped; crashed from any.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace, type Context, type Link } from '@opentelemetry/api';
import { CompressionTypes, type Admin, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import { RAW_RESULTS_TOPIC } from '../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC } from '../../lib/contracts/sync-run.js';
import { errorMessage } from '../../lib/errors.js';
import { createGroupConsumer, createIdempotentProducer } from '../../lib/kafka/client.js';
import { createStateMachine, RUNNER_STATES, type RunnerState } from '../../lib/kafka/runner-states.js';
import { backoff } from '../../lib/retry.js';
import { ATTR, SPAN, TRACER_NAME } from '../../otel/attributes.js';
import { extractTraceContext } from '../../otel/propagation.js';
import type { Batch } from './batcher.js';
import { createBuyerHasher } from './buyer-hash.js';
import { dlqMessage, type DlqItem } from './dlq.js';
import { createFlusher } from './flusher.js';
import { compareOffsets, encodeIntent, nextOffset } from './intent.js';
import { resolveTuning, WAREHOUSE_RETRY, type SinkOptions } from './options.js';
import { bufferedBytes, createPartitionState, fetchCommitted, partitionKey, type PartitionState } from './partitions.js';
import { createTranslator } from './translate.js';

export const SINK_EVENTS = {
  TRANSITION: 'sink.transition',
  BATCH_COMMITTED: 'batch.committed',
  DLQ_SENT: 'dlq.sent',
  WAREHOUSE_UNAVAILABLE: 'warehouse.unavailable',
  WAREHOUSE_AVAILABLE: 'warehouse.available',
  ASSIGNED: 'partitions.assigned',
} as const;

export interface BatchCommitted {
  topic: string;
  partition: number;
  first: string;
  last: string;
  rows: number;
  rowsByTable: Record<string, number>;
  messages: number;
  dlq: number;
  resumed: boolean;
  durationMs: number;
}

export interface SinkEventMap {
  [SINK_EVENTS.TRANSITION]: [{ from: RunnerState; to: RunnerState }];
  [SINK_EVENTS.BATCH_COMMITTED]: [BatchCommitted];
  [SINK_EVENTS.DLQ_SENT]: [{ items: DlqItem[] }];
  [SINK_EVENTS.WAREHOUSE_UNAVAILABLE]: [{ error: unknown; attempt: number; delayMs: number }];
  [SINK_EVENTS.WAREHOUSE_AVAILABLE]: [];
  [SINK_EVENTS.ASSIGNED]: [{ partitions: { topic: string; partition: number; committed?: string; resumed: boolean }[] }];
}

export interface SinkStats {
  rows: number;
  batches: number;
  messages: number;
  dlq: number;
  firstMessageAt: number | undefined;
  lastCommitAt: number | undefined;
}

/** Most span links a batch span carries (one per distinct producing trace). */
const MAX_SPAN_LINKS = 32;

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
  const stats: SinkStats = { rows: 0, batches: 0, messages: 0, dlq: 0, firstMessageAt: undefined, lastCommitAt: undefined };

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
    onTableInserted: (batch, table) => options.onStage?.({ stage: 'table-inserted', batch, table }),
  });

  function safeEmit<E extends keyof SinkEventMap>(event: E, ...args: SinkEventMap[E]) {
    try {
      (events.emit as (e: E, ...a: SinkEventMap[E]) => boolean)(event, ...args);
    } catch (error) {
      log.error({ err: error, event }, 'a sink event listener threw');
    }
  }

  // ── consuming ────────────────────────────────────────────────────────────────────────────────────────────────

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
      state.sealed.push(...state.batcher.add(source, translate, now, options.include?.(source) ?? true));
    }
    if (state.endOffset !== undefined && compareOffsets(nextOffset(batch.lastOffset()), state.endOffset) >= 0) state.ended = true;
    if (state.ended) sealAtEnd(state);
    applyBackPressure();
    pump();
  }

  /** A replayed partition consumed up to its end: what is open lands now, not after the age bound. */
  function sealAtEnd(state: PartitionState) {
    const batch = state.batcher.sealNow();
    if (batch) state.sealed.push(batch);
  }

  function sealAged() {
    const now = Date.now();
    for (const state of partitions.values()) {
      const batch = state.batcher.sealIfDue(now);
      if (batch) state.sealed.push(batch);
    }
    pump();
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
      if (nextSealed()) pump();
    });
  }

  /** The partition whose oldest sealed batch is the oldest overall. */
  function nextSealed(): PartitionState | undefined {
    let best: PartitionState | undefined;
    for (const state of partitions.values()) {
      const head = state.sealed[0];
      if (head && (!best || head.openedAt < (best.sealed[0] as Batch).openedAt)) best = state;
    }
    return best;
  }

  async function flushLoop() {
    for (let failures = 0; ; ) {
      const state = nextSealed();
      if (!state) return;
      const batch = state.sealed[0] as Batch;
      try {
        await flushBatch(state, batch);
        failures = 0;
      } catch (error) {
        if (isCurrent(state)) {
          // Not a warehouse outage (the flusher rides those out): a commit or DLQ send failed. The flush is
          // idempotent (intent re-recorded, inserts dropped by token), so it is simply tried again.
          failures += 1;
          log.error({ err: error, partition: state.partition, range: batch.range, failures }, 'could not complete a batch; retrying it');
          await sleep(backoff(failures, retry)).catch(() => undefined);
          continue;
        }
        log.info({ partition: state.partition, range: batch.range, reason: errorMessage(error) }, 'dropped a batch of a revoked partition; its next owner re-forms it');
      }
      if (state.sealed[0] === batch) state.sealed.shift();
      applyBackPressure();
    }
  }

  const isCurrent = (state: PartitionState) => partitions.get(state.key) === state && !state.revoked.signal.aborted;

  async function flushBatch(state: PartitionState, batch: Batch) {
    const started = Date.now();
    const { parent, links } = traceOf(batch);
    const span = tracer.startSpan(SPAN.PROCESS(batch.topic), {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: batch.topic, [ATTR.MESSAGING_PARTITION]: String(batch.partition),
        [ATTR.MESSAGING_OFFSET]: batch.range.first, [ATTR.MESSAGING_GROUP]: groupId, [ATTR.ROWS]: batch.rows.count, [ATTR.RECORDS]: batch.messages.length,
      },
    }, parent);
    const spanContext = trace.setSpan(parent, span);
    try {
      if (!batch.resumed) {
        await commit(state, batch.range.first, encodeIntent(batch.range));
        await options.onStage?.({ stage: 'intent-recorded', batch });
      }
      const refused = await context.with(spanContext, () => flusher.flush(batch, state.revoked.signal, spanContext));
      const dlq = batch.dlq.concat(refused);
      if (dlq.length > 0 && !sentDlq.has(batch)) {
        await sendDlq(dlq);
        sentDlq.add(batch);
      }
      await commit(state, nextOffset(batch.range.last), '');
      state.committed = nextOffset(batch.range.last);
      recordCommitted(batch, dlq.length, Date.now() - started);
      await options.onStage?.({ stage: 'committed', batch });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Batches whose DLQ entries were sent, so a retried flush does not send them again. */
  const sentDlq = new WeakSet<Batch>();

  async function commit(state: PartitionState, offset: string, metadata: string) {
    // A revoked partition's offsets belong to its next owner: never commit over them.
    state.revoked.signal.throwIfAborted();
    if (!isCurrent(state) || !consumer) throw new Error(`partition ${state.key} is no longer assigned`);
    await consumer.commitOffsets([{ topic: state.topic, partition: state.partition, offset, metadata }]);
  }

  async function sendDlq(items: DlqItem[]) {
    if (!producer) throw new Error('the DLQ producer is not connected');
    const messages = items.map((item) => dlqMessage(item));
    await producer.send({
      topic: kafka.topic(messages[0]!.topic),
      acks: -1,
      // A DLQ entry carries a whole record or message (up to 10 MB seen); gzip keeps it under the topic's limit.
      compression: CompressionTypes.GZIP,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    });
    stats.dlq += items.length;
    log.warn({ count: items.length, reasons: items.slice(0, 5).map((i) => i.reason) }, 'sent to the DLQ');
    safeEmit(SINK_EVENTS.DLQ_SENT, { items });
  }

  function recordCommitted(batch: Batch, dlq: number, durationMs: number) {
    const rowsByTable: Record<string, number> = {};
    for (const table of batch.rows.tables()) rowsByTable[table] = batch.rows.rowsOf(table).length;
    stats.rows += batch.rows.count;
    stats.batches += 1;
    stats.lastCommitAt = Date.now();
    log.debug({ partition: batch.partition, range: batch.range, rows: batch.rows.count, durationMs }, 'batch committed');
    safeEmit(SINK_EVENTS.BATCH_COMMITTED, {
      topic: batch.topic, partition: batch.partition, first: batch.range.first, last: batch.range.last, rows: batch.rows.count,
      rowsByTable, messages: batch.messages.length, dlq, resumed: batch.resumed, durationMs,
    });
  }

  /** The batch span's parent: the first producing job's context; the other jobs' contexts become links. */
  function traceOf(batch: Batch): { parent: Context; links: Link[] } {
    let parent: Context | undefined;
    const links: Link[] = [];
    const seen = new Set<string>();
    for (const message of batch.messages) {
      const ctx = extractTraceContext(message.headers);
      const spanContext = trace.getSpanContext(ctx);
      if (!spanContext || seen.has(spanContext.traceId)) continue;
      seen.add(spanContext.traceId);
      if (!parent) parent = ctx;
      else if (links.length < MAX_SPAN_LINKS) links.push({ context: spanContext });
      else break;
    }
    return { parent: parent ?? context.active(), links };
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
        heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
        maxBytesPerPartition: tuning.maxBytesPerPartition,
        maxBytes: Math.max(tuning.maxBytesPerPartition * 4, 32 * 1024 * 1024),
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
        sealAtEnd(state);
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
      ageTimer = setInterval(sealAged, Math.max(10, Math.min(250, Math.floor(tuning.batchAgeMs / 4))));
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
      for (const state of partitions.values()) {
        consumer?.pause([{ topic: state.topic, partitions: [state.partition] }]);
        const batch = state.batcher.sealNow();
        if (batch) state.sealed.push(batch);
      }
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
    /** Committed offset per `topic:partition` (base topic names), as this instance knows them. */
    committed(): Record<string, string | undefined> {
      return Object.fromEntries([...partitions.values()].map((s) => [partitionKey(s.baseTopic, s.partition), s.committed]));
    },
  };
}

export type Sink = ReturnType<typeof createSink>;
