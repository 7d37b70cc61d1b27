/**
 * The real broker for tests: KAFKA_BROKERS (scripts/test.ts sets it after starting the local broker). Each test
 * gets its own topic prefix and group names, so tests never see each other's messages. Every prefix handed out
 * is remembered, and the run's root hook (root-hooks.ts) deletes their topics at the end: a run leaves nothing in
 * the broker (one suite used to leave ~1,600 partition directories behind).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Partitioners, type Admin, type KafkaMessage } from '../../lib/kafka/kafkajs.js';
import { createKafka, type KafkaContext } from '../../lib/kafka/client.js';
import { applyTopics, readTopicSpecs, type TopicSpec } from '../../lib/kafka/topics.js';
import { createLogger } from '../../lib/logger.js';
import { waitFor } from '../../lib/wait-for.js';

export const TOPICS_FILE = fileURLToPath(new URL('../../topics.json', import.meta.url));

export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the suite with `npm test`, which starts the broker');
  return brokers.split(',');
}

export const testLogger = () => createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const uniqueName = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** The topic prefixes this process handed out, whose topics the root hook deletes at the end of the run. */
export const testPrefixes = new Set<string>();

/** A unique topic prefix (`label-1a2b3c4d.`), for this process or for a child given it as KAFKA_TOPIC_PREFIX. */
export function testPrefix(label: string): string {
  const prefix = `${uniqueName(label)}.`;
  testPrefixes.add(prefix);
  return prefix;
}

/** Deletes every topic whose name starts with one of the prefixes; returns how many. */
export async function deleteTopicsWithPrefixes(admin: Admin, prefixes: Iterable<string>): Promise<number> {
  const wanted = [...prefixes];
  if (wanted.length === 0) return 0;
  const topics = (await admin.listTopics()).filter((name) => wanted.some((p) => name.startsWith(p)));
  // Small batches: one DeleteTopics request per few hundred partitions keeps within the request timeout.
  for (let i = 0; i < topics.length; i += 50) await admin.deleteTopics({ topics: topics.slice(i, i + 50), timeout: 30_000 });
  return topics.length;
}

export interface TestKafka extends KafkaContext {
  prefix: string;
  admin: Admin;
  createTopics(specs: Pick<TopicSpec, 'name' | 'partitions'>[] | 'all'): Promise<void>;
  /** Produces plain (non-transactional) messages to a base topic name. */
  produce(topic: string, messages: { key?: string; value: Buffer | string | null; partition?: number; headers?: Record<string, string | Buffer> }[]): Promise<void>;
  /** Reads a base topic from the beginning until `count` messages arrived (read-committed unless told). */
  readTopic(topic: string, count: number, opts?: { readUncommitted?: boolean; deadlineMs?: number }): Promise<KafkaMessage[]>;
  close(): Promise<void>;
}

export async function testKafka(label = 't'): Promise<TestKafka> {
  const prefix = testPrefix(label);
  const ctx = createKafka({ brokers: testBrokers(), clientId: 'sellerstream-test', topicPrefix: prefix, logger: testLogger() });
  const admin = ctx.kafka.admin();
  await admin.connect();
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let producerConnected = false;

  return {
    ...ctx,
    prefix,
    admin,
    async createTopics(specs) {
      const all = specs === 'all'
        ? await readTopicSpecs(TOPICS_FILE)
        : specs.map((s) => ({ ...s, replication: 1, configs: {} }));
      await applyTopics(admin, all, { prefix, partitionDivisor: specs === 'all' ? 8 : 1 });
    },
    async produce(topic, messages) {
      if (!producerConnected) {
        await producer.connect();
        producerConnected = true;
      }
      await producer.send({ topic: ctx.topic(topic), messages });
    },
    async readTopic(topic, count, { readUncommitted = false, deadlineMs = 20_000 } = {}) {
      const consumer = ctx.kafka.consumer({ groupId: uniqueName('reader'), readUncommitted, maxWaitTimeInMs: 100 });
      const seen: KafkaMessage[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: ctx.topic(topic), fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
        await waitFor(() => seen.length >= count, { deadlineMs, description: `${count} message(s) on ${topic} (got ${seen.length})` });
        return seen;
      } finally {
        await consumer.disconnect();
      }
    },
    async close() {
      if (producerConnected) await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/**
 * Every message on a topic up to its current end offsets: the reader group commits as it goes, and the read is
 * complete when its committed offsets reach the end offsets (which count transaction markers too).
 */
export async function drainTopic(kafka: TestKafka, topic: string, opts: { readUncommitted?: boolean } = {}): Promise<KafkaMessage[]> {
  const name = kafka.topic(topic);
  const ends = (await kafka.admin.fetchTopicOffsets(name)).filter((o) => o.high !== o.low);
  if (ends.length === 0) return [];
  const groupId = uniqueName('drain');
  const consumer = kafka.kafka.consumer({ groupId, readUncommitted: opts.readUncommitted ?? false, maxWaitTimeInMs: 100 });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: name, fromBeginning: true });
    // eachBatch resolves up to the batch's last offset, past a trailing transaction marker; eachMessage would not.
    await consumer.run({ eachBatch: async ({ batch }) => void seen.push(...batch.messages) });
    await waitFor(async () => {
      const [committed] = await kafka.admin.fetchOffsets({ groupId, topics: [name] });
      return ends.every((end) => {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        return BigInt(at) >= BigInt(end.high);
      });
    }, { deadlineMs: 20_000, description: `the end of ${topic}` });
    return seen;
  } finally {
    await consumer.disconnect();
  }
}
