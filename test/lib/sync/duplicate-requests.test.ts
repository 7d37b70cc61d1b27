import assert from 'node:assert/strict';
import { SyncRequestContract, SyncRunContract, type SyncRequest } from '../../../lib/contracts/index.js';
import type { Connector } from '../../../lib/sync/connector.js';
import { createSyncConsumer } from '../../../lib/sync/sync-consumer.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

const request = (tenantId: string, requestId: string, reason: SyncRequest['reason']): SyncRequest =>
  ({ v: 1, requestId, tenantId, platform: 'cafe24', tier: 'paid', reason, attempt: 1, requestedAt: new Date().toISOString() });

describe('sync consumer: a request id already completed is dropped (real broker)', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  let consumer: ReturnType<typeof createSyncConsumer> | undefined;
  const synced: string[] = [];
  const connector: Connector = {
    platform: 'cafe24',
    async sync(r, _cursors, ctx) {
      synced.push(r.requestId);
      ctx.emit('orders', [{ id: 1 }]);
      return { cursors: { orders: r.requestId }, done: true };
    },
  };

  beforeEach(async () => {
    synced.length = 0;
    kafka = await testKafka('dup');
    await kafka.createTopics('all');
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await kafka.close();
  });

  async function start() {
    consumer = createSyncConsumer({ kafka, connector, instanceId: uniqueName('i'), logger: testLogger() });
    await consumer.start();
  }
  const publish = (r: SyncRequest) => kafka.produce('sync.cafe24.high', [{ key: r.tenantId, value: SyncRequestContract.encode(r) }]);
  const runs = async (count: number) => (await kafka.readTopic('sync.runs', count)).map((m) => {
    const run = SyncRunContract.decode(m.value);
    assert.ok(run.ok);
    return run.value;
  });

  it('the same id twice in a row (a scheduled request behind the manual one of its slot): the connector runs once', async () => {
    await start();
    await publish(request('acme', 'slot-abc', 'manual'));
    await publish(request('acme', 'slot-abc', 'scheduled'));
    await publish(request('acme', 'slot-next', 'scheduled'));
    const [first, second, third] = await runs(3);
    assert.deepEqual(synced, ['slot-abc', 'slot-next']);
    assert.deepEqual([first!.status, first!.counts], ['succeeded', { orders: 1 }]);
    assert.deepEqual([second!.requestId, second!.status, second!.counts, second!.dataAsOf], ['slot-abc', 'succeeded', {}, undefined]);
    assert.match(second!.warnings?.[0] ?? '', /duplicate/);
    assert.equal(third!.requestId, 'slot-next');
  });

  it('after a restart, by the request id sync.state holds, including a chain that began with it', async () => {
    await start();
    await publish(request('acme', 'slot-abc', 'manual'));
    await runs(1);
    await consumer!.stop();
    // Another instance, with nothing in memory: only sync.state knows.
    await start();
    await publish(request('acme', 'slot-abc', 'scheduled'));
    await runs(2);
    assert.deepEqual(synced, ['slot-abc']);
    await publish(request('acme', 'slot-abc-c1', 'continuation'));
    await runs(3);
    assert.deepEqual(synced, ['slot-abc', 'slot-abc-c1'], 'a continuation is new work, not its first request');
  });
});
