/**
 * Every metric sellerstream exports, by its Prometheus name, with its labels: one table that otel/metrics.ts
 * registers from and that the Grafana dashboards and alert rules are checked against
 * (test/grafana/dashboards.test.ts), so a renamed metric cannot leave a panel silently empty.
 * No tenant id is ever a label: 10,000+ tenants would be 10,000+ series per metric; a tenant's story is in
 * ClickHouse (sync_runs, freshness).
 */
export type MetricKind = 'counter' | 'histogram' | 'gauge';

export interface MetricSpec {
  kind: MetricKind;
  help: string;
  labels: readonly string[];
  /** Histogram bucket boundaries, in the metric's unit. */
  buckets?: readonly number[];
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120] as const;

export const METRICS = {
  sellerstream_jobs_total: { kind: 'counter', help: 'Jobs ended: ok, failed (its failure handler\'s output committed), poison, refused (both to the DLQ), abandoned (cut off by a rebalance or shutdown, done again)', labels: ['platform', 'tier', 'outcome', 'error_class'] },
  sellerstream_job_duration_seconds: { kind: 'histogram', help: 'Job duration, start to end', labels: ['platform', 'tier', 'outcome'], buckets: SECONDS },
  sellerstream_step_duration_seconds: { kind: 'histogram', help: 'Time a job spent on one entity of its source (from the previous entity\'s last records to its own)', labels: ['platform', 'step'], buckets: SECONDS },
  sellerstream_records_fetched_total: { kind: 'counter', help: 'Source records fetched, per entity', labels: ['platform', 'entity'] },
  sellerstream_retries_total: { kind: 'counter', help: 'Retry attempts run (jobs consumed from sync.<platform>.retry), by how they ended', labels: ['platform', 'outcome'] },
  sellerstream_dlq_messages_total: { kind: 'counter', help: 'Entries sent to a DLQ topic (sync.dlq, sink.dlq)', labels: ['topic', 'error_class'] },
  sellerstream_consumer_lag_messages: { kind: 'gauge', help: 'Messages between the group\'s committed offset and the log end, per topic (summed over partitions)', labels: ['group', 'topic'] },
  sellerstream_consumer_lag_seconds: { kind: 'gauge', help: 'Age of the oldest message not yet committed by the group, per topic (0 when caught up); true while partitions are paused', labels: ['group', 'topic'] },
  sellerstream_runner_state: { kind: 'gauge', help: '1 for the current state of a runner or sink (idle, starting, running, draining, stopped, crashed)', labels: ['group', 'state'] },
  sellerstream_rejoins_total: { kind: 'counter', help: 'Times a runner or sink dropped what it held and started again from the committed offsets', labels: ['group', 'reason'] },
  sellerstream_browser_pool_browsers: { kind: 'gauge', help: 'Chromium processes open in this process\'s pool', labels: [] },
  sellerstream_browser_pool_contexts: { kind: 'gauge', help: 'Browser pages (isolated contexts) open', labels: [] },
  sellerstream_browser_pool_rss_bytes: { kind: 'gauge', help: 'Resident memory of the pool\'s Chromium processes', labels: [] },
  sellerstream_browser_restarts_total: { kind: 'counter', help: 'Chromium processes replaced, by reason (retired, crashed)', labels: ['reason'] },
  sellerstream_limiter_waits_total: { kind: 'counter', help: 'Calls the client-side rate limiter held back and then let through (a wait too long to sleep hands the job back instead: jobs_total error_class RATE_LIMITED)', labels: ['platform'] },
  sellerstream_limiter_wait_seconds: { kind: 'histogram', help: 'How long the rate limiter held a call back', labels: ['platform'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10] },
  sellerstream_source_throttled_total: { kind: 'counter', help: 'Responses 429 (or the source\'s soft block) received', labels: ['platform'] },
  sellerstream_breaker_state: { kind: 'gauge', help: 'Circuit breaker state per platform: 0 closed, 1 half open, 2 open', labels: ['platform'] },
  sellerstream_sink_batch_rows: { kind: 'histogram', help: 'Rows per flushed sink batch', labels: [], buckets: [10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000] },
  sellerstream_sink_batch_seconds: { kind: 'histogram', help: 'Time to land one sink batch (every table), retries included', labels: [], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
  sellerstream_sink_rows_total: { kind: 'counter', help: 'Rows the sink landed, per table', labels: ['table'] },
  sellerstream_alerts_firing: { kind: 'gauge', help: 'Alerts the alerter has firing, by rule and severity (1 firing, 0 not)', labels: ['rule', 'severity'] },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

/** Breaker state as the gauge's value. */
export const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
