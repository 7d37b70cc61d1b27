import assert from 'node:assert/strict';
import { applyTopics, readTopicSpecs, type TopicSpec } from '../../../lib/kafka/topics.js';
import { testKafka, TOPICS_FILE, type TestKafka } from '../../helpers/kafka.js';

describe('topics.json apply (real broker)', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  beforeEach(async () => (kafka = await testKafka('topics')));
  afterEach(() => kafka.close());

  it('creates every topic of topics.json once; a second apply changes nothing', async () => {
    const specs = await readTopicSpecs(TOPICS_FILE);
    const first = await applyTopics(kafka.admin, specs, { prefix: kafka.prefix, partitionDivisor: 8 });
    assert.equal(first.filter((c) => c.action === 'created').length, specs.length);
    assert.deepEqual(await applyTopics(kafka.admin, specs, { prefix: kafka.prefix, partitionDivisor: 8 }), []);
    const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: kafka.topic('sync.state') }] });
    const policy = described.resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy');
    assert.equal(policy?.configValue, 'compact');
  });

  it('grows partitions and updates configs, but never shrinks', async () => {
    const spec: TopicSpec = { name: 'grow', partitions: 2, replication: 1, configs: { 'retention.ms': '1000000' } };
    await applyTopics(kafka.admin, [spec], { prefix: kafka.prefix });
    const changes = await applyTopics(kafka.admin, [{ ...spec, partitions: 4, configs: { 'retention.ms': '2000000' } }], { prefix: kafka.prefix });
    assert.deepEqual(changes.map((c) => c.action).sort(), ['configs', 'partitions']);
    const shrink = await applyTopics(kafka.admin, [{ ...spec, partitions: 1, configs: { 'retention.ms': '2000000' } }], { prefix: kafka.prefix });
    assert.deepEqual(shrink.map((c) => c.action), ['cannot-shrink']);
    const [meta] = (await kafka.admin.fetchTopicMetadata({ topics: [kafka.topic('grow')] })).topics;
    assert.equal(meta!.partitions.length, 4);
  });
});
