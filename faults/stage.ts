/**
 * The world one Cafe24 fault runs in: topics under a fresh prefix on the broker, the simulator in this process
 * (on wall time, so its rate limits drain, plus whatever a fault moves it ahead), a tenant per mall with its grant sealed on
 * `credentials`, and the consumer and sink as child processes (faults/children/) that the fault may kill. It
 * follows every run event on `sync.runs` and every flush the sinks commit, so it knows when the pipeline has
 * settled: every published request's chain ended (succeeded, dead, needs_reauth) and every record and run landed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Partitioners, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { createCredentialsStore, type CredentialsStore } from '../lib/credentials/credentials-store.js';
import { SyncRunContract, type SyncRun } from '../lib/contracts/sync-run.js';
import type { SyncRequest } from '../lib/contracts/sync-request.js';
import { createKafka, type KafkaContext } from '../lib/kafka/client.js';
import { createPublisher, type Publisher } from '../lib/kafka/publisher.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';
import { createLogger } from '../lib/logger.js';
import { generateKeySpec, createKeyring } from '../lib/secrets.js';
import { waitFor } from '../lib/wait-for.js';
import { addDays, kstDay } from '../consumers/cafe24/order-windows.js';
import { buildSyncRequest, publishSyncRequests } from '../producers/sync-requests.js';
import { connectCafe24 } from '../producers/tenant-admin.js';
import type { SimClock } from '../simulators/cafe24/clock.js';
import type { ShopSpec } from '../simulators/cafe24/shop-spec.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../simulators/cafe24/simulator.js';
import type { FaultKnobs } from '../simulators/cafe24/faults.js';
import { spawnChild, type FaultChild } from './child.js';
import type { FaultContext, FaultReport } from './fault.js';
import { reconcile, simulatorTruth, type Holdings, type TenantTruth } from './reconcile.js';

const TOPICS_FILE = fileURLToPath(new URL('../topics.json', import.meta.url));
const TERMINAL = new Set(['succeeded', 'dead', 'needs_reauth']);
const SALT = 'faults-salt';
/** The consumer's first sync reaches this far back (faults/children/consumer.ts: initialDays). */
const INITIAL_DAYS = 90;

export interface StageOptions {
  shops: ShopSpec[];
  /** Admin API latency per call. @default { minMs: 50, maxMs: 150 } */
  latencyMs?: FaultKnobs['latencyMs'];
  /** Tenants whose mall id is not a simulator mall (hostile ids): tenant id → mall id. */
  extraTenants?: { tenantId: string; mallId: string }[];
  /** Brokers other than the shared ones (a fault's own broker). */
  brokers?: string[];
  /** The Admin API base the consumer uses. @default the simulator's */
  apiBaseTemplate?: string;
}

export interface Tenant { tenantId: string; mallId: string }

/** Wall time plus an offset a fault can move forward (statuses progress, tokens expire, orders arrive). */
export interface ShiftedClock extends SimClock {
  readonly offsetMs: number;
  advance(ms: number): void;
}

function shiftedClock(): ShiftedClock {
  let offsetMs = 0;
  return { now: () => Date.now() + offsetMs, get offsetMs() { return offsetMs; }, advance: (ms) => void (offsetMs += ms) };
}

export interface Stage {
  readonly prefix: string;
  readonly kafka: KafkaContext;
  readonly admin: Admin;
  readonly sim: Cafe24Simulator;
  readonly clock: ShiftedClock;
  readonly tenants: Tenant[];
  readonly runs: SyncRun[];
  readonly consumers: FaultChild[];
  readonly sinks: FaultChild[];
  readonly brokers: string[];
  startConsumer(env?: Record<string, string>): FaultChild;
  startSink(env?: Record<string, string>): FaultChild;
  /** A manual sync request per tenant (all when none named). */
  publish(tenantIds?: string[], extra?: Partial<SyncRequest>): Promise<SyncRequest[]>;
  /** Raw bytes to a base topic (fuzzing). */
  produceRaw(topic: string, messages: { key?: Buffer | string | null; value: Buffer | null }[]): Promise<void>;
  /** Requests whose chain has not ended yet. */
  pending(): number;
  /**
   * Waits until every chain ended and the sinks landed every run and record. With a report, a pipeline that does
   * not settle in time is a failure noted there (the reconciliation that follows counts what is missing).
   */
  settle(deadlineMs: number, report?: FaultReport): Promise<boolean>;
  /** ClickHouse against the simulator for the given tenants (default: every simulator tenant). */
  reconcile(report: FaultReport, opts?: { tenants?: Tenant[]; statuses?: boolean }): Promise<Holdings>;
  /** Every message of a base topic so far (read committed). */
  readAll(topic: string): Promise<KafkaMessage[]>;
  /** Calls back for every message of a base topic, from the beginning, until the stage closes. */
  follow(topic: string, onMessage: (m: KafkaMessage) => void): Promise<void>;
  /** Kills what still runs, counts crashes into the report, deletes the topics. */
  close(report: FaultReport): Promise<void>;
}

export async function openStage(ctx: FaultContext, name: string, options: StageOptions): Promise<Stage> {
  const brokers = options.brokers ?? ctx.brokers;
  const prefix = `faults-${name}-${randomBytes(3).toString('hex')}.`;
  // The runner's own clients (topics, readers, publisher) log errors only: retries during a fault are expected.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', name: `faults-${name}`, destination: process.stderr });
  const kafka = createKafka({ brokers, clientId: `faults-${name}`, topicPrefix: prefix, logger });
  const admin = kafka.kafka.admin();
  await admin.connect();
  const specs = await readTopicSpecs(TOPICS_FILE);
  // A quarter of production's partitions: the same shape (several partitions per topic), fewer files on the broker.
  await applyTopics(admin, specs, { prefix, partitionDivisor: 4 });

  const clock = shiftedClock();
  const sim = await startCafe24Simulator({ seed: ctx.seed, clock, shops: options.shops, latencyMs: options.latencyMs ?? { minMs: 50, maxMs: 150 } });
  const keySpec = generateKeySpec('faults');
  // Silent: the fuzz fault fills `credentials` with invalid records, which the store reports one by one.
  const credentials: CredentialsStore = createCredentialsStore({
    kafka, keyring: createKeyring(keySpec), readerId: `faults-${name}`, logger: createLogger({ level: 'silent', destination: process.stderr }),
  });
  await credentials.start();
  const tenants = options.shops.map((s) => ({ tenantId: `t-${s.mallId}`, mallId: s.mallId }));
  for (const t of tenants) await connectCafe24(credentials, t.tenantId, t.mallId, (await sim.issueTokens(t.mallId)).response);
  for (const t of options.extraTenants ?? []) {
    // A grant as a compromised or buggy install flow would store it: a hostile mall id with a working token.
    const { response } = await sim.issueTokens(tenants[0]!.mallId);
    await connectCafe24(credentials, t.tenantId, t.mallId, { ...(response as object), mall_id: t.mallId });
  }
  const publisher: Publisher = await createPublisher(kafka);
  const rawProducer: Producer = kafka.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await rawProducer.connect();

  const runs: SyncRun[] = [];
  const published = new Map<string, number>();
  const readers = [await follow(kafka, 'sync.runs', (m) => {
    const decoded = SyncRunContract.decode(m.value);
    if (decoded.ok) runs.push(decoded.value);
  })];
  const landed = { raw_records: 0, sync_runs: 0 };
  const consumers: FaultChild[] = [];
  const sinks: FaultChild[] = [];
  let children = 0;
  const childEnv = () => ({ KAFKA_BROKERS: brokers.join(','), TOPIC_PREFIX: prefix, BUYER_HASH_SALT: SALT });
  const windowStart = () => `${addDays(kstDay(Date.now()), -INITIAL_DAYS)}T00:00:00+09:00`;

  const stage: Stage = {
    prefix, kafka, admin, sim, clock, tenants, runs, consumers, sinks, brokers,
    startConsumer(env = {}) {
      const child = spawnChild(`consumer-${++children}`, new URL('./children/consumer.ts', import.meta.url), {
        ...childEnv(), INSTANCE_ID: 'fault-consumer-0', SECRETS_KEYS: keySpec,
        CAFE24_API_BASE_TEMPLATE: options.apiBaseTemplate ?? sim.apiBaseTemplate, CAFE24_CLIENT_ID: sim.app.clientId, CAFE24_CLIENT_SECRET: sim.app.clientSecret,
        ...env,
      }, join(ctx.workDir, `consumer-${children}.log`));
      consumers.push(child);
      return child;
    },
    startSink(env = {}) {
      const child = spawnChild(`sink-${++children}`, new URL('./children/sink.ts', import.meta.url), {
        ...childEnv(), CHDB_DATA_DIR: join(ctx.workDir, 'chdb'), DATABASE: 'faults', ...env,
      }, join(ctx.workDir, `sink-${children}.log`));
      child.on('committed', ({ rowsByTable }: { rowsByTable: Record<string, number> }) => {
        landed.raw_records += rowsByTable.raw_records ?? 0;
        landed.sync_runs += rowsByTable.sync_runs ?? 0;
      });
      sinks.push(child);
      return child;
    },
    async publish(tenantIds = tenants.map((t) => t.tenantId), extra = {}) {
      const requests = tenantIds.map((tenantId) => buildSyncRequest({ tenantId, platform: 'cafe24', tier: 'paid' }, 'manual', extra));
      await publishSyncRequests(publisher, requests);
      for (const r of requests) published.set(r.tenantId, (published.get(r.tenantId) ?? 0) + 1);
      return requests;
    },
    async produceRaw(topic, messages) {
      await rawProducer.send({ topic: kafka.topic(topic), messages });
    },
    pending() {
      const ended = new Map<string, number>();
      for (const run of runs) if (TERMINAL.has(run.status)) ended.set(run.tenantId, (ended.get(run.tenantId) ?? 0) + 1);
      let open = 0;
      for (const [tenantId, n] of published) open += Math.max(0, n - (ended.get(tenantId) ?? 0));
      return open;
    },
    async settle(deadlineMs, report) {
      const records = () => runs.reduce((n, r) => n + recordsOf(r), 0);
      try {
        await waitFor(() => stage.pending() === 0, { deadlineMs, intervalMs: 200, description: 'every sync chain to end' });
        await waitFor(() => landed.sync_runs >= runs.length && landed.raw_records >= records(), { deadlineMs, intervalMs: 200, description: 'the sink to land everything' });
        return true;
      } catch (error) {
        if (!report) throw error;
        report.failures.push(`stalled: after ${deadlineMs / 1000} s, ${stage.pending()} sync chain(s) open, the sink landed ` +
          `${landed.sync_runs}/${runs.length} runs and ${landed.raw_records}/${records()} records`);
        return false;
      }
    },
    async reconcile(report, { tenants: which = tenants, statuses = false } = {}) {
      const sink = [...sinks].reverse().find((s) => !s.exit);
      if (!sink) throw new Error('no live sink to reconcile with');
      const holdings = await sink.call<Holdings>('reconcile');
      // Orders keep arriving: those placed before the tenant's last sync chain started must be there, none placed
      // after it ended may be; the connector reads up to the end of today (KST) on its own clock.
      const endOfToday = Date.parse(`${addDays(kstDay(Date.now()), 1)}T00:00:00+09:00`);
      const truths: TenantTruth[] = which.map((t) => {
        const chain = lastChain(runs, t.tenantId);
        const at = (ms: number) => Math.min(ms + clock.offsetMs, endOfToday);
        return simulatorTruth(sim, t.tenantId, t.mallId, { since: windowStart(), from: at(chain.startMs), to: at(chain.endMs) });
      });
      const committedRecords: Record<string, number> = {};
      for (const run of runs) committedRecords[run.tenantId] = (committedRecords[run.tenantId] ?? 0) + recordsOf(run);
      reconcile(truths, holdings, report, { committedRecords, statuses });
      const seen = new Set<string>();
      let duplicateRuns = 0;
      for (const run of runs) {
        const key = `${run.requestId}/${run.attempt}`;
        if (seen.has(key)) duplicateRuns += 1;
        seen.add(key);
      }
      if (duplicateRuns > 0) {
        report.duplicated += duplicateRuns;
        report.failures.push(`${duplicateRuns} run event(s) committed twice (same request and attempt)`);
      }
      return holdings;
    },
    readAll: (topic) => readAll(kafka, topic),
    async follow(topic, onMessage) {
      readers.push(await follow(kafka, topic, onMessage));
    },
    async close(report) {
      for (const child of [...consumers, ...sinks]) {
        if (child.exit && !child.exit.killedByUs) report.crashes += 1;
        if (child.events.some((e) => e.event === 'state' && e.data?.to === 'crashed')) report.crashes += 1;
      }
      await Promise.all([...consumers, ...sinks].map((c) => c.stop(30_000)));
      for (const reader of readers) await reader.disconnect().catch(() => undefined);
      await publisher.close().catch(() => undefined);
      await rawProducer.disconnect().catch(() => undefined);
      await credentials.stop().catch(() => undefined);
      await sim.close();
      await admin.deleteTopics({ topics: specs.map((s) => kafka.topic(s.name)) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
  return stage;
}

/** When the tenant's last sync chain (the runs after its previous final run, up to its last success) ran. */
function lastChain(runs: SyncRun[], tenantId: string): { startMs: number; endMs: number } {
  const own = runs.filter((r) => r.tenantId === tenantId);
  const last = own.map((r) => r.status).lastIndexOf('succeeded');
  if (last < 0) return { startMs: 0, endMs: 0 };
  let first = last;
  while (first > 0 && !TERMINAL.has(own[first - 1]!.status)) first -= 1;
  const end = own[last]!;
  return { startMs: Date.parse(own[first]!.startedAt), endMs: Date.parse(end.startedAt) + end.durationMs };
}

/** Records a run reports fetched (oversize ones were not emitted). */
function recordsOf(run: SyncRun): number {
  if (run.status !== 'succeeded' && run.status !== 'continued') return 0;
  return Object.entries(run.counts).reduce((n, [entity, c]) => (entity.endsWith('_oversize') ? n : n + c), 0);
}

/** A read-committed reader of a base topic from the beginning, calling back per message. */
async function follow(kafka: KafkaContext, topic: string, onMessage: (m: KafkaMessage) => void): Promise<Consumer> {
  const consumer = kafka.kafka.consumer({ groupId: kafka.topic(`faults-follow-${randomBytes(3).toString('hex')}`), maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic: kafka.topic(topic), fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => onMessage(message) });
  await waitFor(() => joined, { deadlineMs: 60_000, description: `the ${topic} reader to join` });
  return consumer;
}

/**
 * Every message of a base topic up to its current end offsets: the reader group commits as it goes, and the read is
 * complete when its committed offsets reach the end offsets (which count transaction markers too).
 */
async function readAll(kafka: KafkaContext, topic: string): Promise<KafkaMessage[]> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  const name = kafka.topic(topic);
  const groupId = kafka.topic(`faults-read-${randomBytes(3).toString('hex')}`);
  const seen: KafkaMessage[] = [];
  const consumer = kafka.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  try {
    const ends = (await admin.fetchTopicOffsets(name)).filter((o) => o.high !== o.low);
    if (ends.length === 0) return [];
    await consumer.connect();
    await consumer.subscribe({ topic: name, fromBeginning: true });
    // eachBatch resolves up to the batch's last offset, past a trailing transaction marker; eachMessage would not.
    await consumer.run({ eachBatch: async ({ batch }) => void seen.push(...batch.messages) });
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [name] });
      return ends.every((end) => BigInt(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1') >= BigInt(end.high));
    }, { deadlineMs: 120_000, intervalMs: 200, description: `the end of ${topic}` });
    return seen;
  } finally {
    await consumer.disconnect();
    await admin.disconnect();
  }
}
