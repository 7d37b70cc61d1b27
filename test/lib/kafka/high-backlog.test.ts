import assert from 'node:assert/strict';
import { createHighBacklog } from '../../../lib/kafka/high-backlog.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

describe('high backlog from broker offsets (real broker)', function () {
  this.timeout(30_000);
  let kafka: TestKafka;
  beforeEach(async () => {
    kafka = await testKafka('hb');
    await kafka.createTopics([{ name: 'sync.x.high', partitions: 2 }]);
  });
  afterEach(() => kafka.close());

  it('reports end and committed offsets of the owned partitions only, from the broker alone (no consumer running)', async () => {
    const topic = kafka.topic('sync.x.high');
    const groupId = kafka.topic(uniqueName('g'));
    await kafka.produce('sync.x.high', Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `m${i}` })));
    await kafka.produce('sync.x.high', [{ partition: 1, value: 'other' }]);
    const seen: unknown[] = [];
    const backlog = createHighBacklog({ admin: kafka.admin, groupId, topics: [topic], log: testLogger(), onOffsets: (o) => seen.push(o) });
    assert.deepEqual(await backlog.poll(), [], 'nothing owned yet');
    backlog.assign({ [topic]: [0], other: [1] });
    assert.deepEqual(await backlog.poll(), [{ topic, partition: 0, end: 10n, committed: 0n }], 'no commit yet: from the partition start');
    await kafka.admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }] });
    assert.deepEqual(await backlog.poll(), [{ topic, partition: 0, end: 10n, committed: 4n }]);
    backlog.assign({});
    assert.deepEqual(seen, [[]], 'a revoke clears the backlog at once');
  });
});
