/**
 * A platform consumer group: consumes sync requests (high, low, retry topics), runs the platform's connector
 * within the job's budget, and publishes records, run event, cursor and any continuation or retry in the job's
 * transaction (lib/kafka/runner.ts). Both consumers/ably and consumers/cafe24 are this plus their connector.
 */
import { retryTopic, syncTopic, SyncRequestContract, type SyncRequest } from '../contracts/sync-request.js';
import { SYNC_DLQ_TOPIC } from '../contracts/dlq.js';
import type { Platform, Tier } from '../contracts/fields.js';
import type { KafkaContext } from '../kafka/client.js';
import { createRunner, runnerSettings, type Job, type JobContext, type RunnerSettings } from '../kafka/runner.js';
import type { Logger } from '../logger.js';
import type { Connector } from './connector.js';
import { createFetchedChunks } from './fetched-chunks.js';
import { failureMessages, successMessages } from './job-outcome.js';
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
  onTransactionSent?: (jobs: number) => Promise<void> | void;
  /** What each tier buys (its retry policy is used here; config tiers.*, lib/sync/tiers.ts tierPolicies). @default TIER_POLICIES */
  tierPolicies?: Record<Tier, TierPolicy>;
}

export const groupIdOf = (platform: Platform) => platform;

export function createSyncConsumer({
  kafka, connector, instanceId, logger, yieldAtShare = 0.7, onTransactionSent, tierPolicies = TIER_POLICIES, ...given
}: SyncConsumerOptions) {
  const platform = connector.platform;
  const settings = runnerSettings(given);
  const { jobTimeoutMs } = settings;
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
      policy: tierPolicies[job.value.tier].retry,
    }),
    labelsOf: (r) => ({ platform: r.platform, tier: r.tier }),
    onTransactionSent,
    ...settings,
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
