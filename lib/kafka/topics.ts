/**
 * topics.json is the single source of every topic. `applyTopics` makes the cluster match it: creates missing
 * topics, grows partitions, sets configs. It never shrinks or deletes, and returns what it changed, so a second
 * run reports nothing.
 */
import { readFile } from 'node:fs/promises';
import type { Admin, ITopicConfig } from 'kafkajs';
import { waitFor } from '../wait-for.js';

export interface TopicSpec {
  name: string;
  partitions: number;
  replication: number;
  doc?: string;
  configs: Record<string, string>;
}

export interface TopicChange {
  topic: string;
  action: 'created' | 'partitions' | 'configs' | 'cannot-shrink';
  detail: string;
}

export async function readTopicSpecs(file: string): Promise<TopicSpec[]> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { topics?: unknown };
  if (!Array.isArray(parsed.topics)) throw new Error(`${file}: expected a "topics" array`);
  return parsed.topics.map((t: Partial<TopicSpec>, i: number) => {
    if (typeof t.name !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(t.name)) throw new Error(`${file}: topics[${i}].name is invalid`);
    if (!Number.isInteger(t.partitions) || (t.partitions as number) < 1) throw new Error(`${file}: ${t.name}.partitions must be ≥ 1`);
    if (!Number.isInteger(t.replication) || (t.replication as number) < 1) throw new Error(`${file}: ${t.name}.replication must be ≥ 1`);
    return { name: t.name, partitions: t.partitions!, replication: t.replication!, doc: t.doc, configs: t.configs ?? {} };
  });
}

export interface ApplyOptions {
  /** Prepended to each name (test isolation, shared clusters). */
  prefix?: string;
  /** Partition counts are divided by this (tests use 8 to keep a local broker light); never below 1. */
  partitionDivisor?: number;
  /**
   * How long answers that pass are retried: a broker that just started, or just created a topic, answers
   * UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE for a while, and a concurrent apply makes some creates
   * TOPIC_ALREADY_EXISTS. Each retry starts over from what the cluster has, so a half-done apply completes.
   * @default 60_000
   */
  deadlineMs?: number;
}

/** Kafka's answers that pass by themselves while a broker or a topic is still starting (or another apply races). */
const PASSING = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER', 'NOT_LEADER_FOR_PARTITION',
  'BROKER_NOT_AVAILABLE', 'NOT_CONTROLLER', 'REQUEST_TIMED_OUT', 'TOPIC_ALREADY_EXISTS',
]);

export async function applyTopics(admin: Admin, specs: TopicSpec[], { deadlineMs = 60_000, ...options }: ApplyOptions = {}): Promise<TopicChange[]> {
  const changes: TopicChange[] = [];
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await applyOnce(admin, specs, options, changes);
      return changes;
    } catch (error) {
      if (!passes(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Every error of a kafkajs failure (an aggregate holds one per topic) is one that passes. */
function passes(error: unknown): boolean {
  const e = error as { type?: string; name?: string; errors?: unknown[]; cause?: unknown } | undefined;
  if (!e) return false;
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every(passes);
  if (e.type && PASSING.has(e.type)) return true;
  if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSRequestTimeoutError') return true;
  return e.cause !== undefined && e.cause !== error && passes(e.cause);
}

async function applyOnce(admin: Admin, specs: TopicSpec[], { prefix = '', partitionDivisor = 1 }: ApplyOptions, changes: TopicChange[]): Promise<void> {
  const brokers = (await admin.describeCluster()).brokers.length;
  const wanted = specs.map((s) => ({
    ...s,
    name: `${prefix}${s.name}`,
    partitions: Math.max(1, Math.ceil(s.partitions / partitionDivisor)),
    replication: Math.min(s.replication, brokers),
  }));
  const existing = new Set(await admin.listTopics());

  const missing = wanted.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      replicationFactor: t.replication,
      configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
    }));
    // kafkajs's own wait for leaders gives up on the first UNKNOWN_TOPIC_OR_PARTITION: the wait below retries it.
    await admin.createTopics({ topics, waitForLeaders: false });
    for (const t of missing) changes.push({ topic: t.name, action: 'created', detail: `${t.partitions} partitions × ${t.replication}` });
  }
  // Created now or by an attempt that failed half-way: every partition led and serving offsets before we return.
  const fresh = wanted.filter((t) => changes.some((c) => c.action === 'created' && c.topic === t.name));
  if (fresh.length > 0) await servingTopics(admin, fresh);

  const present = wanted.filter((t) => existing.has(t.name) && !fresh.includes(t));
  if (present.length === 0) return;

  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
  const grow: { topic: string; count: number }[] = [];
  for (const t of present) {
    const current = metadata.find((m) => m.name === t.name)?.partitions.length ?? 0;
    if (t.partitions > current) grow.push({ topic: t.name, count: t.partitions });
    if (t.partitions < current) record(changes, { topic: t.name, action: 'cannot-shrink', detail: `has ${current}, wants ${t.partitions}; left as is` });
  }
  if (grow.length > 0) {
    await admin.createPartitions({ topicPartitions: grow });
    // New partitions need a leader before clients (and the config calls below) can use them.
    await waitFor(async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: grow.map((g) => g.topic) });
      return grow.every((g) => topics.find((t) => t.name === g.topic)?.partitions.filter((p) => p.leader >= 0).length === g.count);
    }, { deadlineMs: 30_000, description: 'leaders for the new partitions' });
    for (const g of grow) changes.push({ topic: g.topic, action: 'partitions', detail: `grown to ${g.count}` });
  }

  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((t) => ({ type: 2 /* TOPIC */, name: t.name })),
  });
  for (const t of present) {
    const resource = described.resources.find((r) => r.resourceName === t.name);
    const current = new Map(resource?.configEntries.map((e) => [e.configName, e.configValue]) ?? []);
    const differing = Object.entries(t.configs).filter(([name, value]) => current.get(name) !== value);
    if (differing.length === 0) continue;
    // AlterConfigs v1 replaces a topic's whole override set: send every managed config, not just the changed ones.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: t.name, configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) }],
    });
    changes.push({ topic: t.name, action: 'configs', detail: differing.map(([n, v]) => `${n}=${v} (was ${current.get(n) ?? 'unset'})`).join(', ') });
  }
}

/** A retried attempt finds what an earlier one noted (a topic it cannot shrink) again: noted once. */
function record(changes: TopicChange[], change: TopicChange): void {
  if (!changes.some((c) => c.topic === change.topic && c.action === change.action)) changes.push(change);
}

/** Every partition led and answering ListOffsets: a fresh partition's leader can refuse it for a while after creation. */
async function servingTopics(admin: Admin, topics: { name: string; partitions: number }[]): Promise<void> {
  await waitFor(async () => {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
    const led = topics.every((t) => metadata.find((m) => m.name === t.name)?.partitions.filter((p) => p.leader >= 0).length === t.partitions);
    if (!led) return false;
    await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t.name)));
    return true;
  }, { deadlineMs: 30_000, intervalMs: 100, description: 'the new topics to have leaders and serve offsets' });
}
