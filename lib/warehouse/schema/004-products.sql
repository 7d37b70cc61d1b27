-- products: the catalog as last fetched, one row per product per shop (Cafe24 prices differ per shop).
-- Key: (tenant, platform, shop_no, product_id); version as orders; is_deleted = 1 marks a product the source no
-- longer lists (FINAL hides it). No partitioning: a catalog is small and rewritten in place by merges.
CREATE TABLE IF NOT EXISTS products (
  tenant_id          String,
  platform           LowCardinality(String),
  shop_no            UInt16 DEFAULT 1,
  product_id         String,
  -- The seller's own code: Ably custom_code, Cafe24 custom_product_code.
  product_code       String DEFAULT '',
  name               String,
  category_id        String DEFAULT '',
  currency           LowCardinality(String) DEFAULT 'KRW',
  price              Decimal(18, 2),              -- selling price
  list_price         Nullable(Decimal(18, 2)),    -- Ably original_price, Cafe24 retail_price
  supply_price       Nullable(Decimal(18, 2)),    -- Cafe24 only: the seller's cost
  -- Normalised: on_sale, sold_out, hidden, stopped.
  status             LowCardinality(String),
  is_displayed       UInt8 DEFAULT 1,
  -- Sum over options where the source reports stock; NULL where it does not.
  stock_quantity     Nullable(Int64),
  created_at         Nullable(DateTime64(3, 'Asia/Seoul')),
  extra              String DEFAULT '{}' CODEC(ZSTD(3)),
  source_updated_at  DateTime64(3, 'Asia/Seoul'),
  fetched_at         DateTime64(3, 'UTC'),
  request_id         String,
  kafka_partition    UInt32,
  kafka_offset       UInt64,
  is_deleted         UInt8 DEFAULT 0,
  version            UInt64 MATERIALIZED
    bitShiftLeft(toUInt64(toUnixTimestamp64Milli(source_updated_at)), 20) + bitAnd(kafka_offset, 1048575)
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (tenant_id, platform, shop_no, product_id)
SETTINGS non_replicated_deduplication_window = 1000
