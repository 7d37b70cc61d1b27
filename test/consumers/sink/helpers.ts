/**
 * Shared set-up of the sink's integration tests: a prefixed topic set on the real broker, a migrated database on
 * the process's embedded engine, a sink wired to both, and the queries that prove what landed.
 */
import type { KafkaMessage } from 'kafkajs';
import type { KafkaContext } from '../../../lib/kafka/client.js';
import { DlqEntryContract, SINK_DLQ_TOPIC, type DlqEntry } from '../../../lib/contracts/dlq.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { waitFor } from '../../../lib/wait-for.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createSink, type Sink } from '../../../consumers/sink/sink.js';
import type { SinkOptions } from '../../../consumers/sink/options.js';
import { TABLES, type TableName } from '../../../lib/model/tables.js';
import { drainTopic, testLogger, type TestKafka } from '../../helpers/kafka.js';
import { testWarehouse } from '../../helpers/warehouse.js';

export async function migratedWarehouse(): Promise<Warehouse> {
  const warehouse = await testWarehouse();
  await migrate(warehouse);
  return warehouse;
}

/** A sink on the test's topics and database, with small batches and a short session (fast rejoin in tests). */
export function testSink(kafka: KafkaContext, warehouse: Warehouse, overrides: Partial<SinkOptions> = {}): Sink {
  return createSink({
    kafka,
    warehouse,
    logger: testLogger(),
    registry: platformModels(),
    buyerHashSalt: 'test-salt',
    batchRows: 2_000,
    batchAgeMs: 200,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    retry: { initialMs: 50, maxMs: 500, multiplier: 2, jitter: 0.2, maxAttempts: Number.POSITIVE_INFINITY },
    ...overrides,
  });
}

/** Rows per table: with FINAL (what a dashboard sees) or without (what is physically there: proves the tokens). */
export async function counts(warehouse: Warehouse, { final }: { final: boolean }): Promise<Record<TableName, number>> {
  const result = {} as Record<TableName, number>;
  for (const table of TABLES) {
    const [row] = await warehouse.query<{ c: string }>(`SELECT count() AS c FROM ${table}${final ? ' FINAL' : ''}`);
    result[table] = Number(row?.c ?? 0);
  }
  return result;
}

/** Only the tables named in `expected` are compared; the others must be empty. */
export function withZeros(expected: Partial<Record<TableName, number>>): Record<TableName, number> {
  return Object.fromEntries(TABLES.map((t) => [t, expected[t] ?? 0])) as Record<TableName, number>;
}

/** Waits until the sink's group committed every partition of `topic` up to its end (no markers: plain produce). */
export async function waitForCommittedEnd(kafka: Pick<TestKafka, 'topic' | 'admin'>, topic: string, groupId = 'sink', deadlineMs = 60_000): Promise<void> {
  const name = kafka.topic(topic);
  const ends = await kafka.admin.fetchTopicOffsets(name);
  await waitFor(async () => {
    const [committed] = await kafka.admin.fetchOffsets({ groupId: kafka.topic(groupId), topics: [name] });
    return ends.every((end) => {
      const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return BigInt(end.high) === BigInt(end.low) || BigInt(at) >= BigInt(end.high);
    });
  }, { deadlineMs, intervalMs: 100, description: `the sink's commits to reach the end of ${topic}` });
}

export async function readDlq(kafka: TestKafka): Promise<DlqEntry[]> {
  const messages: KafkaMessage[] = await drainTopic(kafka, SINK_DLQ_TOPIC);
  return messages.map((m) => {
    const decoded = DlqEntryContract.decode(m.value);
    if (!decoded.ok) throw new Error(`an invalid DLQ entry: ${decoded.reason}`);
    return decoded.value;
  });
}
