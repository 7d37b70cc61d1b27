-- order_items: one row per order line (Ably's product order `sno`, Cafe24's order_item_code): the grain both
-- platforms share, so revenue, quantity and status questions are answered here.
-- Key: (tenant, platform, order_id, item_id); version and partitioning as orders (ordered_at is copied onto the
-- line so its partition matches the order's).
CREATE TABLE IF NOT EXISTS order_items (
  tenant_id          String,
  platform           LowCardinality(String),
  shop_no            UInt16 DEFAULT 1,
  order_id           String,
  item_id            String,
  ordered_at         DateTime64(3, 'Asia/Seoul'),
  -- Ably goods_sno / Cafe24 product_no; variant: Cafe24 variant_code, Ably option sno ('' when unknown).
  product_id         String,
  variant_id         String DEFAULT '',
  product_name       String,
  option_name        String DEFAULT '',
  quantity           UInt32,
  unit_price         Decimal(18, 2),   -- product price plus option price, per unit
  discount_amount    Decimal(18, 2) DEFAULT 0,
  payment_amount     Decimal(18, 2),   -- what the buyer paid for the line
  status             LowCardinality(String),
  source_status      LowCardinality(String),
  paid_at            Nullable(DateTime64(3, 'Asia/Seoul')),
  shipped_at         Nullable(DateTime64(3, 'Asia/Seoul')),
  delivered_at       Nullable(DateTime64(3, 'Asia/Seoul')),
  confirmed_at       Nullable(DateTime64(3, 'Asia/Seoul')),   -- purchase confirmed
  cancelled_at       Nullable(DateTime64(3, 'Asia/Seoul')),
  -- Ably only: standard / today / combine / reserved delivery; '' on Cafe24.
  delivery_type      LowCardinality(String) DEFAULT '',
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
ORDER BY (tenant_id, platform, order_id, item_id)
SETTINGS non_replicated_deduplication_window = 1000
