-- categories: the seller's category tree (Cafe24 categories, Ably's category of each product), one row per
-- category per shop. Key: (tenant, platform, shop_no, category_id); version and is_deleted as products.
CREATE TABLE IF NOT EXISTS categories (
  tenant_id          String,
  platform           LowCardinality(String),
  shop_no            UInt16 DEFAULT 1,
  category_id        String,
  parent_id          String DEFAULT '',   -- '' at the root
  name               String,
  depth              UInt8 DEFAULT 1,
  -- Names from the root down to this category, e.g. ['의류', '상의', '블라우스'].
  path               Array(String) DEFAULT [],
  display_order      Int32 DEFAULT 0,
  is_displayed       UInt8 DEFAULT 1,
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
ORDER BY (tenant_id, platform, shop_no, category_id)
SETTINGS non_replicated_deduplication_window = 1000
