/**
 * The broker restarts while the sink is mid-flush (a broker of the test's own, faults/harness/own-broker.ts, never the
 * shared one), and later the group rebalances while the sink is mid-flush again (a second sink joins and leaves).
 * Both times the sink holds paused partitions (two sealed batches each while its flush hangs) and a recorded
 * intent. Afterwards every record must be in ClickHouse exactly once, with FINAL and without it (merges stopped on
 * the test's tables, so a duplicate insert would stay visible), and every partition committed to its end: the
 * sink dropped what it no longer owned, re-read its committed offsets and intents, and kept fetching.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { RAW_RESULTS_TOPIC } from '../../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC, SyncRunContract } from '../../../lib/contracts/sync-run.js';
import { SINK_DLQ_TOPIC } from '../../../lib/contracts/dlq.js';
import { createKafka, createIdempotentProducer, type KafkaContext } from '../../../lib/kafka/client.js';
import { applyTopics, readTopicSpecs } from '../../../lib/kafka/topics.js';
import { waitFor } from '../../../lib/wait-for.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { TABLES } from '../../../lib/model/tables.js';
import type { SinkStage } from '../../../consumers/sink/options.js';
import { SINK_EVENTS, type Sink } from '../../../consumers/sink/sink.js';
import { startOwnBroker, type OwnBroker } from '../../../faults/harness/own-broker.js';
import { testLogger, testPrefix, TOPICS_FILE } from '../../helpers/kafka.js';
import { disposeTestWarehouse } from '../../helpers/warehouse.js';
import { cafe24Order, encodeRawResult, expectedCafe24Rows, rawResult } from '../../fixtures/sink-records.js';
import { counts, migratedWarehouse, testSink, waitForCommittedEnd, withZeros } from './helpers.js';

const TENANTS = ['t-alpha', 't-bravo', 't-charlie', 't-delta', 't-echo', 't-foxtrot', 't-golf', 't-hotel'];
const ORDERS_PER_MESSAGE = 30;

/** A flush that stops at its intent until released, when armed: the sink is then mid-flush for as long as needed. */
function createHang() {
  let armed = false;
  let hung: (() => void) | undefined;
  let release: (() => void) | undefined;
  return {
    arm(): Promise<void> {
      armed = true;
      return new Promise((resolve) => (hung = resolve));
    },
    release() {
      release?.();
      release = undefined;
    },
    async onStage(event: SinkStage) {
      if (!armed || event.stage !== 'intent-recorded') return;
      armed = false;
      hung?.();
      await new Promise<void>((resolve) => (release = resolve));
    },
  };
}

describe('sink: a broker restart and a rebalance, each mid-flush (a broker of the test\'s own)', function () {
  this.timeout(300_000);
  let workDir: string;
  let broker: OwnBroker | undefined;
  let kafka: KafkaContext & { admin: Admin };
  let warehouse: Warehouse;
  const sinks: Sink[] = [];
  const hang = createHang();

  before(async function () {
    workDir = mkdtempSync(join(tmpdir(), 'sink-broker-restart-'));
    broker = await startOwnBroker(workDir);
    const ctx = createKafka({ brokers: broker.brokers, clientId: 'sellerstream-test', topicPrefix: testPrefix('sink-restart'), logger: testLogger() });
    const admin = ctx.kafka.admin();
    await admin.connect();
    kafka = { ...ctx, admin };
    const specs = (await readTopicSpecs(TOPICS_FILE)).filter((s) => [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC, SINK_DLQ_TOPIC].includes(s.name));
    await applyTopics(admin, specs, { prefix: kafka.topic(''), partitionDivisor: 4 });
    warehouse = await migratedWarehouse();
    for (const table of TABLES) await warehouse.command(`SYSTEM STOP MERGES ${warehouse.database}.${table}`);
  });

  after(async function () {
    hang.release();
    for (const sink of sinks) await sink.stop().catch(() => undefined);
    await kafka?.admin.disconnect().catch(() => undefined);
    if (warehouse) await disposeTestWarehouse(warehouse);
    await broker?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('drops what it no longer owns, re-reads committed offsets and intents, keeps fetching, and lands every record exactly once', async function () {
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    let seq = 0;
    const orders: Record<string, unknown>[] = [];
    /** `messages` RawResults of ORDERS_PER_MESSAGE new orders each, spread over the tenants (so over partitions). */
    const produce = async (messages: number) => {
      for (let m = 0; m < messages; m++) {
        const batch = Array.from({ length: ORDERS_PER_MESSAGE }, () => cafe24Order(seq++));
        orders.push(...batch);
        const tenant = TENANTS[m % TENANTS.length]!;
        await producer.send({ topic: kafka.topic(RAW_RESULTS_TOPIC), messages: [{ key: tenant, value: encodeRawResult(rawResult(tenant, 'orders', batch)) }] });
      }
    };
    const runs = TENANTS.map((tenant) => ({
      key: tenant,
      value: SyncRunContract.encode({
        v: 1, requestId: `run-${tenant}`, attempt: 1, tenantId: tenant, platform: 'cafe24', status: 'succeeded',
        startedAt: new Date(Date.now() - 3_600_000).toISOString(), durationMs: 900, counts: { orders: 1 }, dataAsOf: { orders: '2026-11-30T09:00:00+09:00' },
      }),
    }));

    try {
      // Small batches, so each partition seals several while a flush hangs, and pauses at two.
      const options = { batchRows: 300, batchAgeMs: 200, onStage: hang.onStage };
      const a = testSink(kafka, warehouse, options);
      sinks.push(a);
      await produce(48);
      await producer.send({ topic: kafka.topic(SYNC_RUNS_TOPIC), messages: runs });

      // 1. Mid-flush (intent recorded, nothing inserted) with paused partitions, the broker stops; the flush goes
      //    on against a broker that is down, and the broker comes back on the same data.
      let hung = hang.arm();
      await a.start();
      await hung;
      await waitFor(() => a.paused().length > 0, { deadlineMs: 30_000, description: 'the hung sink to pause partitions (two sealed batches each)' });
      await broker!.down();
      hang.release();
      await broker!.up();
      await produce(24);
      await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC, 'sink', 120_000);
      await waitForCommittedEnd(kafka, SYNC_RUNS_TOPIC, 'sink', 30_000);

      // 2. Mid-flush again with paused partitions, the group rebalances: a second sink joins, then leaves.
      hung = hang.arm();
      await produce(48);
      await hung;
      await waitFor(() => a.paused().length > 0, { deadlineMs: 30_000, description: 'the hung sink to pause partitions again' });
      const b = testSink(kafka, warehouse, { batchRows: 300, batchAgeMs: 200 });
      sinks.push(b);
      const bAssigned = new Promise<void>((resolve) => b.events.on(SINK_EVENTS.ASSIGNED, ({ partitions }) => partitions.length > 0 && resolve()));
      await b.start();
      await bAssigned;
      hang.release();
      await produce(24);
      await b.stop();
      await produce(8);
      await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC, 'sink', 120_000);
      assert.equal(a.state, 'running', 'the sink that stayed is still running');
    } finally {
      await producer.disconnect();
    }

    const expected = withZeros({ ...expectedCafe24Rows({ orders }), sync_runs: TENANTS.length, freshness: TENANTS.length });
    assert.deepEqual(await counts(warehouse, { final: true }), expected, 'FINAL counts: every record landed');
    assert.deepEqual(await counts(warehouse, { final: false }), expected, 'plain counts: no record was inserted twice');
  });
});
