/**
 * What the kernel (the runner, the sink, the publisher) tells observers, in the style of KafkaJS's
 * `instrumentationEvents`: a namespaced constant table of names, one typed payload per name, so no part misspells
 * an event or guesses a field. The kernel never imports `otel/`: it emits these, and `otel/` subscribes (spans in
 * otel/kernel-spans.ts, metrics beside it), once per process, for every runner, sink and publisher the process
 * builds. That is why the bus is process-wide, like `node:diagnostics_channel`, rather than one emitter per part;
 * unlike diagnostics_channel, a throwing listener is logged and never reaches the process (`emit`).
 *
 * Trace context: `*.start` payloads carry a `scope` whose `context` is the work's parent (the W3C context the
 * message arrived with, lib/kafka/headers.ts). A subscriber may replace `scope.context` with one that holds its
 * span; the kernel then runs the work in that context and propagates it in the output's headers, and hands the
 * same `scope` to the matching end event. With no subscriber the incoming context simply travels on.
 */
import type { Context, SpanContext } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import type { RunnerState } from './runner-states.js';

export const INSTRUMENTATION_EVENTS = {
  /** A state change of a runner or sink (runner-states.ts). */
  TRANSITION: 'kernel.transition',
  /** A runner starts a job (its handler, or a poison message's DLQ entry). */
  JOB_START: 'kernel.job.start',
  /** A job's end: committed with its outcome, or abandoned (not committed, done again). */
  JOB_END: 'kernel.job.end',
  /** A runner's transaction committed: jobs' outputs and their offsets. */
  TRANSACTION_COMMIT: 'kernel.transaction.commit',
  /** The kernel dropped what it held and starts again from the committed offsets (rebalance, restart, failed commit). */
  REJOIN: 'kernel.rejoin',
  /** Entries sent to a DLQ topic (runner: committed with the offset; sink: sent before its group's commit). */
  DLQ: 'kernel.dlq',
  /** Per fetched batch: how far the consumed partition is behind its high watermark. */
  LAG: 'kernel.lag',
  /** A sink flush group starts (intent, inserts, DLQ, commit). */
  BATCH_FLUSH_START: 'sink.batch.flush.start',
  /** A sink flush group ended: committed, or failed (it is retried as the same group, or dropped if revoked). */
  BATCH_FLUSH: 'sink.batch.flush',
  /** One table insert of a flush group starts. */
  BATCH_INSERT_START: 'sink.batch.insert.start',
  /** One table insert of a flush group ended (landed, or failed). */
  BATCH_INSERT: 'sink.batch.insert',
  /** The warehouse failed an insert retriably; the same insert is tried again after `delayMs`. */
  WAREHOUSE_UNAVAILABLE: 'sink.warehouse.unavailable',
  /** Every table accepts inserts again. */
  WAREHOUSE_AVAILABLE: 'sink.warehouse.available',
  /** A plain (non-transactional) publish starts (lib/kafka/publisher.ts). */
  PUBLISH_START: 'publisher.send.start',
  /** A plain publish was acknowledged, or failed. */
  PUBLISH: 'publisher.send',
} as const;

export type InstrumentationEvent = (typeof INSTRUMENTATION_EVENTS)[keyof typeof INSTRUMENTATION_EVENTS];

/** The work's trace parent; a subscriber may replace `context` with one holding its span (see the file comment). */
export interface TraceScope {
  context: Context;
}

/** Which part of which group emitted the event. */
export interface Source {
  component: 'runner' | 'sink';
  /** Full group id (with the topic prefix). */
  groupId: string;
  instanceId?: string;
}

/** ok; failed (its failure handler's output committed); poison (undecodable: DLQ); refused (the broker refused its output: DLQ). */
export type JobOutcome = 'ok' | 'failed' | 'poison' | 'refused';

export interface JobStart extends Source {
  /** Base topic name. */
  topic: string;
  partition: number;
  offset: string;
  tenantId: string;
  requestId?: string;
  /** What the runner's `labelsOf` says about the job (sync requests: platform and tier). */
  platform?: string;
  tier?: string;
  /** The W3C traceparent header the message arrived with. */
  traceparent?: string;
  scope: TraceScope;
}

export interface JobEnd extends JobStart {
  /** `abandoned`: cut off by a rebalance or shutdown, or its commit failed: nothing committed, the job is done again. */
  outcome: JobOutcome | 'abandoned';
  /** The error's code (lib/errors.ts errorCode) when the job failed or was abandoned. */
  errorClass?: string;
  error?: unknown;
  durationMs: number;
}

export interface TransactionCommit extends Source {
  jobs: number;
  messages: number;
  /** Keys and values of the messages sent. */
  bytes: number;
  /** From opening the transaction to the broker's commit. */
  durationMs: number;
}

export interface Rejoin extends Source {
  /** rebalancing: the group rebalances; consumer restart: kafkajs restarts after a crash; commit failure: a job's commit failed for good. */
  reason: 'rebalancing' | 'consumer restart' | 'commit failure';
}

export interface DlqSent extends Source {
  /** Base name of the DLQ topic. */
  topic: string;
  /** Base name of the topic the entries came from. */
  sourceTopic: string;
  errorClass: string;
  count: number;
}

export interface Transition extends Source {
  from: RunnerState;
  to: RunnerState;
}

export interface Lag extends Source {
  /** Base topic name. */
  topic: string;
  partition: number;
  /** Messages between the batch's last offset and the partition's high watermark. */
  lag: number;
}

export interface BatchFlushStart extends Source {
  /** The flush group's id (intent.ts). */
  id: string;
  /** Base topic of its first member. */
  topic: string;
  members: number;
  messages: number;
  rows: number;
  /** Re-formed from an intent a previous owner left. */
  resumed: boolean;
  /** The producing traces of its messages after the first (which is the parent): span links. */
  links: SpanContext[];
  scope: TraceScope;
}

export interface BatchFlush extends BatchFlushStart {
  rowsByTable: Record<string, number>;
  /** Bytes of the consumed messages. */
  bytes: number;
  dlq: number;
  durationMs: number;
  /** Set when the flush failed (it is then retried as the same group, or dropped if a member was revoked). */
  error?: unknown;
}

export interface BatchInsertStart extends Source {
  table: string;
  rows: number;
  scope: TraceScope;
}

export interface BatchInsert extends BatchInsertStart {
  durationMs: number;
  /** Messages the engine refused (they go to the DLQ; the rest landed). */
  refused: number;
  error?: unknown;
}

export interface WarehouseUnavailable extends Source {
  table: string;
  attempt: number;
  delayMs: number;
  errorClass: string;
}

export interface WarehouseAvailable extends Source {
  downMs: number;
}

export interface PublishStart {
  /** Base topic name. */
  topic: string;
  messages: number;
  scope: TraceScope;
}

export interface Publish extends PublishStart {
  durationMs: number;
  error?: unknown;
}

export interface InstrumentationEventMap {
  [INSTRUMENTATION_EVENTS.TRANSITION]: Transition;
  [INSTRUMENTATION_EVENTS.JOB_START]: JobStart;
  [INSTRUMENTATION_EVENTS.JOB_END]: JobEnd;
  [INSTRUMENTATION_EVENTS.TRANSACTION_COMMIT]: TransactionCommit;
  [INSTRUMENTATION_EVENTS.REJOIN]: Rejoin;
  [INSTRUMENTATION_EVENTS.DLQ]: DlqSent;
  [INSTRUMENTATION_EVENTS.LAG]: Lag;
  [INSTRUMENTATION_EVENTS.BATCH_FLUSH_START]: BatchFlushStart;
  [INSTRUMENTATION_EVENTS.BATCH_FLUSH]: BatchFlush;
  [INSTRUMENTATION_EVENTS.BATCH_INSERT_START]: BatchInsertStart;
  [INSTRUMENTATION_EVENTS.BATCH_INSERT]: BatchInsert;
  [INSTRUMENTATION_EVENTS.WAREHOUSE_UNAVAILABLE]: WarehouseUnavailable;
  [INSTRUMENTATION_EVENTS.WAREHOUSE_AVAILABLE]: WarehouseAvailable;
  [INSTRUMENTATION_EVENTS.PUBLISH_START]: PublishStart;
  [INSTRUMENTATION_EVENTS.PUBLISH]: Publish;
}

export type InstrumentationListener<E extends InstrumentationEvent> = (payload: InstrumentationEventMap[E]) => void;

const listeners = new Map<InstrumentationEvent, Set<InstrumentationListener<never>>>();

/** Subscribes to one event of every kernel part in this process; returns the unsubscribe function. */
export function onInstrumentation<E extends InstrumentationEvent>(event: E, listener: InstrumentationListener<E>): () => void {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(listener as InstrumentationListener<never>);
  return () => {
    set.delete(listener as InstrumentationListener<never>);
  };
}

/** Whether anyone listens: a part may skip building a costly payload. */
export function isInstrumented(event: InstrumentationEvent): boolean {
  return (listeners.get(event)?.size ?? 0) > 0;
}

/**
 * Tells every listener, in subscription order, synchronously (a `*.start` listener's scope change is seen by the
 * kernel right after). A listener that throws is logged; the others still run and the kernel goes on.
 */
export function emitInstrumentation<E extends InstrumentationEvent>(log: Logger | undefined, event: E, payload: InstrumentationEventMap[E]): void {
  const set = listeners.get(event);
  if (!set) return;
  for (const listener of set) {
    try {
      (listener as InstrumentationListener<E>)(payload);
    } catch (error) {
      if (log) log.error({ err: error, event }, 'an instrumentation listener threw');
      else process.emitWarning(`an instrumentation listener of ${event} threw: ${String(error)}`);
    }
  }
}
