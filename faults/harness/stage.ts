/**
 * The world every fault runs in, whatever the platform: topics under a fresh prefix on the broker, a credentials
 * store sealed with a key of the fault's own, the platform's consumers and the sink as child processes
 * (faults/<platform>/consumer-child.ts, children/sink.ts) that the fault may kill. It follows every run event on
 * `sync.runs` and every flush the sinks commit, so it knows when the pipeline has settled: every published
 * request's chain ended (succeeded, dead, needs_reauth) and every record and run landed. A platform's stage
 * (faults/cafe24/stage.ts, faults/ably/stage.ts) adds its simulator, its tenants and its truth.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Partitioners, type Admin, type Consumer, type KafkaMessage, type Producer } from '../../lib/kafka/kafkajs.js';
import { createCredentialsStore, type CredentialsStore } from '../../lib/credentials/credentials-store.js';
import type { Platform } from '../../lib/contracts/fields.js';
import { SyncRunContract, type SyncRun } from '../../lib/contracts/sync-run.js';
import type { SyncRequest } from '../../lib/contracts/sync-request.js';
import { createKafka, type KafkaContext } from '../../lib/kafka/client.js';
import { createPublisher, type Publisher } from '../../lib/kafka/publisher.js';
import { applyTopics, readTopicSpecs } from '../../lib/kafka/topics.js';
import { createLogger } from '../../lib/logger.js';
import { generateKeySpec, createKeyring } from '../../lib/secrets.js';
import { spawnIpcChild, type IpcChild } from '../../lib/testing/child-ipc.js';
import { waitFor } from '../../lib/wait-for.js';
import { buildSyncRequest, publishSyncRequests } from '../../producers/sync-requests.js';
import type { FaultContext, FaultReport } from './fault.js';
import type { HoldingTable, Holdings } from './reconcile.js';

const TOPICS_FILE = fileURLToPath(new URL('../../topics.json', import.meta.url));
export const TERMINAL = new Set(['succeeded', 'dead', 'needs_reauth']);
const SALT = 'faults-salt';

/** A child of the fault: a consumer or a sink, with every event it sent kept and timed. */
export type FaultChild = IpcChild;

export interface Stage {
  readonly prefix: string;
  readonly kafka: KafkaContext;
  readonly admin: Admin;
  readonly brokers: string[];
  /** Sealed with the key the consumers get (`SECRETS_KEYS`). */
  readonly credentials: CredentialsStore;
  readonly runs: SyncRun[];
  readonly consumers: FaultChild[];
  readonly sinks: FaultChild[];
  /** Starts a platform consumer (`file`) with the stage's broker, prefix, salt and key, plus `env`. */
  spawnConsumer(file: URL, env: Record<string, string>): FaultChild;
  startSink(env?: Record<string, string>): FaultChild;
  /** A manual sync request per tenant. */
  publish(tenantIds: string[], extra?: Partial<SyncRequest>): Promise<SyncRequest[]>;
  /** Raw bytes to a base topic (fuzzing). */
  produceRaw(topic: string, messages: { key?: Buffer | string | null; value: Buffer | null }[]): Promise<void>;
  /** Requests whose chain has not ended yet. */
  pending(): number;
  /**
   * Waits until every chain ended and the sinks landed every run and record. With a report, a pipeline that does
   * not settle in time is a failure noted there (the reconciliation that follows counts what is missing).
   */
  settle(deadlineMs: number, report?: FaultReport): Promise<boolean>;
  /** What ClickHouse holds of these tables, per tenant (asked of the newest live sink). */
  holdings(tables: HoldingTable[]): Promise<Holdings>;
  /** Records each tenant's committed runs reported fetching. */
  committedRecords(): Record<string, number>;
  /** Counts run events committed twice (same request, attempt and start) into the report. */
  checkRunsOnce(report: FaultReport): void;
  /** Every message of a base topic so far (read committed). */
  readAll(topic: string): Promise<KafkaMessage[]>;
  /** Calls back for every message of a base topic, from the beginning, until the stage closes. */
  follow(topic: string, onMessage: (m: KafkaMessage) => void): Promise<void>;
  /** Kills what still runs, counts crashes into the report, deletes the topics. */
  close(report: FaultReport): Promise<void>;
}

export async function openStage(ctx: FaultContext, name: string, { platform, brokers = ctx.brokers }: { platform: Platform; brokers?: string[] }): Promise<Stage> {
  const prefix = `faults-${name}-${randomBytes(3).toString('hex')}.`;
  // The runner's own clients (topics, readers, publisher) log errors only: retries during a fault are expected.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', name: `faults-${name}`, destination: process.stderr });
  const kafka = createKafka({ brokers, clientId: `faults-${name}`, topicPrefix: prefix, logger });
  const admin = kafka.kafka.admin();
  await admin.connect();
  const specs = await readTopicSpecs(TOPICS_FILE);
  // A quarter of production's partitions: the same shape (several partitions per topic), fewer files on the broker.
  await applyTopics(admin, specs, { prefix, partitionDivisor: 4 });

  const keySpec = generateKeySpec('faults');
  // Silent: the fuzz fault fills `credentials` with invalid records, which the store reports one by one.
  const credentials: CredentialsStore = createCredentialsStore({
    kafka, keyring: createKeyring(keySpec), readerId: `faults-${name}`, logger: createLogger({ level: 'silent', destination: process.stderr }),
  });
  await credentials.start();
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
  const spawn = (kind: string, file: URL, env: Record<string, string>) => {
    const n = ++children;
    return spawnIpcChild(`${kind}-${n}`, fileURLToPath(file), {
      env: { KAFKA_BROKERS: brokers.join(','), TOPIC_PREFIX: prefix, BUYER_HASH_SALT: SALT, ...env },
      logFile: join(ctx.workDir, `${kind}-${n}.log`), keepEvents: true,
    });
  };
  const committedRecords = () => {
    const out: Record<string, number> = {};
    for (const run of runs) out[run.tenantId] = (out[run.tenantId] ?? 0) + recordsOf(run);
    return out;
  };

  const stage: Stage = {
    prefix, kafka, admin, brokers, credentials, runs, consumers, sinks,
    spawnConsumer(file, env) {
      const child = spawn('consumer', file, { SECRETS_KEYS: keySpec, ...env });
      consumers.push(child);
      return child;
    },
    startSink(env = {}) {
      const child = spawn('sink', new URL('./children/sink.ts', import.meta.url), { CHDB_DATA_DIR: join(ctx.workDir, 'chdb'), DATABASE: 'faults', ...env });
      child.on('committed', ({ rowsByTable }: { rowsByTable: Record<string, number> }) => {
        landed.raw_records += rowsByTable.raw_records ?? 0;
        landed.sync_runs += rowsByTable.sync_runs ?? 0;
      });
      sinks.push(child);
      return child;
    },
    async publish(tenantIds, extra = {}) {
      const requests = tenantIds.map((tenantId) => buildSyncRequest({ tenantId, platform, tier: 'paid' }, 'manual', extra));
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
    async holdings(tables) {
      const sink = [...sinks].reverse().find((s) => !s.exit);
      if (!sink) throw new Error('no live sink to reconcile with');
      return sink.call<Holdings>('reconcile', { tables });
    },
    committedRecords,
    checkRunsOnce(report) {
      const seen = new Set<string>();
      let duplicateRuns = 0;
      for (const run of runs) {
        // A job the Ably breaker held back keeps its attempt, so (request, attempt) alone may repeat; a run event
        // committed twice repeats its start too.
        const key = `${run.requestId}/${run.attempt}/${run.startedAt}/${run.status}`;
        if (seen.has(key)) duplicateRuns += 1;
        seen.add(key);
      }
      if (duplicateRuns > 0) {
        report.duplicated += duplicateRuns;
        report.failures.push(`${duplicateRuns} run event(s) committed twice (same request, attempt and start)`);
      }
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
      await admin.deleteTopics({ topics: specs.map((s) => kafka.topic(s.name)) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
  return stage;
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
