/**
 * The pipeline as an operator runs it, for tests that go from the CLI to the warehouse: the Cafe24 simulator
 * standing in for Cafe24, the `sellerstream` CLI as a child process (bin/sellerstream.js) for tenants and
 * credentials, and in this process the scheduler, the credential-health follower, a Cafe24 consumer and
 * (optionally) the sink into an embedded warehouse. Time is compressed: periods of seconds, ticks of 200 ms.
 * Everything the pipeline emits (requests, run events) is recorded with its Kafka timestamp, so tests wait on
 * conditions over what happened, never on time alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { createCafe24Consumer } from '../../consumers/cafe24/cafe24-consumer.js';
import { platformModels } from '../../consumers/platforms.js';
import { createSink } from '../../consumers/sink/sink.js';
import { SyncRequestContract, type SyncRequest } from '../../lib/contracts/sync-request.js';
import { SYNC_RUNS_TOPIC, SyncRunContract, type SyncRun } from '../../lib/contracts/sync-run.js';
import { TENANTS_TOPIC, TenantContract, type Tenant } from '../../lib/contracts/tenant.js';
import { createCompactedView, type CompactedView } from '../../lib/kafka/compacted-view.js';
import { createKeyring, generateKeySpec } from '../../lib/secrets.js';
import { migrate } from '../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { createCredentialHealth } from '../../producers/scheduler/credential-health.js';
import { createScheduler, type Scheduler } from '../../producers/scheduler/loop.js';
import { DEFAULT_POLICY, type SchedulerPolicy } from '../../producers/scheduler/policy.js';
import { DEFAULT_APP, startCafe24Simulator, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';
import type { ShopSpec } from '../../simulators/cafe24/shop-spec.js';
import { cafe24Settings } from './cafe24.js';
import { runCli, type CliResult } from './cli-process.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from './kafka.js';
import { disposeTestWarehouse, testWarehouse } from './warehouse.js';


/**
 * Compressed time: paid every 4 s, free every 8 s; every Cafe24 entity in every slot (so one slot lands a whole
 * shop); no onboarding backfill (a new link's first slot is a normal one, which reaches the connector's
 * initialDays back).
 */
export const COMPRESSED_POLICY: SchedulerPolicy = {
  ...DEFAULT_POLICY,
  periodMs: { paid: 4_000, free: 8_000 },
  entities: { ...DEFAULT_POLICY.entities, cafe24: DEFAULT_POLICY.entities.cafe24.map((e) => ({ ...e, everyMs: 0 })) },
  catchUpSpreadMs: 500,
  onboarding: { ...DEFAULT_POLICY.onboarding, depthMs: 0 },
};
export const TICK_MS = 200;

/** A request or run event as it was on its topic. */
export interface Seen<T> {
  value: T;
  /** The record's Kafka timestamp (ms). */
  at: number;
}

export interface ScheduledPipeline {
  kafka: TestKafka;
  sim: Cafe24Simulator;
  warehouse: Warehouse | undefined;
  requests: Seen<SyncRequest>[];
  runs: Seen<SyncRun>[];
  tenants: CompactedView<Tenant>;
  /** `sellerstream ARGS` as a child process against this pipeline's topics and simulator. */
  cli(args: string[], options?: { input?: string }): Promise<CliResult>;
  /** `sellerstream --json ARGS`, asserted to exit 0, its output parsed. */
  cliJson<T = Record<string, unknown>>(args: string[]): Promise<T>;
  /** `sellerstream cafe24 connect` with a fresh authorization code from the simulator (the seller approved the app). */
  connect(tenantId: string, mallId: string): Promise<void>;
  /** Starts the scheduler, the credential-health follower, the Cafe24 consumer and the sink (if any). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startScheduledPipeline({ label, shops, withWarehouse = false }: { label: string; shops: ShopSpec[]; withWarehouse?: boolean }): Promise<ScheduledPipeline> {
  const kafka = await testKafka(label);
  await kafka.createTopics('all');
  const sim = await startCafe24Simulator({ seed: 23, shops });
  const keySpec = generateKeySpec('k1');
  const dataDir = mkdtempSync(join(tmpdir(), `sellerstream-${label}-`));
  const warehouse = withWarehouse ? await testWarehouse() : undefined;
  if (warehouse) await migrate(warehouse);
  const logger = testLogger();
  const requests: Seen<SyncRequest>[] = [];
  const runs: Seen<SyncRun>[] = [];
  const stops: (() => Promise<void>)[] = [];
  const tenants = createCompactedView({ kafka, topic: TENANTS_TOPIC, contract: TenantContract, readerId: uniqueName('test'), logger });
  await tenants.start();
  stops.push(() => tenants.stop());

  /** Records every message of the topics, decoded, with its timestamp (read committed, from the beginning). */
  async function follow<T>(topics: string[], decode: (v: Buffer | null) => { ok: true; value: T } | { ok: false }, into: Seen<T>[]): Promise<void> {
    const consumer: Consumer = kafka.kafka.consumer({ groupId: uniqueName('follow'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic: kafka.topic(topic), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = decode(message.value);
        if (decoded.ok) into.push({ value: decoded.value, at: Number(message.timestamp) });
      },
    });
    stops.push(() => consumer.disconnect());
  }
  await follow(['sync.cafe24.high', 'sync.cafe24.low'], (v) => SyncRequestContract.decode(v), requests);
  await follow([SYNC_RUNS_TOPIC], (v) => SyncRunContract.decode(v), runs);

  const settings = cafe24Settings(sim);
  const cli = (args: string[], { input }: { input?: string } = {}) => runCli(args, {
    KAFKA_TOPIC_PREFIX: kafka.prefix, SECRETS_KEYS: keySpec, CHDB_DATA_DIR: dataDir, LOG_LEVEL: 'error',
    CAFE24_API_BASE_TEMPLATE: settings.apiBaseTemplate, CAFE24_CLIENT_ID: DEFAULT_APP.clientId,
    CAFE24_CLIENT_SECRET: DEFAULT_APP.clientSecret, CAFE24_REDIRECT_URI: DEFAULT_APP.redirectUri,
  }, input);
  async function cliJson<T>(args: string[]): Promise<T> {
    const r = await cli(['--json', ...args]);
    assert.equal(r.code, 0, `sellerstream ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  let scheduler: Scheduler | undefined;
  return {
    kafka, sim, warehouse, requests, runs, tenants, cli, cliJson,
    async connect(tenantId, mallId) {
      const code = sim.issueAuthorizationCode(mallId);
      const result = await cliJson<{ health: string }>(['cafe24', 'connect', tenantId, '--mall-id', mallId, '--code', code]);
      assert.equal(result.health, 'ok');
    },
    async start() {
      const instanceId = uniqueName(label);
      const consumer = createCafe24Consumer({
        kafka, instanceId, logger, keyring: createKeyring(keySpec), cafe24: settings, buyerHashSalt: 'salt',
      });
      await consumer.start();
      stops.push(() => consumer.stop());
      if (warehouse) {
        const sink = createSink({ kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
        await sink.start();
        stops.push(() => sink.stop());
      }
      const health = createCredentialHealth({ kafka, logger, instanceId, fromBeginning: true });
      await health.start();
      stops.push(() => health.stop());
      scheduler = createScheduler({ kafka, logger, policy: COMPRESSED_POLICY, instanceId, tickMs: TICK_MS, sessionTimeoutMs: 6_000 });
      await scheduler.start();
      stops.push(() => scheduler!.stop());
    },
    async close() {
      for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
      if (warehouse) await disposeTestWarehouse(warehouse);
      await sim.close();
      await kafka.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
