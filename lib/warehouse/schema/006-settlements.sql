-- settlements: what the platform pays the seller per settlement period (Ably balance account histories; Cafe24
-- has no marketplace settlement, its PG monthly sales may map here with platform-specific fields in extra).
-- Key: (tenant, platform, settlement_id); version as orders (a settlement moves SCHEDULED → PAID). No
-- partitioning: a few dozen rows per tenant and year.
CREATE TABLE IF NOT EXISTS settlements (
  tenant_id          String,
  platform           LowCardinality(String),
  shop_no            UInt16 DEFAULT 1,
  settlement_id      String,
  period_start       Date,
  period_end         Date,
  scheduled_at       Nullable(DateTime64(3, 'Asia/Seoul')),
  paid_at            Nullable(DateTime64(3, 'Asia/Seoul')),
  -- Normalised: scheduled, paid, held.
  status             LowCardinality(String),
  currency           LowCardinality(String) DEFAULT 'KRW',
  order_count        UInt32 DEFAULT 0,
  sales_amount       Decimal(18, 2),
  commission_amount  Decimal(18, 2) DEFAULT 0,   -- the platform's sales commission
  payment_fee        Decimal(18, 2) DEFAULT 0,   -- payment processing fee
  deduction_amount   Decimal(18, 2) DEFAULT 0,   -- ads and other deductions
  adjustment_amount  Decimal(18, 2) DEFAULT 0,   -- signed corrections
  settlement_amount  Decimal(18, 2),             -- what is paid out
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
ORDER BY (tenant_id, platform, settlement_id)
SETTINGS non_replicated_deduplication_window = 1000
