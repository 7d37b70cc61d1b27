-- sync_runs: one row per job attempt, from sync.runs. Grafana's throughput, failure-rate and duration panels and
-- the alert rules read it. Key: (tenant, platform, request_id, attempt): a re-delivered run event collapses.
-- Daily partitions on started_at (immutable per attempt): "the last hour over all tenants" reads one or two
-- partitions; kept 90 days.
CREATE TABLE IF NOT EXISTS sync_runs (
  tenant_id      String,
  platform       LowCardinality(String),
  request_id     String,
  attempt        UInt16,
  -- succeeded, continued, retrying, dead, needs_reauth (lib/contracts/sync-run.ts).
  status         LowCardinality(String),
  started_at     DateTime64(3, 'UTC'),
  duration_ms    UInt32,
  -- Records fetched per entity, e.g. {'orders': 120, 'products': 40}.
  counts         Map(LowCardinality(String), UInt64),
  -- Per entity, the source time the data is complete up to.
  data_as_of     Map(LowCardinality(String), DateTime64(3, 'Asia/Seoul')),
  error_class    LowCardinality(String) DEFAULT '',
  error_message  String DEFAULT '',
  kafka_partition UInt32,
  kafka_offset    UInt64,
  ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(started_at)
ORDER BY (tenant_id, platform, request_id, attempt)
TTL toDateTime(started_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000, ttl_only_drop_parts = 1
