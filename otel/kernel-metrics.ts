/**
 * Metrics from the kernel's instrumentation events (lib/kafka/instrumentation.ts), subscribed once per process
 * for every runner and sink in it: telemetry listens, the kernel never imports otel/.
 *   - job end: jobs by platform/tier/outcome/error class, job duration, retry attempts (jobs from a retry topic);
 *   - DLQ: entries per DLQ topic and error class (runner and sink);
 *   - transitions and rejoins: the state of each runner/sink, rejoins by reason;
 *   - sink flushes: batch rows and latency, rows per table; warehouse availability (the sink's readiness).
 * Beside the bus: a connector wrapper (records fetched per entity, time per entity step), and a platform's parts
 * with events of their own: the Ably browser pool and circuit breaker, the Cafe24 rate limiter (passed in
 * structurally by the entry point: otel/ imports no platform folder).
 * No label ever carries a tenant id (metric-names.ts).
 */
import type { EventEmitter } from 'node:events';
import { TIERS } from '../lib/contracts/fields.js';
import { priorityOf } from '../lib/contracts/sync-request.js';
import { INSTRUMENTATION_EVENTS as EV, onInstrumentation } from '../lib/kafka/instrumentation.js';
import type { Connector } from '../lib/sync/connector.js';
import { BREAKER_VALUE } from './metric-names.js';
import type { Metrics } from './metrics.js';

const STATES = ['idle', 'starting', 'running', 'draining', 'stopped', 'crashed'] as const;

/**
 * A job's platform and tier when its labels do not say, from its topic: `sync.<platform>.<priority>`, and a
 * priority topic belongs to one tier (lib/contracts/sync-request.ts priorityOf); a retry topic holds both tiers.
 */
export function labelsOfTopic(topic: string): { platform: string; tier: string } {
  const platform = /^sync\.([a-z0-9_-]+)\./.exec(topic)?.[1] ?? '';
  const tier = TIERS.find((t) => topic === `sync.${platform}.${priorityOf(t)}`) ?? '';
  return { platform, tier };
}

export interface KernelMetrics {
  /** The state a runner or sink of this process last reported (by full group id). */
  stateOf(groupId: string): string | undefined;
  /** False while the sink of that group finds the warehouse unavailable. */
  warehouseUp(groupId: string): boolean;
  stop(): void;
}

/**
 * @param groupName the label of a full group id (the topic prefix removed: `kafka.baseTopic`).
 */
export function subscribeKernelMetrics(metrics: Metrics, groupName: (groupId: string) => string = (g) => g): KernelMetrics {
  const states = new Map<string, string>();
  const warehouseDown = new Set<string>();
  const offs = [
    onInstrumentation(EV.JOB_END, (e) => {
      const fromTopic = labelsOfTopic(e.topic);
      const platform = e.platform ?? fromTopic.platform;
      const tier = e.tier ?? fromTopic.tier;
      metrics.add('sellerstream_jobs_total', { platform, tier, outcome: e.outcome, error_class: e.errorClass ?? '' });
      metrics.record('sellerstream_job_duration_seconds', e.durationMs / 1000, { platform, tier, outcome: e.outcome });
      if (e.topic.endsWith('.retry')) metrics.add('sellerstream_retries_total', { platform, outcome: e.outcome });
    }),
    onInstrumentation(EV.DLQ, (e) => metrics.add('sellerstream_dlq_messages_total', { topic: e.topic, error_class: e.errorClass }, e.count)),
    onInstrumentation(EV.TRANSITION, (e) => {
      states.set(e.groupId, e.to);
      for (const s of STATES) metrics.set('sellerstream_runner_state', { group: groupName(e.groupId), state: s }, s === e.to ? 1 : 0);
    }),
    onInstrumentation(EV.REJOIN, (e) => metrics.add('sellerstream_rejoins_total', { group: groupName(e.groupId), reason: e.reason })),
    onInstrumentation(EV.BATCH_FLUSH, (e) => {
      if (e.error !== undefined) return;
      metrics.record('sellerstream_sink_batch_rows', e.rows);
      metrics.record('sellerstream_sink_batch_seconds', e.durationMs / 1000);
      for (const [table, n] of Object.entries(e.rowsByTable)) if (n > 0) metrics.add('sellerstream_sink_rows_total', { table }, n);
    }),
    onInstrumentation(EV.WAREHOUSE_UNAVAILABLE, (e) => void warehouseDown.add(e.groupId)),
    onInstrumentation(EV.WAREHOUSE_AVAILABLE, (e) => void warehouseDown.delete(e.groupId)),
  ];
  return {
    stateOf: (groupId) => states.get(groupId),
    warehouseUp: (groupId) => !warehouseDown.has(groupId),
    stop: () => offs.forEach((off) => off()),
  };
}

/**
 * The connector with its work measured: records per entity as they are emitted, and per entity the time from
 * the previous entity's last records (or the job's start) to its own last records, one observation per job.
 */
export function instrumentConnector(metrics: Metrics, connector: Connector): Connector {
  const platform = connector.platform;
  return {
    platform,
    async sync(request, cursors, ctx) {
      let mark = performance.now();
      const stepMs = new Map<string, number>();
      try {
        const fetched = (entity: string, records: number) => {
          const t = performance.now();
          stepMs.set(entity, (stepMs.get(entity) ?? 0) + (t - mark));
          mark = t;
          if (records) metrics.add('sellerstream_records_fetched_total', { platform, entity }, records);
        };
        return await connector.sync(request, cursors, {
          ...ctx,
          emit(entity, records, texts) {
            fetched(entity, records.length);
            ctx.emit(entity, records, texts);
          },
          emitPage(page) {
            fetched(page.entity, page.listed);
            ctx.emitPage(page);
          },
        });
      } finally {
        for (const [entity, ms] of stepMs) metrics.record('sellerstream_step_duration_seconds', ms / 1000, { platform, step: entity });
      }
    },
  };
}

/** What instrumentBreaker reads of a breaker (consumers/ably/circuit-breaker.ts), structurally. */
export interface BreakerLike {
  readonly state: keyof typeof BREAKER_VALUE;
  /** `transition` on each move, `blocked` on each soft block it counts. */
  readonly events?: Pick<EventEmitter, 'on' | 'off'>;
}

/**
 * A platform's circuit breaker: its state as a gauge, set on each transition and read every `intervalMs` as well
 * (open → half_open is a matter of time, told only when the breaker is next asked); each soft block it counts as
 * a throttled response. Returns its stop.
 */
export function instrumentBreaker(metrics: Metrics, platform: string, breaker: BreakerLike, intervalMs = 5_000): () => void {
  const refresh = () => metrics.set('sellerstream_breaker_state', { platform }, BREAKER_VALUE[breaker.state]);
  const blocked = () => metrics.add('sellerstream_source_throttled_total', { platform });
  breaker.events?.on('transition', refresh);
  breaker.events?.on('blocked', blocked);
  refresh();
  const timer = setInterval(refresh, intervalMs).unref();
  return () => {
    clearInterval(timer);
    breaker.events?.off('transition', refresh);
    breaker.events?.off('blocked', blocked);
  };
}

/** What instrumentRateLimiter reads of a client-side rate limiter (consumers/cafe24/rate-limiter.ts, consumers/ably/request-pacer.ts), structurally. */
export interface RateLimiterLike {
  readonly events: Pick<EventEmitter, 'on' | 'off'>;
}

/** A platform's rate limiter: calls it held back and for how long (`waited`), and the source's 429s (`throttled`). Returns its stop. */
export function instrumentRateLimiter(metrics: Metrics, platform: string, limiter: RateLimiterLike): () => void {
  const waited = ({ waitedMs }: { waitedMs: number }) => {
    metrics.add('sellerstream_limiter_waits_total', { platform });
    metrics.record('sellerstream_limiter_wait_seconds', waitedMs / 1000, { platform });
  };
  const throttled = () => metrics.add('sellerstream_source_throttled_total', { platform });
  limiter.events.on('waited', waited);
  limiter.events.on('throttled', throttled);
  return () => {
    limiter.events.off('waited', waited);
    limiter.events.off('throttled', throttled);
  };
}

export interface BrowserPoolLike {
  events: EventEmitter;
  stats: { openPages: number };
}

/** Browsers open, pages open, their RSS (read every `intervalMs` with `rssMb`), restarts by reason. Returns its stop. */
export function instrumentBrowserPool(metrics: Metrics, pool: BrowserPoolLike, { rssMb, intervalMs = 5_000 }: { rssMb: (pid: number) => number; intervalMs?: number }): () => void {
  const pids = new Set<number>();
  const refresh = () => {
    metrics.set('sellerstream_browser_pool_browsers', {}, pids.size);
    metrics.set('sellerstream_browser_pool_contexts', {}, pool.stats.openPages);
    let mb = 0;
    for (const pid of pids) mb += rssMb(pid);
    metrics.set('sellerstream_browser_pool_rss_bytes', {}, Math.round(mb * 1024 * 1024));
  };
  pool.events.on('browserLaunched', (pid?: number) => {
    if (pid !== undefined) pids.add(pid);
    refresh();
  });
  for (const [event, reason] of [['browserClosed', undefined], ['browserCrashed', 'crashed']] as const) {
    pool.events.on(event, (pid?: number) => {
      if (pid !== undefined) pids.delete(pid);
      if (reason) metrics.add('sellerstream_browser_restarts_total', { reason });
      refresh();
    });
  }
  pool.events.on('browserRetired', () => metrics.add('sellerstream_browser_restarts_total', { reason: 'retired' }));
  pool.events.on('pageClosed', refresh);
  refresh();
  const timer = setInterval(refresh, intervalMs).unref();
  return () => clearInterval(timer);
}
