/**
 * The scheduler's loop: what turns the pure planner (slots.ts) into requests on Kafka.
 * - Every instance follows the `tenants` table (compacted, lib/kafka/compacted-view.ts) and takes part in the
 *   leader election (leader.ts). Invalid tenant records are logged by the view and skipped; paused tenants and
 *   parked links (credential health needs_reauth / challenged / blocked) are not scheduled.
 * - On becoming leader it fences any predecessor (one transactional id, `scheduler`, for every instance: the
 *   broker aborts the old leader's open transaction and refuses its next one), then reads `scheduler.state` to
 *   its end: the last emitted slot per tenant × platform. From then on its own memory is that state.
 * - Each tick it plans and emits the due requests to `sync.<platform>.high|low` (key tenantId) together with
 *   their slots' state records, in one transaction per chunk: a leader dying mid-tick leaves both or neither,
 *   so its successor neither skips nor repeats a slot.
 * - Overlap: every instance follows `sync.runs` from its start; a link's request is open from its emission
 *   (`emittedAt` in its state record) until a run of that link that started after it ends (succeeded, dead,
 *   needs_reauth). A request emitted before the instance started is taken as ended once its run would have been
 *   seen: at worst one successor is queued behind it (the consumers run one job per tenant at a time, so never
 *   two at once).
 * - Followers keep the tenant table, the state and the runs read, so a takeover only fences and reads to the end.
 * - Each request starts its own trace here (`send sync.<platform>.<priority>`, ended when its transaction
 *   commits): the scheduler's decision is the root of the job's trace through the consumer and the sink.
 */
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Consumer, Producer } from 'kafkajs';
import { PLATFORMS, type Platform } from '../../lib/contracts/fields.js';
import { SCHEDULER_STATE_TOPIC, SchedulerStateContract, schedulerStateKey, type SchedulerState } from '../../lib/contracts/scheduler-state.js';
import { SyncRequestContract } from '../../lib/contracts/sync-request.js';
import { SYNC_RUNS_TOPIC, SyncRunContract } from '../../lib/contracts/sync-run.js';
import { PARKED_HEALTH, TENANTS_TOPIC, TenantContract, type Tenant } from '../../lib/contracts/tenant.js';
import { createTransactionalProducer, PRODUCE_COMPRESSION, type KafkaContext } from '../../lib/kafka/client.js';
import { createCompactedView, type CompactedView } from '../../lib/kafka/compacted-view.js';
import { injectTraceHeaders, jobHeaders } from '../../lib/kafka/headers.js';
import type { Logger } from '../../lib/logger.js';
import { ATTR, SPAN, TRACER_NAME } from '../../otel/attributes.js';
import { createLeaderElection, type LeaderElection } from './leader.js';
import type { SchedulerPolicy } from './policy.js';
import { compileTable, createSlotState, linkKey, planTick, recordEmitted, type LinkInput, type PlannedRequest, type PlanTable, type SlotState } from './slots.js';

export interface SchedulerOptions {
  kafka: KafkaContext;
  logger: Logger;
  policy: SchedulerPolicy;
  /** Names this instance's readers. */
  instanceId: string;
  /** @default 10_000 */
  tickMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** Leader election's session timeout. @default 10_000 */
  sessionTimeoutMs?: number;
  /** Requests per transaction. @default 5_000 */
  chunk?: number;
}

export interface Scheduler {
  start(): Promise<void>;
  isLeader(): boolean;
  /** Stops emitting, finishes the tick in flight, leaves the group. Safe to call twice. */
  stop(): Promise<void>;
}

const ENDED = new Set(['succeeded', 'dead', 'needs_reauth']);

/** The links of a tenant table that may be scheduled. */
export function schedulableLinks(tenants: Iterable<Tenant>): LinkInput[] {
  const links: LinkInput[] = [];
  for (const t of tenants) {
    if (t.status !== 'active') continue;
    for (const platform of PLATFORMS) {
      const link = t[platform];
      if (!link || (link.health !== undefined && PARKED_HEALTH.has(link.health))) continue;
      links.push({
        tenantId: t.tenantId, platform, tier: t.tier, since: Date.parse(t.updatedAt), businessType: t.businessType,
        ...(t.syncIntervalMinutes === undefined ? {} : { periodMs: t.syncIntervalMinutes * 60_000 }),
      });
    }
  }
  return links;
}

export function createScheduler({ kafka, logger, policy, instanceId, tickMs = 10_000, now = Date.now, sessionTimeoutMs = 10_000, chunk = 5_000 }: SchedulerOptions): Scheduler {
  const tenants: CompactedView<Tenant> = createCompactedView({ kafka, topic: TENANTS_TOPIC, contract: TenantContract, readerId: `scheduler-${instanceId}`, logger });
  /** Durable memory, by link key: frame start of the last emitted slot; and when each open request was emitted. */
  const lastSlot = new Map<string, number>();
  const running = new Map<string, number>();
  const tracer = trace.getTracer(TRACER_NAME);
  let table: PlanTable = compileTable([], policy);
  let state: SlotState = createSlotState(0);
  let seen: Map<string, Tenant> | undefined;
  let producer: Producer | undefined;
  let runs: Consumer | undefined;
  const states: CompactedView<SchedulerState> = createCompactedView({ kafka, topic: SCHEDULER_STATE_TOPIC, contract: SchedulerStateContract, readerId: `scheduler-state-${instanceId}`, logger });
  /** Per link, the latest start of a run that ended (what overlap compares emissions with). */
  const ended = new Map<string, number>();
  const startedAt = now();
  let leaderSince = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The leadership work in order: becoming leader, ticks, stepping down never overlap. */
  let chain: Promise<void> = Promise.resolve();
  const serial = (step: () => Promise<void>) => {
    chain = chain.then(step).catch((error) => logger.error({ err: error }, 'scheduler step failed'));
    return chain;
  };

  async function refreshTable(): Promise<void> {
    const current = await tenants.all();
    if (seen && current.size === seen.size && [...current].every(([k, v]) => seen!.get(k) === v)) return;
    seen = current;
    table = compileTable(schedulableLinks(current.values()), policy);
    state = createSlotState(table.size);
    for (const [key, row] of table.rowOf) {
      state.lastSlot[row] = lastSlot.get(key) ?? NaN;
      state.runningSince[row] = running.get(key) ?? NaN;
    }
  }

  async function emit(planned: PlannedRequest[], at: number): Promise<void> {
    const p = producer!;
    for (let from = 0; from < planned.length; from += chunk) {
      const part = planned.slice(from, from + chunk);
      const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
      const states = new Map<string, SchedulerState>();
      const spans: Span[] = [];
      for (const { request: r, topic, slotStart } of part) {
        const messages = byTopic.get(topic) ?? [];
        byTopic.set(topic, messages);
        const span = tracer.startSpan(SPAN.PRODUCE(topic), {
          kind: SpanKind.PRODUCER, root: true,
          attributes: { [ATTR.TENANT_ID]: r.tenantId, [ATTR.REQUEST_ID]: r.requestId, [ATTR.PLATFORM]: r.platform, [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: topic },
        });
        spans.push(span);
        const headers = injectTraceHeaders(jobHeaders(r.tenantId, r.requestId, 'SyncRequest'), trace.setSpan(context.active(), span));
        messages.push({ key: r.tenantId, value: SyncRequestContract.encode(r), headers });
        const key = schedulerStateKey(r.tenantId, r.platform);
        if (!states.has(key)) {
          states.set(key, { v: 1, tenantId: r.tenantId, platform: r.platform, slotStart: new Date(slotStart).toISOString(), requestId: r.requestId, emittedAt: new Date(at).toISOString() });
        }
      }
      const tx = await p.transaction();
      try {
        await tx.sendBatch({
          acks: -1,
          compression: PRODUCE_COMPRESSION,
          topicMessages: [
            ...[...byTopic].map(([topic, messages]) => ({ topic: kafka.topic(topic), messages })),
            { topic: kafka.topic(SCHEDULER_STATE_TOPIC), messages: [...states].map(([key, s]) => ({ key, value: SchedulerStateContract.encode(s) })) },
          ],
        });
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
      recordEmitted(state, part, at);
      for (const { request: r, slotStart } of part) {
        const key = linkKey(r.tenantId, r.platform);
        lastSlot.set(key, slotStart);
        running.set(key, at);
      }
    }
  }

  async function tick(): Promise<void> {
    if (!producer) return;
    await refreshTable();
    const at = now();
    const planned = planTick(table, state, at, policy, { leaderSince });
    if (planned.length === 0) return;
    await emit(planned, at);
    logger.debug({ requests: planned.length }, 'scheduler tick emitted');
  }

  async function lead(): Promise<void> {
    producer = createTransactionalProducer(kafka, kafka.topic('scheduler'));
    await producer.connect();
    // An empty transaction initialises the producer id: that fences the previous leader, whose open
    // transaction the broker aborts, so the state read next is final.
    await (await producer.transaction()).abort();
    const stored = await states.all();
    lastSlot.clear();
    running.clear();
    for (const [key, s] of stored) {
      lastSlot.set(key, Date.parse(s.slotStart));
      const emitted = Date.parse(s.emittedAt);
      if (emitted > startedAt && !((ended.get(key) ?? -Infinity) >= emitted)) running.set(key, emitted);
    }
    seen = undefined;
    leaderSince = now();
    logger.info({ links: stored.size }, 'scheduler leading');
    timer = setInterval(() => void serial(tick), tickMs);
    timer.unref();
    await tick();
  }

  async function stepDown(): Promise<void> {
    clearInterval(timer);
    timer = undefined;
    await producer?.disconnect().catch(() => undefined);
    producer = undefined;
  }

  async function followRuns(): Promise<Consumer> {
    const consumer = kafka.kafka.consumer({ groupId: kafka.topic(`scheduler.runs.${instanceId}.${process.pid}.${Date.now()}`), maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: kafka.topic(SYNC_RUNS_TOPIC), fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const run = SyncRunContract.decode(message.value);
        if (!run.ok || !ENDED.has(run.value.status)) return;
        const key = linkKey(run.value.tenantId, run.value.platform as Platform);
        const began = Date.parse(run.value.startedAt);
        ended.set(key, Math.max(began, ended.get(key) ?? -Infinity));
        if ((running.get(key) ?? Infinity) > began) return;
        running.delete(key);
        const row = table.rowOf.get(key);
        if (row !== undefined) state.runningSince[row] = NaN;
      },
    });
    return consumer;
  }

  const leader: LeaderElection = createLeaderElection({
    kafka, logger, sessionTimeoutMs,
    onChange: (leading) => void serial(leading ? lead : stepDown),
  });

  let started = false;
  return {
    async start() {
      if (started) return;
      started = true;
      await Promise.all([tenants.start(), states.start()]);
      if (policy.overlap.enabled) runs = await followRuns();
      await leader.start();
    },
    isLeader: () => leader.isLeader() && producer !== undefined,
    async stop() {
      if (!started) return;
      started = false;
      clearInterval(timer);
      await leader.stop();
      await serial(stepDown);
      await runs?.disconnect();
      runs = undefined;
      await Promise.all([tenants.stop(), states.stop()]);
    },
  };
}
