/**
 * The two pieces of exactly-once that are pure: the deduplication token of a table insert, and the batch intent
 * stored in the partition's committed-offset metadata.
 *
 * A batch is a contiguous offset range [first, last] of ONE partition. Its insert into a table carries the token
 * `<namespace>|<topic>|<partition>|<first>-<last>|<table>`: the same messages always map to the same rows, so a
 * token names its rows exactly, and ClickHouse drops a second insert with the same token (non_replicated_
 * deduplication_window on every table), also per partition-part when a crash cut an insert half-way.
 *
 * The token only helps if a batch re-formed after a crash covers the same range. Before its first insert the sink
 * commits the partition's offset `first` again with metadata `sink-intent:v1:<first>:<last>` (the same idea as
 * clickhouse-kafka-connect's BEFORE state in KeeperMap, kept in Kafka itself: it moves with the partition to
 * whichever sink instance owns it next). After the inserts it commits `last + 1` with empty metadata. A consumer
 * that finds an intent re-forms exactly that range first, so every retried insert repeats its token.
 */
export interface OffsetRange {
  first: string;
  last: string;
}

const INTENT = /^sink-intent:v1:(\d+):(\d+)$/;

export function encodeIntent({ first, last }: OffsetRange): string {
  return `sink-intent:v1:${first}:${last}`;
}

/** The range an offset commit's metadata promises, or undefined (no intent, or not ours). */
export function decodeIntent(metadata: string | null | undefined): OffsetRange | undefined {
  const match = metadata ? INTENT.exec(metadata) : null;
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  return BigInt(first) <= BigInt(last) ? { first, last } : undefined;
}

export function deduplicationToken(namespace: string, topic: string, partition: number, range: OffsetRange, table: string): string {
  return `${namespace}|${topic}|${partition}|${range.first}-${range.last}|${table}`;
}

/** The offset after `offset` (Kafka offsets are int64 strings). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

export function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
