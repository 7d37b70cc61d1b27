-- raw_records: every source record as fetched, the input a replay re-derives the typed tables from.
-- Written by the sink from raw.results, one row per record. Kept 30 days (TTL on fetched_at).
-- Key: (tenant, platform, entity, fetched_at, source_id). A re-delivered chunk carries the same fetched_at and
-- ids, so it collapses to one row (insert token first, ReplacingMergeTree merges after); a later fetch of the
-- same record is a new row, which is the history a replay needs.
-- Daily partitions on fetched_at: per-tenant time-range reads prune to the days asked for, and the TTL drops
-- whole days (ttl_only_drop_parts) instead of rewriting parts.
CREATE TABLE IF NOT EXISTS raw_records (
  tenant_id        String,
  platform         LowCardinality(String),
  entity           LowCardinality(String),
  -- The record's natural id as the platform's mapper derives it; composite ids joined with ':'.
  source_id        String,
  fetched_at       DateTime64(3, 'UTC'),
  request_id       String,
  -- Chunk number within the request, and where the chunk sat in Kafka: lineage for replays and audits.
  chunk            UInt32,
  kafka_topic      LowCardinality(String),
  kafka_partition  UInt32,
  kafka_offset     UInt64,
  -- The record exactly as the source returned it (JSON text), never parsed or normalised here.
  payload          String CODEC(ZSTD(3)),
  ingested_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(fetched_at)
ORDER BY (tenant_id, platform, entity, fetched_at, source_id)
TTL toDateTime(fetched_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000, ttl_only_drop_parts = 1
