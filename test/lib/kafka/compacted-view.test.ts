import assert from 'node:assert/strict';
import type { Contract } from '../../../lib/contracts/codec.js';
import { createCompactedView, type CompactedView } from '../../../lib/kafka/compacted-view.js';
import { testKafka, testLogger, type TestKafka } from '../../helpers/kafka.js';

/** Plain text values: the view's reading is under test, not a contract. */
const text: Contract<string> = {
  name: 'text',
  version: 1,
  check: (value) => ({ ok: true, value: String(value) }),
  encode: (value) => Buffer.from(value),
  decode: (bytes) => ({ ok: true, value: String(bytes) }),
};

describe('compacted view (real broker)', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  const views: CompactedView<string>[] = [];
  beforeEach(async () => {
    kafka = await testKafka('cv');
    await kafka.createTopics([{ name: 'state', partitions: 6 }]);
  });
  afterEach(async () => {
    await Promise.all(views.splice(0).map((v) => v.stop()));
    await kafka.close();
  });

  it('views of one topic started in one millisecond under one reader id each read every partition', async () => {
    // The demo's case: a process's cafe24 and ably state stores share the instance id and start at once. The
    // clock stands still while they start, so a group named by the time would be shared every time, not by chance.
    const open = () => createCompactedView({ kafka, topic: 'state', contract: text, readerId: 'same', logger: testLogger() });
    views.push(open(), open(), open());
    const realNow = Date.now;
    const frozen = realNow();
    Date.now = () => frozen;
    try {
      await Promise.all(views.map((v) => v.start()));
    } finally {
      Date.now = realNow;
    }
    const { groups } = await kafka.admin.listGroups();
    const viewGroups = new Set(groups.map((g) => g.groupId).filter((id) => id.startsWith(kafka.topic('view.state.same.'))));
    assert.equal(viewGroups.size, 3, `one group per view: ${[...viewGroups].join(', ')}`);
    const written = new Map(Array.from({ length: 6 }, (_, partition) => [`k${partition}`, `v${partition}`]));
    await kafka.produce('state', [...written].map(([key, value], partition) => ({ key, value, partition })));
    for (const view of views) assert.deepEqual(await view.all(), written);
  });

  it('a tombstone removes its key, and a later value replaces an earlier one', async () => {
    const view = createCompactedView({ kafka, topic: 'state', contract: text, readerId: 'r', logger: testLogger() });
    views.push(view);
    await view.start();
    await kafka.produce('state', [{ key: 'a', value: '1', partition: 0 }, { key: 'b', value: '1', partition: 1 }]);
    await kafka.produce('state', [{ key: 'a', value: '2', partition: 0 }, { key: 'b', value: null, partition: 1 }]);
    assert.equal(await view.get('a'), '2');
    assert.equal(await view.get('b'), undefined);
  });
});
