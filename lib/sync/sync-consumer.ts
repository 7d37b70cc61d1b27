/**
 * A platform consumer group: consumes sync requests (high, low, retry topics), runs the platform's connector
 * within the job's budget, and publishes records, run event, cursor and any continuation or retry in the job's
 * transaction (lib/kafka/runner.ts). Both consumers/ably and consumers/cafe24 are this plus their connector.
 */
import { retryTopic, syncTopic, SyncRequestContract, type SyncRequest } from '../contracts/sync-request.js';
import { SYNC_DLQ_TOPIC } from '../contracts/dlq.js';
import type { Platform, Tier } from '../contracts/fields.js';
import type { KafkaContext } from '../kafka/client.js';
import { createRunner, type Job, type JobContext } from '../kafka/runner.js';
import type { Logger } from '../logger.js';
import type { Connector } from './connector.js';
import { createFetchedChunks } from './fetched-chunks.js';
import { failureMessages, successMessages } from './job-outcome.js';
import { createYieldPolicy } from './yield-policy.js';
import { createStateStore } from './state-store.js';
import type { TierPolicy } from './tiers.js';

export interface SyncConsumerOptions {
  kafka: KafkaContext;
  connector: Connector;
  instanceId: string;
  logger: Logger;
  /** @default 16 */ concurrency?: number;
  /** Hard budget of one job. @default 30_000 */ jobTimeoutMs?: number;
  /** Share of the budget after which the connector is asked to yield (continue in a continuation). @default 0.7 */
  yieldAtShare?: number;
  lowShare?: number;
  drainTimeoutMs?: number;
  onTransactionSent?: (jobs: number) => Promise<void> | void;
  /** How long the group waits for a silent member. @default 30_000 */
  sessionTimeoutMs?: number;
  /** Messages held per partition before it is paused (config runner.queuedPerPartition). @default DEFAULT_RUNNER_SETTINGS */
  queuedPerPartition?: number;
  /** Producer transaction timeout (config kafka.transactionTimeoutMs). @default DEFAULT_RUNNER_SETTINGS */
  transactionTimeoutMs?: number;
  /** What each tier buys (its retry policy is used here). @default TIER_POLICIES */
  tierPolicies?: Record<Tier, TierPolicy>;
}

export const groupIdOf = (platform: Platform) => platform;

export function createSyncConsumer({
  kafka, connector, instanceId, logger, concurrency, jobTimeoutMs = 30_000, yieldAtShare = 0.7, lowShare, drainTimeoutMs, onTransactionSent,
  tierPolicies, sessionTimeoutMs, queuedPerPartition, transactionTimeoutMs,
}: SyncConsumerOptions) {
  const platform = connector.platform;
  const stateStore = createStateStore({ kafka, instanceId, logger });
  const started = new WeakMap<Job<SyncRequest>, Date>();

  async function handle(job: Job<SyncRequest>, ctx: JobContext) {
    const request = job.value;
    const startedAt = new Date();
    started.set(job, startedAt);
    const stored = (await stateStore.get(request.tenantId, platform))?.cursors ?? {};
    const cursors = request.reason === 'continuation' && request.cursor ? { ...stored, ...request.cursor } : stored;
    const fetched = createFetchedChunks(request);
    const shouldYield = createYieldPolicy({ startedAtMs: startedAt.getTime(), budgetMs: jobTimeoutMs, yieldAtShare });
    const result = await connector.sync(request, cursors, {
      signal: ctx.signal,
      log: ctx.log,
      emit: (entity, records) => fetched.add(entity, records),
      shouldYield: () => shouldYield(Date.now()),
    });
    return successMessages({ request, startedAt, finishedAt: new Date(), fetched: fetched.entities(), storedCursors: stored, result });
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
      policy: tierPolicies?.[job.value.tier].retry,
    }),
    concurrency,
    jobTimeoutMs,
    lowShare,
    drainTimeoutMs,
    onTransactionSent,
    sessionTimeoutMs,
    queuedPerPartition,
    transactionTimeoutMs,
  });

  return {
    runner,
    events: runner.events,
    async start() {
      await stateStore.start();
      await runner.start();
    },
    async stop() {
      await runner.stop();
      await stateStore.stop();
    },
  };
}
