/**
 * Settings reach their component: config (lib/config.ts) has no defaults of its own for runner and sink settings,
 * so what it leaves unset is the component's defaults object, and what it sets changes what the component does.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../lib/config.js';
import { runnerOverrides } from '../../../lib/kafka/runner-options.js';
import { DlqEntryContract, SyncRequestContract, type SyncRequest } from '../../../lib/contracts/index.js';
import { TransientSourceError } from '../../../lib/errors.js';
import type { ProducerConfig } from 'kafkajs';
import type { Connector } from '../../../lib/sync/connector.js';
import { createTransactionalProducer } from '../../../lib/kafka/client.js';
import { DEFAULT_RUNNER_SETTINGS, runnerSettings } from '../../../lib/kafka/runner.js';
import { createSyncConsumer, syncConsumerOverrides } from '../../../lib/sync/sync-consumer.js';
import { tierPolicies } from '../../../lib/sync/tiers.js';
import { waitFor } from '../../../lib/wait-for.js';
import { DEFAULT_SINK_TUNING, resolveTuning } from '../../../consumers/sink/options.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';
import { cafe24ApiOrder } from '../../fixtures/sink-records.js';
import { mappedHere, THREAD_MODEL_SOURCE, threadModel } from '../../fixtures/thread-model.js';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';

describe('settings reach their component', function () {
  this.timeout(60_000);

  it('unset, the runner and the sink keep their own defaults (config holds no copy)', () => {
    const config = loadConfig({});
    assert.deepEqual(runnerSettings(runnerOverrides(config)), DEFAULT_RUNNER_SETTINGS);
    assert.deepEqual(resolveTuning(config.sink), DEFAULT_SINK_TUNING);
  });

  it('each runner variable sets its runner setting, and nothing else', () => {
    const cases = [
      ['RUNNER_CONCURRENCY', '3', 'concurrency', 3],
      ['RUNNER_JOB_TIMEOUT_MS', '1234', 'jobTimeoutMs', 1234],
      ['RUNNER_DRAIN_TIMEOUT_MS', '2345', 'drainTimeoutMs', 2345],
      ['RUNNER_QUEUED_PER_PARTITION', '4', 'queuedPerPartition', 4],
      ['RUNNER_LOW_PRIORITY_SHARE', '0.5', 'lowShare', 0.5],
      ['KAFKA_TRANSACTION_TIMEOUT_MS', '7000', 'transactionTimeoutMs', 7000],
    ] as const;
    for (const [env, value, key, expected] of cases) {
      assert.deepEqual(runnerSettings(runnerOverrides(loadConfig({ [env]: value }))), { ...DEFAULT_RUNNER_SETTINGS, [key]: expected }, env);
    }
    assert.deepEqual(resolveTuning(loadConfig({ SINK_BATCH_ROWS: '77' }).sink), { ...DEFAULT_SINK_TUNING, batchRows: 77 });
  });

  describe('with a broker', () => {
    let kafka: TestKafka;
    let consumer: ReturnType<typeof createSyncConsumer> | undefined;
    beforeEach(async () => {
      kafka = await testKafka('settings');
      await kafka.createTopics('all');
    });
    afterEach(async () => {
      await consumer?.stop();
      consumer = undefined;
      await kafka.close();
    });

    const connector = (sync: Connector['sync']): Connector => ({ platform: 'cafe24', sync });

    it('KAFKA_TRANSACTION_TIMEOUT_MS is the timeout the transactional producer sends in InitProducerId (the broker refuses one above its 15 min maximum)', async () => {
      // Read the config the runner hands kafkajs (the real producer is still built from it).
      const configs: ProducerConfig[] = [];
      const producerOf = kafka.kafka.producer.bind(kafka.kafka);
      kafka.kafka.producer = (config?: ProducerConfig) => {
        configs.push(config ?? {});
        return producerOf(config);
      };
      consumer = createSyncConsumer({
        kafka, instanceId: uniqueName('i'), logger: testLogger(), ...runnerOverrides(loadConfig({ KAFKA_TRANSACTION_TIMEOUT_MS: '7000' })),
        connector: connector(async () => ({ cursors: {}, done: true })),
      });
      await consumer.start();
      const transactional = configs.filter((c) => c.transactionalId?.startsWith(kafka.topic('cafe24')));
      assert.deepEqual(transactional.map((c) => c.transactionTimeout), [7000]);
      // And kafkajs sends that number in InitProducerId: the broker refuses a timeout above transaction.max.timeout.ms.
      const producer = createTransactionalProducer(kafka, uniqueName('txn'), 900_001);
      await producer.connect();
      try {
        await assert.rejects(producer.transaction(), (error: Error & { type?: string }) => error.type === 'INVALID_TRANSACTION_TIMEOUT');
      } finally {
        await producer.disconnect();
      }
    });

    it('TIER_PAID_MAX_ATTEMPTS through tierPolicies(config.tiers): with 1, a failing paid job goes to sync.dlq at once, not to the retry topic', async () => {
      consumer = createSyncConsumer({
        kafka, instanceId: uniqueName('i'), logger: testLogger(),
        ...runnerOverrides(loadConfig({})), tierPolicies: tierPolicies(loadConfig({ TIER_PAID_MAX_ATTEMPTS: '1' }).tiers),
        connector: connector(async () => {
          throw new TransientSourceError('the source is down');
        }),
      });
      await consumer.start();
      const request: SyncRequest = { v: 1, requestId: randomUUID(), tenantId: 'acme', platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString() };
      await kafka.produce('sync.cafe24.high', [{ key: 'acme', value: SyncRequestContract.encode(request) }]);
      const [entry] = await kafka.readTopic('sync.dlq', 1);
      const decoded = DlqEntryContract.decode(entry!.value);
      assert.ok(decoded.ok);
      // With the default 5 attempts it would first be retried, 30 s later at the earliest: well past this test's deadline.
      assert.equal(decoded.value.source.topic, 'sync.cafe24.high');
    });

    it('SYNC_PAGE_THREADS through syncConsumerOverrides(config): 0 reads pages on the jobs\' thread, 2 on page threads; the records travel either way', async () => {
      const readPages = connector(async (request, _cursors, ctx) => {
        const page = await ctx.readPage('orders', Buffer.from(JSON.stringify({ orders: [cafe24ApiOrder(1), cafe24ApiOrder(2)] })), { listKey: 'orders' });
        assert.ok(page);
        ctx.emitPage(page);
        return { cursors: { orders: request.requestId }, done: true };
      });
      const edge = { model: threadModel, hashBuyer: createBuyerHasher('settings-salt') };
      const mappedWith = async (threads: string) => {
        const before = mappedHere();
        consumer = createSyncConsumer({
          kafka, instanceId: uniqueName('i'), logger: testLogger(), ...syncConsumerOverrides(loadConfig({ SYNC_PAGE_THREADS: threads })),
          edge, pageSource: { ...THREAD_MODEL_SOURCE, buyerHashSalt: 'settings-salt' }, connector: readPages,
        });
        await consumer.start();
        const request: SyncRequest = { v: 1, requestId: randomUUID(), tenantId: `acme-${threads}`, platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString() };
        await kafka.produce('sync.cafe24.high', [{ key: request.tenantId, value: SyncRequestContract.encode(request) }]);
        const results = await kafka.readTopic('raw.results', threads === '0' ? 1 : 2);
        await consumer.stop();
        consumer = undefined;
        return { mapped: mappedHere() - before, records: results.map((m) => (JSON.parse(m.value!.toString()) as { records: unknown[] }).records.length) };
      };
      assert.deepEqual(await mappedWith('0'), { mapped: 2, records: [2] });
      assert.deepEqual(await mappedWith('2'), { mapped: 0, records: [2, 2] });
    });

    it('SYNC_STEP_MAX_BYTES through syncConsumerOverrides(config): a job yields once it holds that many bytes of records', async () => {
      const steps: number[] = [];
      consumer = createSyncConsumer({
        kafka, instanceId: uniqueName('i'), logger: testLogger(), ...syncConsumerOverrides(loadConfig({ SYNC_STEP_MAX_BYTES: '10000' })),
        connector: connector(async (_r, cursors, ctx) => {
          let page = Number(cursors.orders ?? 0);
          const first = page;
          for (; page < 40 && !ctx.shouldYield(); page++) ctx.emit('orders', [{ page, text: 'x'.repeat(1_000) }]);
          steps.push(page - first);
          return { cursors: { orders: String(page) }, done: page >= 40 };
        }),
      });
      await consumer.start();
      const request: SyncRequest = { v: 1, requestId: randomUUID(), tenantId: 'acme', platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString() };
      await kafka.produce('sync.cafe24.high', [{ key: 'acme', value: SyncRequestContract.encode(request) }]);
      await waitFor(() => (steps.reduce((a, b) => a + b, 0) >= 40 ? true : undefined), { deadlineMs: 30_000, description: 'every page synced' });
      // Unset (32 MiB), the 40 pages of ~1.1 KB would be one step.
      assert.ok(steps.length >= 3 && steps.every((n) => n <= 10), `steps of at most ~10 KB: ${steps.join(',')}`);
    });
  });
});
