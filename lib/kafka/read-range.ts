/**
 * Reading a stretch of a topic without joining any real group: a DLQ listing, the request topic of one tenant's
 * partition since a slot began, the run events of a backfill from the moment it was requested. Each reader has a
 * private group that commits nothing, and is moved to its first offsets as soon as it runs; messages fetched
 * before that move are dropped by offset, so what it delivers is exactly [from, end) per partition.
 * Positions are learnt from the end of each batch (as lib/kafka/compacted-view.ts does), so transaction markers
 * and aborted records at the end of a range still count as read.
 */
import type { Admin, Consumer } from 'kafkajs';
import { waitFor } from '../wait-for.js';
import type { KafkaContext } from './client.js';

export interface RangeMessage {
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp, ms since the epoch. */
  timestamp: number;
}

/** Where a read starts: the earliest retained offset, the first offset at or after a time, or given offsets. */
export type RangeStart = 'earliest' | 'latest' | Date | ReadonlyMap<number, string>;

export interface ReadRangeOptions {
  /** Base topic name. */
  topic: string;
  from: RangeStart;
  /** Only these partitions (default: all). */
  partitions?: readonly number[];
  /** @default 30_000 */
  deadlineMs?: number;
}

/** The partitions' start offsets for `from`, and their current end offsets. */
export async function rangeOffsets(admin: Admin, topic: string, from: RangeStart, partitions?: readonly number[]): Promise<Map<number, { from: bigint; end: bigint }>> {
  const marks = (await admin.fetchTopicOffsets(topic)).filter((m) => !partitions || partitions.includes(m.partition));
  const byTime = from instanceof Date ? new Map((await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime())).map((f) => [f.partition, BigInt(f.offset)])) : undefined;
  const out = new Map<number, { from: bigint; end: bigint }>();
  for (const m of marks) {
    const low = BigInt(m.low);
    const end = BigInt(m.high);
    let start = low;
    if (from === 'latest') start = end;
    else if (byTime) start = (byTime.get(m.partition) ?? -1n) < 0n ? end : byTime.get(m.partition)!;
    else if (from instanceof Map) start = BigInt(from.get(m.partition) ?? m.high);
    out.set(m.partition, { from: start < low ? low : start > end ? end : start, end });
  }
  return out;
}

function toRangeMessage(partition: number, m: { offset: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown>; timestamp: string }): RangeMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value !== undefined) headers[name] = String(Array.isArray(value) ? value[0] : value);
  }
  return { partition, offset: m.offset, key: m.key?.toString(), value: m.value, headers, timestamp: Number(m.timestamp) };
}

interface RangeConsumer {
  consumer: Consumer;
  /** Next offset to read, per partition. */
  positions: Map<number, bigint>;
}

async function startRangeConsumer(kafka: KafkaContext, topic: string, starts: ReadonlyMap<number, bigint>, onMessage: (m: RangeMessage) => void | Promise<void>): Promise<RangeConsumer> {
  const positions = new Map<number, bigint>();
  const consumer = kafka.kafka.consumer({ groupId: kafka.topic(`range.${topic}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`), maxWaitTimeInMs: 100 });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const start = starts.get(payload.partition);
    if (start !== undefined && BigInt(payload.lastOffset) + 1n > start) positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: kafka.topic(topic), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const start = starts.get(batch.partition);
      if (start === undefined) return;
      for (const m of batch.messages) {
        if (BigInt(m.offset) < start) continue;
        await onMessage(toRangeMessage(batch.partition, m));
      }
    },
  });
  for (const [partition, offset] of starts) consumer.seek({ topic: kafka.topic(topic), partition, offset: offset.toString() });
  return { consumer, positions };
}

/** The messages of [from, current end) of the topic's (chosen) partitions, in offset order per partition. */
export async function readRange(kafka: KafkaContext, { topic, from, partitions, deadlineMs = 30_000 }: ReadRangeOptions): Promise<RangeMessage[]> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  let ranges: Map<number, { from: bigint; end: bigint }>;
  try {
    ranges = await rangeOffsets(admin, kafka.topic(topic), from, partitions);
  } finally {
    await admin.disconnect();
  }
  const open = new Map([...ranges].filter(([, r]) => r.from < r.end));
  if (open.size === 0) return [];
  const out: RangeMessage[] = [];
  const reader = await startRangeConsumer(kafka, topic, new Map([...open].map(([p, r]) => [p, r.from])), (m) => {
    if (BigInt(m.offset) < open.get(m.partition)!.end) out.push(m);
  });
  try {
    await waitFor(() => [...open].every(([p, r]) => (reader.positions.get(p) ?? 0n) >= r.end), { intervalMs: 20, deadlineMs, description: `${topic} to be read to its end` });
  } finally {
    await reader.consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export interface TopicFollower {
  stop(): Promise<void>;
}

/** Calls `onMessage` for every message from the given offsets on (use `rangeOffsets` before producing, so none is missed). */
export async function followTopic(kafka: KafkaContext, topic: string, starts: ReadonlyMap<number, bigint>, onMessage: (m: RangeMessage) => void | Promise<void>): Promise<TopicFollower> {
  const { consumer } = await startRangeConsumer(kafka, topic, starts, onMessage);
  return { stop: () => consumer.disconnect() };
}
