/**
 * Consumer lag per group × topic, from the broker's offsets alone (the group's committed offsets and each
 * partition's end offset), so it stays true while the runner has partitions paused, is draining, or is stuck:
 * nothing of the consumer's own view goes in.
 *   - messages: end − committed, summed over the topic's partitions;
 *   - seconds: the age of the oldest message not yet committed, over the topic's partitions (0 when caught up).
 *     The broker does not tell a message's time by offset cheaply, so the collector remembers when it first saw
 *     each partition's end pass an offset: the message at the committed offset arrived no later than the first
 *     poll whose end offset was beyond it. Precise to one poll interval, under-reporting, never over. A backlog
 *     older than the collector counts from its first poll (a lower bound) until that backlog is consumed.
 *     The offset just past the group's commit may be a transaction marker, not a message (every transaction
 *     ends with one per partition, and the kernel commits past the last message it handled, so an idle topic
 *     written transactionally sits one offset short of its end): the age is that of the first offset after it,
 *     so an idle topic reads 0 s, at the cost of one message's wait when the first really is a message.
 *     The message count stays the broker's (offsets, that marker included).
 */
import type { Admin } from 'kafkajs';
import type { KafkaContext } from '../lib/kafka/client.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from './metrics.js';

export interface EndSample { at: number; end: bigint }

/** Age (ms) of the oldest uncommitted message (the offset at `committed` may be a marker) from the end-offset samples of its partition (oldest first). */
export function oldestUncommittedAgeMs(samples: readonly EndSample[], committed: bigint, now: number): number {
  const last = samples.at(-1);
  const first = samples.find((s) => s.end > committed + 1n);
  if (!last || !first) return 0;
  return Math.max(0, now - first.at);
}

/** Drops samples no future committed offset (≥ `committed`) can need, and caps the history. */
export function trimSamples(samples: EndSample[], committed: bigint, max = 20_000): void {
  while (samples.length > 1 && (samples[0] as EndSample).end <= committed + 1n) samples.shift();
  if (samples.length > max) samples.splice(0, samples.length - max);
}

export interface TopicLag { group: string; topic: string; messages: number; seconds: number }

export interface ConsumerLagOptions {
  kafka: KafkaContext;
  /** Base group names and the base topics each consumes. */
  groups: { group: string; topics: string[] }[];
  metrics: Metrics;
  logger: Logger;
  /** @default 15_000 */ intervalMs?: number;
  now?: () => number;
}

export function createConsumerLag({ kafka, groups, metrics, logger, intervalMs = 15_000, now = Date.now }: ConsumerLagOptions) {
  // Its own admin with a short retry: a poll during a broker outage fails in seconds, not a minute.
  const admin: Admin = kafka.kafka.admin({ retry: { retries: 1, initialRetryTime: 200 } });
  const history = new Map<string, EndSample[]>();
  let connected = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<unknown> | undefined;
  let lastOkAt: number | undefined;

  async function poll(): Promise<TopicLag[]> {
    if (!connected) {
      await admin.connect();
      connected = true;
    }
    const at = now();
    const out: TopicLag[] = [];
    for (const { group, topics } of groups) {
      const committed = await admin.fetchOffsets({ groupId: kafka.topic(group), topics: topics.map((t) => kafka.topic(t)) });
      for (const { topic: fullTopic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(fullTopic);
        const committedOf = new Map(partitions.map((p) => [p.partition, BigInt(p.offset)]));
        let messages = 0n;
        let ageMs = 0;
        for (const { partition, high, low } of ends) {
          const end = BigInt(high);
          const raw = committedOf.get(partition) ?? -1n;
          const position = raw < 0n ? BigInt(low) : raw;
          const key = `${group}/${fullTopic}/${partition}`;
          const samples = history.get(key) ?? [];
          if (samples.at(-1)?.end !== end) samples.push({ at, end });
          history.set(key, samples);
          trimSamples(samples, position);
          messages += end > position ? end - position : 0n;
          ageMs = Math.max(ageMs, oldestUncommittedAgeMs(samples, position, at));
        }
        out.push({ group, topic: kafka.baseTopic(fullTopic), messages: Number(messages), seconds: ageMs / 1000 });
      }
    }
    metrics.replace('sellerstream_consumer_lag_messages', out.map((l) => ({ labels: { group: l.group, topic: l.topic }, value: l.messages })));
    metrics.replace('sellerstream_consumer_lag_seconds', out.map((l) => ({ labels: { group: l.group, topic: l.topic }, value: l.seconds })));
    lastOkAt = now();
    return out;
  }

  function tick() {
    polling = poll()
      .catch((error: unknown) => logger.warn({ err: error }, 'consumer lag: broker offsets unavailable'))
      .finally(() => {
        polling = undefined;
        if (timer) timer = setTimeout(tick, intervalMs).unref();
      });
  }

  return {
    poll,
    start() {
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await polling;
      if (connected) await admin.disconnect().catch(() => undefined);
    },
    /** When the broker last answered a poll (epoch ms). */
    get lastOkAt() {
      return lastOkAt;
    },
  };
}
