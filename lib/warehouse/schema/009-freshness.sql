-- freshness: per tenant × platform × entity, the source time our copy is complete up to. Written by the sink from
-- each run's data_as_of; Grafana's freshness panel and the staleness alert read it.
-- Key: (tenant, platform, entity); version = as_of, so a replayed older run never moves freshness back.
CREATE TABLE IF NOT EXISTS freshness (
  tenant_id   String,
  platform    LowCardinality(String),
  entity      LowCardinality(String),
  as_of       DateTime64(3, 'Asia/Seoul'),   -- a point on the source's (KST) timeline
  request_id  String,
  updated_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(as_of)
ORDER BY (tenant_id, platform, entity)
SETTINGS non_replicated_deduplication_window = 1000
