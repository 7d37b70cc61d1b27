import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { DLQ_FRAMING_BYTES, DLQ_LIMITS, dlqEntry, DlqEntryContract, SINK_DLQ_TOPIC, SYNC_DLQ_TOPIC } from '../../../lib/contracts/dlq.js';
import { readTopicSpecs } from '../../../lib/kafka/topics.js';
import { TOPICS_FILE } from '../../helpers/kafka.js';

const source = { topic: 'sync.cafe24.high', partition: 3, offset: '17', key: 'acme' };

describe('DLQ entries (lib/contracts/dlq.ts)', () => {
  it('copies a small original whole, with its size and sha256', () => {
    const value = Buffer.from('{not json');
    const decoded = DlqEntryContract.decode(dlqEntry({ reason: 'malformed', errorClass: 'CONTRACT', source, value }));
    assert.ok(decoded.ok);
    assert.equal(Buffer.from(decoded.value.value, 'base64').toString(), '{not json');
    assert.equal(decoded.value.valueBytes, value.length);
    assert.equal(decoded.value.valueSha256, createHash('sha256').update(value).digest('hex'));
    assert.equal(decoded.value.truncated, undefined);
  });

  it('fits its bound however large the original, reason and headers are: a prefix, its full size and hash noted', () => {
    const value = randomBytes(25 * 1024 * 1024);
    const headers = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`h${i}`.repeat(50), 'é'.repeat(5000)]));
    for (const maxBytes of [DLQ_LIMITS[SYNC_DLQ_TOPIC]!, DLQ_LIMITS[SINK_DLQ_TOPIC]!, 200_000]) {
      const bytes = dlqEntry({ reason: 'x'.repeat(100_000), errorClass: 'E'.repeat(500), source: { ...source, key: 'k'.repeat(5000) }, value, headers, maxBytes });
      assert.ok(bytes.length <= maxBytes, `${bytes.length} ≤ ${maxBytes}`);
      assert.ok(bytes.length > maxBytes - 8, 'the prefix uses the room there is');
      const decoded = DlqEntryContract.decode(bytes);
      assert.ok(decoded.ok);
      const prefix = Buffer.from(decoded.value.value, 'base64');
      assert.ok(prefix.length > 0 && value.subarray(0, prefix.length).equals(prefix));
      assert.equal(decoded.value.truncated, true);
      assert.equal(decoded.value.valueBytes, value.length);
      assert.equal(decoded.value.valueSha256, createHash('sha256').update(value).digest('hex'));
    }
  });

  it('every DLQ topic in topics.json has an explicit max.message.bytes above its entry bound and framing', async () => {
    const dlqTopics = (await readTopicSpecs(TOPICS_FILE)).filter((t) => t.name.endsWith('.dlq'));
    assert.deepEqual(dlqTopics.map((t) => t.name).sort(), Object.keys(DLQ_LIMITS).sort(), 'a bound for every DLQ topic');
    for (const topic of dlqTopics) {
      const max = Number(topic.configs['max.message.bytes']);
      assert.ok(Number.isInteger(max), `${topic.name} sets max.message.bytes`);
      assert.ok(DLQ_LIMITS[topic.name]! + DLQ_FRAMING_BYTES <= max, `${topic.name}: bound ${DLQ_LIMITS[topic.name]} + framing ≤ ${max}`);
    }
  });
});
