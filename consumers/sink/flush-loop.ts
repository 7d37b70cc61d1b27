/**
 * The sink's flush phase (sink.ts explains the whole): one loop at a time takes the next flush group of sealed
 * batches (group-picker.ts) and takes it through record intent → insert every table (flusher.ts) → DLQ → commit
 * past it. A group that fails for another reason than the warehouse (which the flusher rides out) is tried again
 * as the same group until it lands or one of its partitions is revoked: its members never join another group, so
 * its deduplication tokens never change.
 *
 * Each group is announced (`sink.batch.flush.start` / `sink.batch.flush`, lib/kafka/instrumentation.ts) in the
 * trace of its first producing job, with the others as links (group-trace.ts); its inserts run in that context.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { context } from '@opentelemetry/api';
import { errorMessage } from '../../lib/errors.js';
import { PRODUCE_COMPRESSION } from '../../lib/kafka/client.js';
import type { ConsumerKernel } from '../../lib/kafka/consumer-kernel.js';
import { INSTRUMENTATION_EVENTS, type BatchFlushStart } from '../../lib/kafka/instrumentation.js';
import { RUNNER_STATES } from '../../lib/kafka/runner-states.js';
import type { Logger } from '../../lib/logger.js';
import { TABLES } from '../../lib/model/tables.js';
import { backoff, type RetryPolicy } from '../../lib/retry.js';
import type { Batch } from './batcher.js';
import { dlqMessage, type DlqItem } from './dlq.js';
import type { Flusher, FlushGroup } from './flusher.js';
import { pickGroup } from './group-picker.js';
import { traceOf } from './group-trace.js';
import { encodeIntent, nextOffset } from './intent.js';
import type { SinkOptions } from './options.js';
import type { PartitionState } from './partitions.js';
import { SINK_EVENTS, type SinkEventMap, type SinkStats } from './sink-events.js';

/**
 * Most partitions in one flush group: every member's offset metadata lists the whole group (~32 bytes each), and
 * Kafka keeps at most offset.metadata.max.bytes (4096 by default) of it.
 */
export const MAX_GROUP_MEMBERS = 96;

export interface FlushLoopDeps {
  kernel: ConsumerKernel;
  options: SinkOptions;
  flusher: Flusher;
  retry: RetryPolicy;
  log: Logger;
  stats: SinkStats;
  emit: <E extends keyof SinkEventMap & string>(event: E, ...args: SinkEventMap[E]) => void;
  /** The partitions assigned now. */
  partitions(): Iterable<PartitionState>;
  /** A partition by base topic. */
  stateOf(topic: string, partition: number): PartitionState | undefined;
  /** After each group: pause or resume partitions (sink.ts). */
  applyBackPressure(): void;
}

export function createFlushLoop({ kernel, options, flusher, retry, log, stats, emit, partitions, stateOf, applyBackPressure }: FlushLoopDeps) {
  const { kafka } = options;
  let flushing: Promise<void> | undefined;
  /** Groups whose DLQ entries were sent, so a retried flush of the same group does not send them again. */
  const sentDlq = new Set<string>();

  /** Starts the loop unless it runs (or the sink is stopped); it starts again when more became due meanwhile. */
  function pump() {
    if (flushing || kernel.machine.is(RUNNER_STATES.STOPPED, RUNNER_STATES.CRASHED)) return;
    flushing = flushLoop().finally(() => {
      flushing = undefined;
      if (nextGroup()) pump();
    });
  }

  /** The next flush group (group-picker.ts); members of a group that cannot be repeated lose their intent. */
  function nextGroup(): FlushGroup | undefined {
    for (;;) {
      const choice = pickGroup(partitions(), stateOf, MAX_GROUP_MEMBERS);
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
          // A revocation (rebalance, broker restart) cuts the wait short: the next attempt finds the group gone and
          // drops it, so the new assignment, which waits for this loop, is not held up by the backoff.
          await sleep(backoff(failures, retry), undefined, { signal: revokedSignal(group) }).catch(() => undefined);
        }
      }
      applyBackPressure();
    }
  }

  /** Aborts once any member partition of the group is revoked. */
  function revokedSignal(group: FlushGroup): AbortSignal {
    return AbortSignal.any(group.batches.map((b) => stateOf(b.topic, b.partition)?.revoked.signal ?? AbortSignal.abort()));
  }

  function isCurrent(batch: Batch): boolean {
    const state = stateOf(batch.topic, batch.partition);
    return state !== undefined && !state.revoked.signal.aborted && state.sealed[0] === batch;
  }

  async function flushGroup(group: FlushGroup) {
    const started = Date.now();
    const states = group.batches.map((b) => stateOf(b.topic, b.partition)!);
    const signal = revokedSignal(group);
    const { parent, links } = traceOf(group);
    const start: Omit<BatchFlushStart, 'component' | 'groupId' | 'instanceId'> = {
      id: group.intent.id, topic: group.batches[0]!.topic, members: group.batches.length, resumed: group.resumed, links,
      messages: group.batches.reduce((n, b) => n + b.messages.length, 0), rows: group.batches.reduce((n, b) => n + b.rows.count, 0),
      scope: { context: parent },
    };
    kernel.emit(INSTRUMENTATION_EVENTS.BATCH_FLUSH_START, start);
    let dlq = 0;
    try {
      if (!group.resumed) {
        const metadata = encodeIntent(group.intent);
        await commit(group, (b) => ({ offset: b.range.first, metadata }));
        await options.onStage?.({ stage: 'intent-recorded', group });
      }
      const refused = await context.with(start.scope.context, () => flusher.flush(group, signal, start.scope.context));
      const items = group.batches.flatMap((b) => b.dlq).concat(refused);
      dlq = items.length;
      if (items.length > 0 && !sentDlq.has(group.intent.id)) {
        await sendDlq(items);
        sentDlq.add(group.intent.id);
      }
      await commit(group, (b) => ({ offset: nextOffset(b.range.last), metadata: '' }));
      sentDlq.delete(group.intent.id);
      group.batches.forEach((batch, i) => {
        const state = states[i]!;
        state.committed = nextOffset(batch.range.last);
        if (state.sealed[0] === batch) state.sealed.shift();
      });
      const rowsByTable = recordCommitted(group, dlq, Date.now() - started);
      kernel.emit(INSTRUMENTATION_EVENTS.BATCH_FLUSH, { ...start, rowsByTable, bytes: bytesOf(group), dlq, durationMs: Date.now() - started });
      await options.onStage?.({ stage: 'committed', group });
    } catch (error) {
      kernel.emit(INSTRUMENTATION_EVENTS.BATCH_FLUSH, { ...start, rowsByTable: rowsByTableOf(group), bytes: bytesOf(group), dlq, durationMs: Date.now() - started, error });
      throw error;
    }
  }

  /** One offset commit for every member of the group (one request: the broker writes it as one record batch). */
  async function commit(group: FlushGroup, at: (batch: Batch) => { offset: string; metadata: string }) {
    // A revoked partition's offsets belong to its next owner: never commit over them.
    if (!group.batches.every((b) => isCurrent(b))) throw new Error(`a partition of flush group ${group.intent.id} is no longer assigned`);
    await kernel.commitOffsets(group.batches.map((b) => ({ topic: kafka.topic(b.topic), partition: b.partition, ...at(b) })));
  }

  async function sendDlq(items: DlqItem[]) {
    const { producer } = kernel;
    if (!producer) throw new Error('the DLQ producer is not connected');
    const messages = items.map((item) => dlqMessage(item));
    // One request per entry: an entry may carry a whole 10 MB record, and a request is one record batch per
    // partition, bounded by the topic's max.message.bytes; gzip keeps even those well under it.
    for (const m of messages) {
      await producer.send({ topic: kafka.topic(m.topic), acks: -1, compression: PRODUCE_COMPRESSION, messages: [{ key: m.key, value: m.value, headers: m.headers }] });
    }
    stats.dlq += items.length;
    log.warn({ count: items.length, reasons: items.slice(0, 5).map((i) => i.reason) }, 'sent to the DLQ');
    emit(SINK_EVENTS.DLQ_SENT, { items });
    const bySource = new Map<string, { topic: string; sourceTopic: string; errorClass: string; count: number }>();
    for (const [i, item] of items.entries()) {
      const topic = messages[i]!.topic;
      const key = `${topic}\0${item.source.topic}\0${item.errorClass}`;
      const entry = bySource.get(key) ?? { topic, sourceTopic: item.source.topic, errorClass: item.errorClass, count: 0 };
      entry.count += 1;
      bySource.set(key, entry);
    }
    for (const entry of bySource.values()) kernel.emit(INSTRUMENTATION_EVENTS.DLQ, entry);
  }

  function recordCommitted(group: FlushGroup, dlq: number, durationMs: number): Record<string, number> {
    const rowsByTable = rowsByTableOf(group);
    const rows = Object.values(rowsByTable).reduce((sum, n) => sum + n, 0);
    stats.rows += rows;
    stats.groups += 1;
    stats.lastCommitAt = Date.now();
    log.debug({ group: group.intent.id, members: group.batches.length, rows, durationMs }, 'flush group committed');
    emit(SINK_EVENTS.GROUP_COMMITTED, {
      id: group.intent.id,
      members: group.intent.members.map((m) => `${m.topic}:${m.partition}:${m.first}-${m.last}`),
      rows, rowsByTable, messages: group.batches.reduce((n, b) => n + b.messages.length, 0), dlq, resumed: group.resumed, durationMs,
    });
    return rowsByTable;
  }

  return {
    pump,
    /** The loop in flight, if any (a rebalance and a drain wait for it). */
    get flushing() {
      return flushing;
    },
  };
}

function rowsByTableOf(group: FlushGroup): Record<string, number> {
  const rowsByTable: Record<string, number> = {};
  for (const table of TABLES) {
    const n = group.batches.reduce((sum, b) => sum + b.rows.countOf(table), 0);
    if (n > 0) rowsByTable[table] = n;
  }
  return rowsByTable;
}

const bytesOf = (group: FlushGroup) => group.batches.reduce((n, b) => n + b.bytes, 0);
