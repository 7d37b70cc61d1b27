/**
 * A platform consumer group: consumes sync requests (high, low, retry topics), runs the platform's connector
 * within the job's budget, and publishes records, run event, cursor and any continuation or retry in the job's
 * transaction (lib/kafka/runner.ts). Both consumers/ably and consumers/cafe24 are this plus their connector.
 *
 * A request whose id this group already completed (completed-requests.ts: a scheduled request behind a manual
 * one for the same slot) is committed without running the connector, as a `succeeded` run with no counts, no
 * data time and a warning naming it a duplicate: the scheduler's overlap rule and the CLI wait for a run that
 * ends the request, and success rates must not count it as a failure, while freshness does not move.
 */
import { retryTopic, syncTopic, SyncRequestContract, type SyncRequest } from '../contracts/sync-request.js';
import { SYNC_DLQ_TOPIC } from '../contracts/dlq.js';
import type { Platform, Tier } from '../contracts/fields.js';
import type { Config } from '../config.js';
import type { KafkaContext } from '../kafka/client.js';
import { runnerOverrides } from '../kafka/runner-options.js';
import { createRunner, RUNNER_EVENTS, runnerSettings, type Job, type JobContext, type RunnerSettings } from '../kafka/runner.js';
import type { Logger } from '../logger.js';
import type { EdgeMapping } from '../model/edge-rows.js';
import type { Connector } from './connector.js';
import { createFetchedChunks } from './fetched-chunks.js';
import type { PageThreadSource } from './page-messages.js';
import { createPageThreads, inlinePageReader } from './page-threads.js';
import { createCompletedRequests } from './completed-requests.js';
import { duplicateMessages, failureMessages, successMessages } from './job-outcome.js';
import { createYieldPolicy } from './yield-policy.js';
import { createStateStore } from './state-store.js';
import { TIER_POLICIES, type TierPolicy } from './tiers.js';

/** The runner's settings (unset: DEFAULT_RUNNER_SETTINGS, lib/kafka/runner-options.ts) plus the job's own. */
export interface SyncConsumerOptions extends Partial<RunnerSettings> {
  kafka: KafkaContext;
  connector: Connector;
  instanceId: string;
  logger: Logger;
  /** Share of the budget after which the connector is asked to yield (continue in a continuation). @default 0.7 */
  yieldAtShare?: number;
  /** Fetched bytes after which the connector is asked to yield (yield-policy.ts). @default DEFAULT_STEP_MAX_BYTES */
  stepMaxBytes?: number;
  onTransactionSent?: (jobs: number) => Promise<void> | void;
  /** What each tier buys (its retry policy is used here; config tiers.*, lib/sync/tiers.ts tierPolicies). @default TIER_POLICIES */
  tierPolicies?: Record<Tier, TierPolicy>;
  /** How telemetry watches the connector's work (otel/kernel-metrics.ts instrumentConnector). @default the connector as given */
  wrapConnector?: (connector: Connector) => Connector;
  /**
   * Maps each chunk at the edge (lib/model/edge-rows.ts), so the sink inserts its rows without parsing it; a
   * connector reads pages (ConnectorContext.readPage) only with one. @default none: the sink maps
   */
  edge?: EdgeMapping;
  /** Threads that read pages off the jobs' thread (page-threads.ts); 0 reads them on it. @default DEFAULT_PAGE_THREADS */
  pageThreads?: number;
  /** Where a page thread loads `edge` from (its model's module and export, the buyer-hash salt); without it, pages are read on the jobs' thread. */
  pageSource?: PageThreadSource;
}

export const groupIdOf = (platform: Platform) => platform;

/** A few large pages (four of 1,000 orders with their items, ~8 MB each): a large first sync reaches the sink in steps. */
const DEFAULT_STEP_MAX_BYTES = 32 * 2 ** 20;

/**
 * One thread besides the jobs' own: on two cores the sink and the broker need the rest (bench/cafe24.ts), and a
 * larger machine sets more.
 */
const DEFAULT_PAGE_THREADS = 1;

/** The settings a platform consumer's entry point takes from the config: the runner's, the step's and the page threads'. */
export function syncConsumerOverrides(config: Config): Partial<RunnerSettings> & Pick<SyncConsumerOptions, 'stepMaxBytes' | 'pageThreads'> {
  return { ...runnerOverrides(config), stepMaxBytes: config.sync.stepMaxBytes, pageThreads: config.sync.pageThreads };
}

export function createSyncConsumer({
  kafka, connector: source, instanceId, logger, yieldAtShare = 0.7, stepMaxBytes = DEFAULT_STEP_MAX_BYTES, onTransactionSent, tierPolicies = TIER_POLICIES, wrapConnector, edge,
  pageThreads = DEFAULT_PAGE_THREADS, pageSource, ...given
}: SyncConsumerOptions) {
  const connector = wrapConnector ? wrapConnector(source) : source;
  const platform = connector.platform;
  const settings = runnerSettings(given);
  const { jobTimeoutMs } = settings;
  const stateStore = createStateStore({ kafka, instanceId, logger });
  const inline = edge === undefined ? undefined : inlinePageReader(edge);
  // A page that holds a thread as long as a job may run is held by a thread that will not finish it.
  const pages = inline === undefined || pageThreads === 0 || pageSource === undefined ? inline
    : createPageThreads({ threads: pageThreads, source: pageSource, overflow: inline, pageTimeoutMs: jobTimeoutMs });
  const started = new WeakMap<Job<SyncRequest>, Date>();
  const completed = createCompletedRequests();
  /** Succeeded jobs not yet committed, by position: remembered as completed once their transaction commits. */
  const succeeded = new Map<string, SyncRequest>();
  const positionOf = (j: { topic: string; partition: number; offset: string }) => `${j.topic}#${j.partition}@${j.offset}`;

  async function handle(job: Job<SyncRequest>, ctx: JobContext) {
    const request = job.value;
    const startedAt = new Date();
    started.set(job, startedAt);
    const state = await stateStore.get(request.tenantId, platform);
    if (completed.has(request, state?.requestId)) {
      ctx.log.info({ requestId: request.requestId, stored: state?.requestId }, 'duplicate of a completed request: skipped');
      return duplicateMessages({ request, startedAt, finishedAt: new Date() });
    }
    const stored = state?.cursors ?? {};
    const cursors = request.reason === 'continuation' && request.cursor ? { ...stored, ...request.cursor } : stored;
    const fetched = createFetchedChunks(request, { edge });
    const shouldYield = createYieldPolicy({ startedAtMs: startedAt.getTime(), budgetMs: jobTimeoutMs, yieldAtShare, maxStepBytes: stepMaxBytes });
    const result = await connector.sync(request, cursors, {
      signal: ctx.signal,
      log: ctx.log,
      emit: (entity, records, texts) => fetched.add(entity, records, texts),
      readPage: (entity, bytes, shape) => (pages === undefined
        ? Promise.reject(new TypeError(`the ${platform} consumer reads no pages: it was given no edge mapping`))
        : pages.read(bytes, { ...shape, envelope: fetched.envelopeOf(entity) })),
      emitPage: (page) => fetched.addPage(page),
      shouldYield: () => shouldYield(Date.now(), fetched.bytes()),
    });
    const messages = successMessages({ request, startedAt, finishedAt: new Date(), fetched: fetched.entities(), storedCursors: stored, result });
    succeeded.set(positionOf(job), request);
    // Jobs cut off by a rebalance never commit: bound what they leave behind.
    if (succeeded.size > 10_000) succeeded.delete(succeeded.keys().next().value!);
    return messages;
  }

  const runner = createRunner<SyncRequest>({
    kafka,
    groupId: groupIdOf(platform),
    instanceId,
    inputs: [
      { topic: syncTopic(platform, 'high'), priority: 'high' },
      { topic: retryTopic(platform), priority: 'high' },
      { topic: syncTopic(platform, 'low'), priority: 'low' },
    ],
    contract: SyncRequestContract,
    dlqTopic: SYNC_DLQ_TOPIC,
    logger,
    keyOf: (r) => r.tenantId,
    // Never a retry: re-published, it would land on the other platform's retry topic.
    misplaced: (r) => (r.platform === platform ? undefined : `a ${r.platform} request on the ${platform} topic`),
    notBeforeOf: (r) => (r.notBefore ? Date.parse(r.notBefore) : undefined),
    handle,
    onFailure: (job, error) => failureMessages({
      request: job.value, error, startedAt: started.get(job) ?? new Date(), finishedAt: new Date(),
      source: { topic: job.topic, partition: job.partition, offset: job.offset },
      policy: tierPolicies[job.value.tier].retry,
    }),
    labelsOf: (r) => ({ platform: r.platform, tier: r.tier }),
    // Each tier is promised a data age within 1.1 of its period: a free request is as urgent as a paid one
    // once it is as far into its period.
    lowPeriodRatio: tierPolicies.free.syncIntervalMinutes / tierPolicies.paid.syncIntervalMinutes,
    onTransactionSent,
    ...settings,
  });

  runner.events.on(RUNNER_EVENTS.JOB_COMMITTED, (job) => {
    const request = succeeded.get(positionOf(job));
    succeeded.delete(positionOf(job));
    if (request && job.outcome === 'ok') completed.add(request.tenantId, request.platform, request.requestId);
  });

  return {
    runner,
    events: runner.events,
    async start() {
      // A page thread that cannot load the platform's model says so now, not at the first page of every job.
      await pages?.ready();
      await stateStore.start();
      await runner.start();
    },
    async stop() {
      await runner.stop();
      await stateStore.stop();
      await pages?.close();
    },
  };
}
