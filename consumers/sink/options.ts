/**
 * The sink's options with their defaults in one place. Defaults come from the benchmark (bench/sink.ts) on a
 * 2-core machine with the embedded engine: flush groups of ~25k rows amortise the engine's fixed cost per insert
 * (~8 ms) while CPU per row stays flat (~50 µs with Cafe24 payloads) and memory stays near 1 GB; larger groups and
 * fetches bought no speed, only memory. A one-second age bound keeps a trickle of small jobs fresh in Grafana.
 */
import type { Logger } from '../../lib/logger.js';
import { GROUP_TIMING, type KafkaContext } from '../../lib/kafka/client.js';
import type { RetryPolicy } from '../../lib/retry.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import type { FlushGroup } from './flusher.js';
import type { ModelRegistry } from '../../lib/model/registry.js';
import type { SourceMessage } from './dlq.js';
import type { TableName } from '../../lib/model/tables.js';
import type { Translator } from './translate.js';

/** Settings an operator tunes (config: sink.*, see index.ts). */
export interface SinkTuning {
  /** Open batches are sealed and flushed together at this many rows, all partitions and tables together. @default 25_000 */
  batchRows: number;
  /** …or at this many bytes of consumed messages. @default 16 MiB */
  batchBytes: number;
  /** …or when the oldest message among them has waited this long. @default 1_000 */
  batchAgeMs: number;
  /** A source record whose JSON is longer goes to sink.dlq instead of the tables. @default 1 MiB */
  maxRecordBytes: number;
  /** Consumed but not yet committed bytes, all partitions together, above which fetching pauses. @default 64 MiB */
  maxBufferedBytes: number;
  /** On SIGTERM, how long pending batches may take to land before the process leaves anyway. @default 30_000 */
  drainTimeoutMs: number;
  /** Kafka session timeout: how soon a dead sink's partitions move to another instance. @default GROUP_TIMING.sessionTimeoutMs (6 s) */
  sessionTimeoutMs: number;
  /**
   * Per-partition fetch size (kafkajs maxBytesPerPartition), in the batches' compressed bytes: zstd shrinks RawResult
   * chunks ~25×, so 256 KiB brings ~6 MiB of records (at 1 MiB, bench cafe24's sink peaked at 1.8 GB RSS instead of
   * 1.05 GB, holding whole decompressed fetches). @default 256 KiB
   */
  maxBytesPerPartition: number;
}

export const DEFAULT_SINK_TUNING: SinkTuning = {
  batchRows: 25_000,
  batchBytes: 16 * 1024 * 1024,
  batchAgeMs: 1_000,
  maxRecordBytes: 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  sessionTimeoutMs: GROUP_TIMING.sessionTimeoutMs,
  maxBytesPerPartition: 256 * 1024,
};

/** Back-off while the warehouse is unavailable: capped, never giving up (the batch keeps its place). */
export const WAREHOUSE_RETRY: RetryPolicy = { initialMs: 200, maxMs: 10_000, multiplier: 2, jitter: 0.2, maxAttempts: Number.POSITIVE_INFINITY };

/** Where a flush group has got to; crash tests stop the process at each (test/fixtures/sink-process.ts). */
export type SinkStage =
  | { stage: 'intent-recorded'; group: FlushGroup }
  | { stage: 'table-inserted'; group: FlushGroup; table: TableName }
  | { stage: 'committed'; group: FlushGroup };

export interface SinkOptions extends Partial<SinkTuning> {
  kafka: KafkaContext;
  warehouse: Warehouse;
  logger: Logger;
  /** The platform mappers (consumers/<platform>/mapping.ts). */
  registry: ModelRegistry;
  /** Salt of the buyer-id hash (config secrets.buyerHashSalt). */
  buyerHashSalt: string;
  /** Consumer group (base name; the Kafka context's prefix is prepended). @default 'sink' */
  groupId?: string;
  /** Base topics consumed. @default ['raw.results', 'sync.runs'] */
  topics?: readonly string[];
  /** First part of every deduplication token. @default 'sink' */
  tokenNamespace?: string;
  /** Replaces the standard translation (replay from the DLQ unwraps entries first). */
  translator?: Translator;
  /** Replays: messages for which this is false advance the offsets but land nothing (tenant filter). */
  include?: (message: SourceMessage) => boolean;
  /** Replays: per base topic and partition, the offset where consumption ends (exclusive). */
  endOffsets?: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Warehouse back-off. @default WAREHOUSE_RETRY */
  retry?: RetryPolicy;
  /** Kafka heartbeat interval. @default GROUP_TIMING.heartbeatIntervalMs */
  heartbeatIntervalMs?: number;
  onStage?: (stage: SinkStage) => Promise<void> | void;
}

export function resolveTuning(options: Partial<SinkTuning>): SinkTuning {
  const tuning = { ...DEFAULT_SINK_TUNING };
  for (const key of Object.keys(DEFAULT_SINK_TUNING) as (keyof SinkTuning)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`sink option ${key} must be a positive integer, got ${value}`);
    tuning[key] = value;
  }
  return tuning;
}
