-- order_claims: one row per order line of a cancellation, return or exchange (Ably order_cancels and exchanges;
-- Cafe24's cancellation/return embeds may map here too). The order_items row keeps the line's current status;
-- this table keeps the claim itself: when it was asked for, how far it got, what it refunds.
-- Key: (tenant, platform, claim_id, item_id); version as orders (a claim moves requested → completed).
-- Monthly partitions on requested_at (immutable per claim).
CREATE TABLE IF NOT EXISTS order_claims (
  tenant_id          String,
  platform           LowCardinality(String),
  shop_no            UInt16 DEFAULT 1,
  claim_id           String,
  item_id            String,
  order_id           String DEFAULT '',
  -- cancel, return, exchange
  claim_type         LowCardinality(String),
  -- Normalised: requested, in_progress, completed, rejected, withdrawn; source_status keeps the platform's code.
  status             LowCardinality(String),
  source_status      LowCardinality(String),
  requested_at       DateTime64(3, 'Asia/Seoul'),
  completed_at       Nullable(DateTime64(3, 'Asia/Seoul')),
  product_id         String DEFAULT '',
  product_name       String DEFAULT '',
  option_name        String DEFAULT '',
  quantity           UInt32,
  refund_amount      Decimal(18, 2) DEFAULT 0,
  return_shipping_fee Decimal(18, 2) DEFAULT 0,
  -- The reason as the platform classifies it (a code or a fixed label); free text the buyer typed is never stored.
  reason             String DEFAULT '',
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
PARTITION BY toYYYYMM(requested_at)
ORDER BY (tenant_id, platform, claim_id, item_id)
SETTINGS non_replicated_deduplication_window = 1000
--> statement-breakpoint
-- reviews: product reviews as the platform lists them to the seller (Ably /seller/reviews). The text is public
-- on the marketplace and is kept; the author's name and body measurements are not (they never reach a topic).
-- Key: (tenant, platform, review_id); version = the review's updated_at (a seller reply or an edit moves it).
-- Monthly partitions on created_at (immutable per review).
CREATE TABLE IF NOT EXISTS reviews (
  tenant_id          String,
  platform           LowCardinality(String),
  shop_no            UInt16 DEFAULT 1,
  review_id          String,
  product_id         String,
  product_name       String DEFAULT '',
  item_id            String DEFAULT '',   -- the order line reviewed, when the platform says
  rating             Nullable(UInt8),     -- 1..5 where the platform has stars
  satisfaction       LowCardinality(String) DEFAULT '',
  status             LowCardinality(String) DEFAULT '',
  content            String CODEC(ZSTD(3)),
  image_count        UInt16 DEFAULT 0,
  has_reply          UInt8 DEFAULT 0,
  created_at         DateTime64(3, 'Asia/Seoul'),
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
PARTITION BY toYYYYMM(created_at)
ORDER BY (tenant_id, platform, review_id)
SETTINGS non_replicated_deduplication_window = 1000
