/**
 * `npm run bench -- fairness [--json] [--tenants N] [--compress K] [--concurrency C]`: paid before free without
 * starving free, through the real broker and the real sync consumer (runner and dispatcher), in compressed time.
 *   Fleet: N tenants (default 3,000, scaled down from the 10,000: at 120× the runner's own ~40 ms per job
 *     does not compress, and 10,000 tenants need ~140 jobs/s more than this 2-core machine gives; 30 % paid, hourly; 70 % free, every 6 h), each with a hash-spread phase in its
 *     period. Time runs K times faster (default 120: 1 h → 30 s, 6 h → 3 min). A stub Cafe24 connector sleeps a job
 *     time drawn from the measured Cafe24 distribution (the demo's per-shop jobs, issue 2: p50 4.3 s, p95 5.3 s, as a
 *     log-normal), compressed by K: no API. Two sync-consumer instances of one group, C jobs each (default sized so
 *     the normal load fills ~55 % of the slots and the surge ~135 %).
 *   Run: one paid period of normal load, one of a paid surge (3× the paid tenants: two extra paid tenants per paid
 *     tenant, each synced once in the surge period), one of normal load again, then a drain.
 *   value     the worse tier's p99 data age ÷ its period (target ≤ 1.1). A sync's data age is how old the tenant's
 *             data was when the sync landed: one period since the previous slot, plus this slot's wait (landing −
 *             slot time), so age ÷ period = 1 + wait ÷ period.
 *   baseline  the same run with one FIFO queue for everyone: every request on one topic (sync.cafe24.low), no
 *             priority, the same instances and slots.
 *   also      p50/p99 age ÷ period per tier, free_longest_wait_s (compressed seconds, and real seconds = × K).
 * Needs KAFKA_BROKERS (a broker of its own is best: KAFKA_LOCAL_DIR=/tmp/kfair KAFKA_LOCAL_PORT=39292
 * bash scripts/kafka/local.sh up).
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners } from 'kafkajs';
import { parseArgs } from 'node:util';
import { SyncRequestContract, type SyncRequest } from '../lib/contracts/sync-request.js';
import { createKafka } from '../lib/kafka/client.js';
import { applyTopics } from '../lib/kafka/topics.js';
import { createLogger } from '../lib/logger.js';
import { createSyncConsumer } from '../lib/sync/sync-consumer.js';
import { waitFor } from '../lib/wait-for.js';
import type { BenchArgs, BenchResult } from './run.js';

const HOUR = 3_600_000;
const PERIOD = { paid: HOUR, free: 6 * HOUR } as const;
type Tier = keyof typeof PERIOD;
/** The measured Cafe24 job time (issue 2's demo: p50 4.3 s, p95 5.3 s) as a log-normal. */
const JOB_MEDIAN_MS = 4_300;
const JOB_SIGMA = Math.log(5_300 / 4_300) / 1.645;

/** The runner's time per job around the connector (transaction, fetch), measured here at about 40 ms. */
const JOB_OVERHEAD_MS = 40;

interface Slot { tenantId: string; tier: Tier; at: number; requestId: string }
interface Landed { tier: Tier; waitMs: number }

/** Deterministic uniform [0, 1) from a label. */
const unit = (label: string) => createHash('sha256').update(label).digest().readUInt32BE(0) / 2 ** 32;

/** Every slot of the run in compressed ms from its start, sorted. */
function plan(tenants: number, k: number): { slots: Slot[]; runMs: number } {
  const paidPeriod = PERIOD.paid / k;
  const freePeriod = PERIOD.free / k;
  const runMs = 3 * paidPeriod;
  const slots: Slot[] = [];
  const add = (tenantId: string, tier: Tier, at: number) => slots.push({ tenantId, tier, at, requestId: `req-${tenantId}-${Math.round(at)}` });
  for (let i = 0; i < tenants; i++) {
    const tenantId = `t${i}`;
    const tier: Tier = unit(`tier/${i}`) < 0.3 ? 'paid' : 'free';
    const period = tier === 'paid' ? paidPeriod : freePeriod;
    for (let at = unit(`phase/${i}`) * period; at < runMs; at += period) add(tenantId, tier, at);
    // The surge: two more paid tenants per paid tenant, each synced once in the middle period.
    if (tier === 'paid') for (const extra of ['s1', 's2']) add(`${tenantId}${extra}`, 'paid', paidPeriod + unit(`surge/${extra}/${i}`) * paidPeriod);
  }
  slots.sort((a, b) => a.at - b.at);
  return { slots, runMs };
}

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

const pct = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

interface Outcome {
  ages: Record<Tier, { p50: number; p99: number }>;
  worse: number;
  freeLongestWaitMs: number;
  landed: number;
  wallMs: number;
}

async function scenario(mode: 'priority' | 'fifo', slots: Slot[], opts: { k: number; concurrency: number; brokers: string[]; log: (l: string) => void }): Promise<Outcome> {
  const logger = createLogger({ level: 'error', name: `bench-fairness-${mode}` });
  const prefix = `bench-fair-${mode}-${randomBytes(3).toString('hex')}.`;
  const kafka = createKafka({ brokers: opts.brokers, clientId: 'bench-fairness', topicPrefix: prefix, logger });
  const admin = kafka.kafka.admin();
  await admin.connect();
  const topics = ['sync.cafe24.high', 'sync.cafe24.low'].map((name) => ({ name, partitions: 12, replication: 1, configs: {} }))
    .concat(['sync.cafe24.retry', 'sync.state', 'sync.runs', 'raw.results', 'sync.dlq'].map((name) => ({ name, partitions: 4, replication: 1, configs: {} })));
  await applyTopics(admin, topics, { prefix });
  const bySlot = new Map(slots.map((s) => [s.requestId, s]));
  const landed: Landed[] = [];
  let t0 = 0;
  const consumers = ['a', 'b'].map((instance) => createSyncConsumer({
    kafka, instanceId: `${instance}-${prefix}`, logger, concurrency: opts.concurrency, jobTimeoutMs: 30_000,
    connector: {
      platform: 'cafe24',
      async sync(r) {
        await sleep(Math.max(1, (JOB_MEDIAN_MS * Math.exp(JOB_SIGMA * gaussian())) / opts.k));
        const slot = bySlot.get(r.requestId);
        if (slot) landed.push({ tier: slot.tier, waitMs: Date.now() - t0 - slot.at });
        return { cursors: {}, done: true };
      },
    },
  }));
  await Promise.all(consumers.map((c) => c.start()));
  // Both members joined and settled before the clock starts.
  await sleep(3_000);
  const producer = kafka.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  t0 = Date.now();
  let next = 0;
  while (next < slots.length) {
    const now = Date.now() - t0;
    const due: Slot[] = [];
    while (next < slots.length && slots[next]!.at <= now) due.push(slots[next++]!);
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const s of due) {
      const topic = mode === 'fifo' || s.tier === 'free' ? 'sync.cafe24.low' : 'sync.cafe24.high';
      const request: SyncRequest = { v: 1, requestId: s.requestId, tenantId: s.tenantId, platform: 'cafe24', tier: s.tier, reason: 'scheduled', attempt: 1, requestedAt: new Date().toISOString() };
      const list = byTopic.get(topic) ?? [];
      list.push({ key: s.tenantId, value: SyncRequestContract.encode(request) });
      byTopic.set(topic, list);
    }
    if (byTopic.size > 0) await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic: kafka.topic(topic), messages })) });
    await sleep(20);
  }
  await waitFor(() => landed.length >= slots.length, { deadlineMs: 10 * 60_000, intervalMs: 200, description: `${slots.length} jobs landed (${landed.length})` });
  const wallMs = Date.now() - t0;
  await producer.disconnect();
  await Promise.all(consumers.map((c) => c.stop()));
  await admin.deleteTopics({ topics: topics.map((t) => kafka.topic(t.name)) }).catch(() => undefined);
  await admin.disconnect();

  const agesOf = (tier: Tier) => landed.filter((l) => l.tier === tier).map((l) => 1 + Math.max(0, l.waitMs) / (PERIOD[tier] / opts.k));
  const ages = Object.fromEntries((['paid', 'free'] as const).map((t) => [t, { p50: pct(agesOf(t), 0.5), p99: pct(agesOf(t), 0.99) }])) as Outcome['ages'];
  const freeLongestWaitMs = Math.max(0, ...landed.filter((l) => l.tier === 'free').map((l) => l.waitMs));
  const outcome = { ages, worse: Math.max(ages.paid.p99, ages.free.p99), freeLongestWaitMs, landed: landed.length, wallMs };
  opts.log(`  ${mode}: ${landed.length} jobs in ${(wallMs / 1000).toFixed(1)} s; age ÷ period p50/p99 paid ${ages.paid.p50.toFixed(3)}/${ages.paid.p99.toFixed(3)}, `
    + `free ${ages.free.p50.toFixed(3)}/${ages.free.p99.toFixed(3)}; longest free wait ${(freeLongestWaitMs / 1000).toFixed(1)} s`);
  return outcome;
}

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  const { values } = parseArgs({ args: argv, options: { tenants: { type: 'string' }, compress: { type: 'string' }, concurrency: { type: 'string' } } });
  const tenants = Number(values.tenants ?? 3_000);
  const k = Number(values.compress ?? 120);
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set (a broker of its own: KAFKA_LOCAL_DIR=/tmp/kfair KAFKA_LOCAL_PORT=39292 bash scripts/kafka/local.sh up)');
  // Slots busy on average under normal load (30 % paid hourly, 70 % free 6-hourly): the compressed job time plus
  // the runner's own time per job (its transaction), which compression does not shrink.
  const meanJobMs = JOB_MEDIAN_MS * Math.exp(JOB_SIGMA ** 2 / 2) / k + JOB_OVERHEAD_MS;
  const normalSlots = tenants * (0.3 / PERIOD.paid + 0.7 / PERIOD.free) * k * meanJobMs;
  const concurrency = Number(values.concurrency ?? Math.max(1, Math.round(normalSlots / 0.55 / 2)));
  const { slots } = plan(tenants, k);
  log(`fairness: ${tenants} tenants (+ the surge's), ${slots.length} jobs, time ×${k} (paid period ${PERIOD.paid / k / 1000} s, free ${PERIOD.free / k / 1000} s), `
    + `2 instances × ${concurrency} slots; normal load ≈ ${(normalSlots / (2 * concurrency) * 100).toFixed(0)} % of the slots, the surge ≈ ${(normalSlots * 2.45 / (2 * concurrency) * 100).toFixed(0)} %`);
  const ours = await scenario('priority', slots, { k, concurrency, brokers, log });
  const fifo = await scenario('fifo', slots, { k, concurrency, brokers, log });
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    bench: 'fairness',
    metric: 'worse tier p99 data age / its period',
    unit: 'periods',
    value: r3(ours.worse),
    baseline: r3(fifo.worse),
    ratio: r3(fifo.worse / ours.worse),
    target: 1.1,
    tenants,
    jobs: slots.length,
    compress: k,
    concurrency_per_instance: concurrency,
    instances: 2,
    paid_p50: r3(ours.ages.paid.p50), paid_p99: r3(ours.ages.paid.p99),
    free_p50: r3(ours.ages.free.p50), free_p99: r3(ours.ages.free.p99),
    free_longest_wait_s: r3(ours.freeLongestWaitMs / 1000),
    free_longest_wait_real_s: Math.round((ours.freeLongestWaitMs * k) / 1000),
    baseline_paid_p99: r3(fifo.ages.paid.p99), baseline_free_p99: r3(fifo.ages.free.p99),
    baseline_free_longest_wait_s: r3(fifo.freeLongestWaitMs / 1000),
    wall_s: r3((ours.wallMs + fifo.wallMs) / 1000),
  };
}
