-- orders: one row per order, Ably and Cafe24 side by side (platform column). Written by the sink from the
-- platform mappers' output of raw.results.
-- Key: (tenant, platform, order_id); version: source update time then Kafka position (see docs/data-model.md),
-- so a re-delivered or re-fetched order replaces its older copy and an older fetch never wins over a newer one.
-- Monthly partitions on ordered_at (immutable per order, so every copy of an order lands in one partition and
-- can replace its predecessors): per-tenant time-range reads prune to the months asked for.
CREATE TABLE IF NOT EXISTS orders (
  tenant_id          String,
  platform           LowCardinality(String),
  -- Cafe24 multi-shop number (1 = the default shop); Ably has one shop, always 1.
  shop_no            UInt16 DEFAULT 1,
  order_id           String,
  ordered_at         DateTime64(3, 'Asia/Seoul'),
  paid_at            Nullable(DateTime64(3, 'Asia/Seoul')),
  -- Normalised state shared by both platforms (vocabulary in docs/data-model.md); source_status keeps the
  -- platform's own code (Cafe24 N20, Ably PREPARING) for what the vocabulary flattens.
  status             LowCardinality(String),
  source_status      LowCardinality(String),
  currency           LowCardinality(String) DEFAULT 'KRW',
  item_count         UInt32,
  -- Money: Decimal(18,2), exact; KRW has no minor unit, the 2 decimals serve Cafe24 shops in USD/JPY.
  order_amount       Decimal(18, 2),   -- items at their prices, before discounts
  discount_amount    Decimal(18, 2),   -- coupons, points and other discounts, together
  shipping_fee       Decimal(18, 2),
  payment_amount     Decimal(18, 2),   -- what the buyer paid
  refund_amount      Decimal(18, 2) DEFAULT 0,
  payment_method     LowCardinality(String) DEFAULT '',
  -- Where the order came from: Cafe24 order_place_id (self, NCHECKOUT, …); Ably 'ably'.
  sales_channel      LowCardinality(String) DEFAULT '',
  -- Salted hash of the buyer's platform identity; names, phones, emails and addresses are never stored.
  buyer_hash         String DEFAULT '',
  -- Fields only one platform has and no query needs as a column, as a JSON object (JSONExtract* to read).
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
PARTITION BY toYYYYMM(ordered_at)
ORDER BY (tenant_id, platform, order_id)
SETTINGS non_replicated_deduplication_window = 1000
