/**
 * One job of the runner (runner.ts), from a queued message to its committed output: decode or DLQ, the handler
 * within its budget, the failure handler when it fails, then one commit of the output with the consumed offset.
 * The job runs in the trace context of its `job.start` event (instrumentation.ts): the one its message carried,
 * or the span an `otel/` subscriber opened there, which its output's headers then carry on.
 *
 * A job that is cut off (its partition taken away, shutdown) or whose commit fails is not committed: `execute`
 * rejects, and the runner decides whether to rejoin. The bookkeeping around a job (slots, pausing) is runner.ts's.
 */
import { context } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { Decoded } from '../contracts/codec.js';
import { DLQ_LIMITS, dlqEntry } from '../contracts/dlq.js';
import { DeadlineExceededError, errorCode, errorMessage } from '../errors.js';
import { jobLogger, type Logger } from '../logger.js';
import type { Entry } from './dispatcher.js';
import { extractTraceContext, HEADER, injectTraceHeaders, readHeaders, traceIdOf } from './headers.js';
import { INSTRUMENTATION_EVENTS, type JobOutcome, type JobStart } from './instrumentation.js';
import type { ConsumerKernel } from './consumer-kernel.js';
import { RUNNER_EVENTS, type Job, type JobContext, type RunnerEventMap, type RunnerOptions } from './runner-options.js';
import { OutputRefusedError, type OutgoingMessage } from './transaction.js';

export type Fetched<T> = { kafkaMessage: KafkaMessage; decoded: Decoded<T> };
export type Unit<T> = { messages: OutgoingMessage[]; entry: Entry<Fetched<T>> };

export interface JobExecutorDeps<T> {
  options: RunnerOptions<T>;
  kernel: ConsumerKernel;
  jobTimeoutMs: number;
  log: Logger;
  emit: <E extends keyof RunnerEventMap & string>(event: E, ...args: RunnerEventMap[E]) => void;
  /** Commits a unit in the next transaction (rejects with OutputRefusedError when the broker refused its records). */
  commit(unit: Unit<T>): Promise<void>;
  /** Whether the entry's partition is still this runner's, and a committer is there to commit it. */
  canCommit(entry: Entry<Fetched<T>>): boolean;
}

export function createJobExecutor<T>({ options, kernel, jobTimeoutMs, log, emit, commit, canCommit }: JobExecutorDeps<T>) {
  const { kafka, dlqTopic } = options;

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

  /**
   * Commits the first output the broker accepts: the job's own, else (it refused a record: too large, invalid)
   * the next, so one job's refused output fails that job alone and never its partition. Returns the refusal.
   */
  async function commitFirstAccepted(entry: Entry<Fetched<T>>, outputs: [OutgoingMessage[], ...((refusal: string) => OutgoingMessage[])[]]): Promise<string | undefined> {
    let refusal: string | undefined;
    for (const [i, output] of outputs.entries()) {
      try {
        await commit({ messages: typeof output === 'function' ? output(refusal!) : output, entry });
        return refusal;
      } catch (error) {
        if (!(error instanceof OutputRefusedError) || i === outputs.length - 1 || !canCommit(entry)) throw error;
        refusal ??= error.refusal;
      }
    }
    return refusal;
  }

  function jobOf(entry: Entry<Fetched<T>>): Job<unknown> {
    const { kafkaMessage, decoded } = entry.message;
    return {
      value: decoded.ok ? decoded.value : undefined,
      topic: kafka.baseTopic(entry.topic),
      partition: entry.partition,
      offset: kafkaMessage.offset,
      key: entry.key,
      headers: readHeaders(kafkaMessage.headers),
    };
  }

  /** Runs the job and commits its output; rejects when nothing was committed (the caller redoes or drops it). */
  async function execute(entry: Entry<Fetched<T>>, controller: AbortController): Promise<void> {
    const { kafkaMessage, decoded } = entry.message;
    const job = jobOf(entry);
    const started = Date.now();
    const deadline = started + jobTimeoutMs;
    const labels = decoded.ok ? options.labelsOf?.(decoded.value) : undefined;
    const start: Omit<JobStart, 'component' | 'groupId' | 'instanceId'> = {
      topic: job.topic, partition: job.partition, offset: job.offset, tenantId: job.key, ...labels,
      ...(job.headers.requestId === undefined ? {} : { requestId: job.headers.requestId }),
      ...(job.headers[HEADER.TRACEPARENT] === undefined ? {} : { traceparent: job.headers[HEADER.TRACEPARENT] }),
      scope: { context: extractTraceContext(kafkaMessage.headers) },
    };
    kernel.emit(INSTRUMENTATION_EVENTS.JOB_START, start);
    const { scope } = start;
    const jobLog = jobLogger(log, { tenantId: job.key, requestId: job.headers.requestId ?? '-', traceId: traceIdOf(scope.context) });
    let outcome: JobOutcome = 'ok';
    let failure: unknown;
    const end = (result: JobOutcome | 'abandoned', error?: unknown) => kernel.emit(INSTRUMENTATION_EVENTS.JOB_END, {
      ...start, outcome: result, durationMs: Date.now() - started,
      ...(error === undefined ? {} : { error, errorClass: errorCode(error) }),
    });
    try {
      const messages = await context.with(scope.context, async () => {
        if (!decoded.ok) {
          outcome = 'poison';
          jobLog.warn({ topic: job.topic, partition: job.partition, offset: job.offset, reason: decoded.reason }, 'invalid message sent to the DLQ');
          return [dlqMessage(kafkaMessage, job, decoded.reason)];
        }
        const ctx: JobContext = { signal: controller.signal, deadline, log: jobLog };
        try {
          return await withDeadline(options.handle(job as Job<T>, ctx), controller, jobTimeoutMs);
        } catch (error) {
          outcome = 'failed';
          failure = error;
          emit(RUNNER_EVENTS.JOB_FAILED, { topic: job.topic, partition: job.partition, offset: job.offset, key: job.key, error });
          if (controller.signal.aborted && !(controller.signal.reason instanceof DeadlineExceededError)) throw error; // rebalance or shutdown: redo, do not record
          jobLog.warn({ err: error, errorClass: errorCode(error) }, 'job failed');
          try {
            return await options.onFailure(job as Job<T>, error, ctx);
          } catch (failureError) {
            jobLog.error({ err: failureError }, 'the failure handler threw; sending the job to the DLQ');
            return [dlqMessage(kafkaMessage, job, `${errorMessage(error)}; failure handler: ${errorMessage(failureError)}`, errorCode(error))];
          }
        }
      });
      if (!canCommit(entry)) {
        end('abandoned'); // its partition was taken away meanwhile
        return;
      }
      const traced = (list: OutgoingMessage[]) => list.map((m) => ({ ...m, topic: kafka.topic(m.topic), headers: injectTraceHeaders({ ...m.headers }, scope.context) }));
      let committed = messages;
      const refusal = await commitFirstAccepted(entry, [
        traced(messages),
        (refused) => traced((committed = [dlqMessage(kafkaMessage, job, `the broker refused the job's output (${refused})`, refused)])),
        () => (committed = []),
      ]);
      if (refusal) {
        outcome = 'refused';
        jobLog.error({ refusal }, 'the broker refused the job\'s output; its input went to the DLQ instead');
      }
      const dlq = committed.filter((m) => m.topic === dlqTopic).length;
      if (dlq > 0) {
        const errorClass = decoded.ok ? refusal ?? errorCode(failure) : 'CONTRACT';
        kernel.emit(INSTRUMENTATION_EVENTS.DLQ, { topic: dlqTopic, sourceTopic: job.topic, errorClass, count: dlq });
      }
      end(outcome, failure);
      emit(RUNNER_EVENTS.JOB_COMMITTED, { topic: job.topic, partition: job.partition, offset: job.offset, key: job.key, outcome, durationMs: Date.now() - started });
    } catch (error) {
      end('abandoned', error);
      throw error;
    }
  }

  return { execute };
}

/** Rejects when the job's signal fires (deadline, rebalance, shutdown), so a handler that ignores it cannot hold a slot. */
function withDeadline<R>(work: Promise<R>, controller: AbortController, timeoutMs: number): Promise<R> {
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(`job exceeded its ${timeoutMs} ms budget`)), timeoutMs).unref();
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  return Promise.race([work, aborted]).finally(() => clearTimeout(timer));
}
