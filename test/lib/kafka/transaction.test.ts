import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { createTransactionalProducer } from '../../../lib/kafka/client.js';
import { createTransactionalCommitter, offsetsLanded, type TopicOffsets } from '../../../lib/kafka/transaction.js';
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

  /** The next transaction's commit reports a failure after the broker committed it (a lost response under load). */
  function loseOneCommitResponse(): { fired: boolean } {
    const fault = { fired: false };
    const transaction = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const t = await transaction();
      const commit = t.commit.bind(t);
      t.commit = async () => {
        await commit();
        if (!fault.fired) {
          fault.fired = true;
          throw new Error('the commit response was lost');
        }
      };
      return t;
    };
    return fault;
  }

  function committerFor(groupId: string, landed: (offsets: TopicOffsets[]) => Promise<boolean>) {
    return createTransactionalCommitter({
      producer, groupId, logger: testLogger(), landed,
      offsetsFor: () => [{ topic: kafka.topic('in'), partitions: [{ partition: 0, offset: '1', metadata: '' }] }],
      retry: { initialMs: 10, maxMs: 10, multiplier: 1, jitter: 0, maxAttempts: 3 },
    });
  }

  it('a commit that reports a failure after it committed is not sent again: each DLQ entry once', async () => {
    const fault = loseOneCommitResponse();
    const groupId = kafka.topic('group');
    const committer = committerFor(groupId, offsetsLanded(kafka.admin, groupId));
    await committer.commit({ messages: [{ topic: kafka.topic('dlq'), key: 'k', value: Buffer.from('entry') }] });
    await committer.close();
    assert.ok(fault.fired, 'the fault fired');
    assert.equal((await drainTopic(kafka, 'dlq')).length, 1);
  });

  it('a failed commit whose outcome cannot be read is handed back as failed, not sent again', async () => {
    const fault = loseOneCommitResponse();
    const committer = committerFor(kafka.topic('group'), async () => {
      throw new Error('the coordinator is away');
    });
    await assert.rejects(committer.commit({ messages: [{ topic: kafka.topic('dlq'), key: 'k', value: Buffer.from('entry') }] }), /commit response was lost/);
    await committer.close();
    assert.ok(fault.fired, 'the fault fired');
    assert.equal((await drainTopic(kafka, 'dlq')).length, 1);
  });
});
