import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { createTransactionalProducer } from '../../../lib/kafka/client.js';
import { createTransactionalCommitter, offsetsLanded } from '../../../lib/kafka/transaction.js';
import { drainTopic, testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

describe('transactional committer (real broker)', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  let producer: Producer;

  beforeEach(async () => {
    kafka = await testKafka('txn');
    await kafka.createTopics([{ name: 'in', partitions: 1 }, { name: 'dlq', partitions: 1 }]);
    producer = createTransactionalProducer(kafka, uniqueName('txn'));
    await producer.connect();
  });
  afterEach(async () => {
    await producer.disconnect();
    await kafka.close();
  });

  it('a commit that reports a failure after it committed is not sent again: each DLQ entry once', async () => {
    // The broker committed; the answer was lost on the way back (what a timeout under load looks like).
    const transaction = producer.transaction.bind(producer);
    let lost = false;
    producer.transaction = async () => {
      const t = await transaction();
      const commit = t.commit.bind(t);
      t.commit = async () => {
        await commit();
        if (!lost) {
          lost = true;
          throw new Error('the commit response was lost');
        }
      };
      return t;
    };
    const groupId = kafka.topic('group');
    const committer = createTransactionalCommitter({
      producer, groupId, logger: testLogger(),
      offsetsFor: () => [{ topic: kafka.topic('in'), partitions: [{ partition: 0, offset: '1', metadata: '' }] }],
      landed: offsetsLanded(kafka.admin, groupId),
      retry: { initialMs: 10, maxMs: 10, multiplier: 1, jitter: 0, maxAttempts: 3 },
    });
    await committer.commit({ messages: [{ topic: kafka.topic('dlq'), key: 'k', value: Buffer.from('entry') }] });
    await committer.close();
    assert.ok(lost, 'the fault fired');
    assert.equal((await drainTopic(kafka, 'dlq')).length, 1);
  });
});
