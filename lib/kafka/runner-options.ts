/**
 * The runner's contract with its caller (runner.ts): what a job is, the handlers, the options with their
 * defaults in one object (DEFAULT_RUNNER_SETTINGS: config, lib/config.ts runner.*, only overrides it), and the
 * events it emits per instance. The process-wide instrumentation events are in instrumentation.ts.
 */
import type { Config } from '../config.js';
import type { Contract } from '../contracts/codec.js';
import type { Logger } from '../logger.js';
import { GROUP_TIMING, type KafkaContext } from './client.js';
import { DEFAULT_LOW_AGEING_MS, type PriorityClass } from './dispatcher.js';
import type { JobOutcome } from './instrumentation.js';
import type { RunnerState } from './runner-states.js';
import type { OutgoingMessage } from './transaction.js';

export type { JobOutcome, OutgoingMessage };

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

/** The runner's settings an operator tunes; DEFAULT_RUNNER_SETTINGS holds their defaults. */
export interface RunnerSettings {
  /** Jobs in flight at once (config runner.concurrency). @default 16 */
  concurrency: number;
  /** A job's budget; its signal fires at it (config runner.jobTimeoutMs). @default 30_000 */
  jobTimeoutMs: number;
  /** How long stop() waits for jobs in flight (config runner.drainTimeoutMs). @default 45_000 */
  drainTimeoutMs: number;
  /** Messages held per partition (queued, running, or done above the commit point) before it is paused (config runner.queuedPerPartition). @default 32 */
  queuedPerPartition: number;
  /**
   * Minimum share of job starts for low priority while high has backlog (config runner.lowPriorityShare): a floor
   * against starvation, kept under free's share of the work (11-28 %, surge and normal load at 30 % paid) so it
   * never becomes an entitlement that serves free before paid work nearer its bound; ageing bounds free's waits.
   * 0.2 covered all of free's surge demand, so an overloaded paid tier waited as long as under one FIFO queue
   * (bench fairness and its model). @default 0.05
   */
  lowShare: number;
  /** A low-priority message waiting longer than this competes as high (config runner.lowAgeingMs). @default DEFAULT_LOW_AGEING_MS (30 min) */
  lowAgeingMs: number;
  /** How often the broker's high backlog of this instance's partitions is polled (config runner.backlogPollMs). @default 1_000 */
  backlogPollMs: number;
  /** The producer's transaction timeout: the broker aborts a transaction open longer (config kafka.transactionTimeoutMs). @default 60_000 */
  transactionTimeoutMs: number;
  /** How long the group waits for a silent member before reassigning its partitions. @default GROUP_TIMING.sessionTimeoutMs */
  sessionTimeoutMs: number;
  /** @default GROUP_TIMING.heartbeatIntervalMs */
  heartbeatIntervalMs: number;
}

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = {
  concurrency: 16,
  jobTimeoutMs: 30_000,
  drainTimeoutMs: 45_000,
  queuedPerPartition: 32,
  lowShare: 0.05,
  lowAgeingMs: DEFAULT_LOW_AGEING_MS,
  backlogPollMs: 1_000,
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

export interface RunnerOptions<T> extends Partial<RunnerSettings> {
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
  /** What the instrumentation events say about a job (sync requests: platform and tier). */
  labelsOf?: (value: T) => { platform?: string; tier?: string };
  /** Low's period ÷ high's, for proportional ageing (dispatcher.ts; sync requests: free's period ÷ paid's). @default off */
  lowPeriodRatio?: number;
  /** Called between sending a transaction and committing it; crash tests stop the process here. */
  onTransactionSent?: (jobs: number) => Promise<void> | void;
}

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

/** The runner settings the configuration sets (runner.*, kafka.transactionTimeoutMs); unset ones stay undefined, so the runner's defaults apply. */
export function runnerOverrides(config: Config): Partial<RunnerSettings> {
  const { concurrency, jobTimeoutMs, drainTimeoutMs, queuedPerPartition, lowPriorityShare, lowAgeingMs, backlogPollMs } = config.runner;
  return {
    concurrency, jobTimeoutMs, drainTimeoutMs, queuedPerPartition, lowShare: lowPriorityShare, lowAgeingMs, backlogPollMs,
    transactionTimeoutMs: config.kafka.transactionTimeoutMs,
  };
}
