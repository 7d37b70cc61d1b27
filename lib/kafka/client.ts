/**
 * Factories for the kafkajs client, producers and consumers, with the settings every part of sellerstream
 * shares. Topic names pass through `topicName()` so one cluster can hold several environments (tests too).
 */
import { Kafka, logLevel, Partitioners, type Consumer, type ConsumerConfig, type Producer, type ProducerConfig, type LogEntry } from './kafkajs.js';
import { usesNativeCrc32c } from './native-crc32c.js';
import { usesUnzeroedEncoder } from './encoder-buffers.js';
import { ZSTD } from './zstd-codec.js';
import type { Logger } from '../logger.js';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  connectionTimeoutMs?: number;
  /** Prepended to every topic name (e.g. `t1234.`); empty in production. */
  topicPrefix?: string;
  logger?: Logger;
}

export interface KafkaContext {
  kafka: Kafka;
  topic(name: string): string;
  /** The topic name as topics.json spells it (the prefix removed). */
  baseTopic(name: string): string;
}

/**
 * kafkajs logs a request error before retrying it itself (CONCURRENT_TRANSACTIONS between two transactions, a
 * leader moving): what it cannot retry reaches us as an exception, so its own errors are warnings here.
 */
const LEVELS: Record<number, 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn', [logLevel.WARN]: 'info', [logLevel.INFO]: 'debug', [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs's retry for every request. Its default cap (maxRetryTime 30 s) meant that after a broker restart of
 * ~20 s the clients' next attempt came up to 29 s after the broker was back (measured in the broker-restart fault:
 * rejoins of 8-30 s); capped at 2 s, a client is back within ~2 s of its broker, and 30 retries keep most of the
 * patience the old 8 had (~55 s instead of ~70 s before a request fails).
 */
/** How every producer of sellerstream compresses its batches (zstd-codec.ts says why). */
export const PRODUCE_COMPRESSION = ZSTD;

export const KAFKA_RETRY = { initialRetryTime: 250, maxRetryTime: 2_000, retries: 30 } as const;

/**
 * A transactional producer's sends retry sooner. Right after a commit the coordinator is still writing the
 * previous transaction's markers, and the next transaction's first AddPartitionsToTxn is refused with
 * CONCURRENT_TRANSACTIONS until they are written (~10-20 ms here); kafkajs retries that like any error, 250 ms
 * later. Back to back, 27 % of transactions waited that, mean 80 ms against a median of 11 (the runner commits
 * its jobs back to back under load: in bench fairness that was most of a job's overhead). Java's client retries
 * this case after 20 ms. Four more retries keep KAFKA_RETRY's ~55 s of patience across a broker restart.
 */
export const TRANSACTION_RETRY = { ...KAFKA_RETRY, initialRetryTime: 20, retries: 34 } as const;

export function createKafka({ brokers, clientId, connectionTimeoutMs = 3000, topicPrefix = '', logger }: KafkaOptions): KafkaContext {
  const kafka = new Kafka({
    clientId,
    brokers,
    connectionTimeout: connectionTimeoutMs,
    logLevel: logLevel.WARN,
    // kafkajs logs through its own creator; route it into pino so lines stay JSON with our context.
    logCreator: () => ({ namespace, level, log }: LogEntry) => {
      if (!logger) return;
      const { message, ...extra } = log;
      logger[LEVELS[level] ?? 'info']({ kafkajs: namespace, ...extra }, message);
    },
    retry: KAFKA_RETRY,
  });
  if (!usesNativeCrc32c()) logger?.warn('kafkajs loaded before lib/kafka/native-crc32c.ts: batches are produced with its JavaScript CRC32C (slower)');
  if (!usesUnzeroedEncoder()) logger?.warn('kafkajs loaded before lib/kafka/encoder-buffers.ts: its encoders zero every buffer they grow (slower)');
  return {
    kafka,
    topic: (name) => `${topicPrefix}${name}`,
    baseTopic: (name) => (topicPrefix && name.startsWith(topicPrefix) ? name.slice(topicPrefix.length) : name),
  };
}

/** A transactional producer: idempotent, one request in flight, so output and offsets commit atomically. */
export function createTransactionalProducer(ctx: KafkaContext, transactionalId: string, transactionTimeoutMs = 60_000): Producer {
  const config: ProducerConfig = {
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: transactionTimeoutMs,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: TRANSACTION_RETRY,
  };
  return ctx.kafka.producer(config);
}

/** An idempotent producer for plain (non-transactional) sends: scheduler, admin producers, DLQ of the sink. */
export function createIdempotentProducer(ctx: KafkaContext): Producer {
  return ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}

/**
 * How the group notices a dead member, shared by the runner and the sink. Neither ever makes kafkajs wait for
 * work (their eachBatch only queues; jobs and flushes run beside it, and the runner heartbeats while jobs run),
 * so none of these depends on a job's budget:
 * - sessionTimeoutMs: a member silent this long is dead and its partitions move. The broker's minimum
 *   (group.min.session.timeout.ms, 6 s), so a replacement after a kill -9 owns the partitions and commits in
 *   under 10 s (measured in test/lib/kafka/runner.test.ts) instead of 30-46 s;
 * - heartbeatIntervalMs: a sixth of it, so a late heartbeat or two (a busy event loop) still keeps the session;
 * - rebalanceTimeoutMs: how long a rebalance waits for live members to rejoin; they rejoin at their next
 *   heartbeat, so this only bounds a member that is stuck.
 */
export const GROUP_TIMING = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, rebalanceTimeoutMs: 15_000 } as const;

/**
 * A group consumer that reads only committed transactions (the default `readUncommitted: false`) and never
 * auto-commits: offsets move only inside a transaction (platform consumers) or after ClickHouse took a batch (sink).
 */
export function createGroupConsumer(ctx: KafkaContext, groupId: string, overrides: Partial<ConsumerConfig> = {}): Consumer {
  return ctx.kafka.consumer({
    groupId,
    sessionTimeout: GROUP_TIMING.sessionTimeoutMs,
    rebalanceTimeout: GROUP_TIMING.rebalanceTimeoutMs,
    heartbeatInterval: GROUP_TIMING.heartbeatIntervalMs,
    // Small fetches: a fetch is handed over whole, so smaller ones keep other partitions flowing.
    maxBytesPerPartition: 256 * 1024,
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
    // kafkajs gives a consumer 5 retries (~6 s) unless told: too few to ride out a broker restart, after which a
    // consumer restarted under a new member id waits for its old member's session to expire before it is assigned.
    retry: { ...KAFKA_RETRY },
    ...overrides,
  });
}
