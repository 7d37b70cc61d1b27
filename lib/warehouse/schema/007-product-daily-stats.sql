-- product_daily_stats: per product (and option/variant) per KST day, as the platform reports it: Ably goods stats
-- per day × option, Cafe24 sales reports per day × variant. A day is re-fetched while it is still moving, and
-- the newest fetch replaces the older (version as orders).
-- Key: (tenant, platform, stat_date, shop_no, product_id, variant_id): the date comes before the product because
-- dashboards read one tenant's days as a time series; a product's history is a small range scan within a tenant.
-- Metrics only one platform reports are Nullable: NULL means "not reported", never "zero".
CREATE TABLE IF NOT EXISTS product_daily_stats (
  tenant_id          String,
  platform           LowCardinality(String),
  stat_date          Date,   -- the KST calendar day
  shop_no            UInt16 DEFAULT 1,
  product_id         String,
  variant_id         String DEFAULT '',   -- '' = the whole product
  order_count        UInt64,
  sold_quantity      UInt64,
  sales_amount       Decimal(18, 2),
  view_count         Nullable(UInt64),   -- Ably
  cart_count         Nullable(UInt64),   -- Ably
  like_count         Nullable(UInt64),   -- Ably
  cancel_count       Nullable(UInt64),   -- Cafe24
  return_count       Nullable(UInt64),   -- Cafe24
  exchange_count     Nullable(UInt64),   -- Cafe24
  extra              String DEFAULT '{}' CODEC(ZSTD(3)),
  source_updated_at  DateTime64(3, 'Asia/Seoul'),
  fetched_at         DateTime64(3, 'UTC'),
  request_id         String,
  kafka_partition    UInt32,
  kafka_offset       UInt64,
  version            UInt64 MATERIALIZED
    bitShiftLeft(toUInt64(toUnixTimestamp64Milli(source_updated_at)), 20) + bitAnd(kafka_offset, 1048575)
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(stat_date)
ORDER BY (tenant_id, platform, stat_date, shop_no, product_id, variant_id)
SETTINGS non_replicated_deduplication_window = 1000
