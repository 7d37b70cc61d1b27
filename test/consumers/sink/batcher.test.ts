/** The batcher's rules without I/O: when a batch is due, and exact re-forming of an intent's range. */
import assert from 'node:assert/strict';
import { openBatchesDue, PartitionBatcher } from '../../../consumers/sink/batcher.js';
import { groupIntent } from '../../../consumers/sink/intent.js';
import type { SourceMessage } from '../../../consumers/sink/dlq.js';
import type { Translator } from '../../../consumers/sink/translate.js';
import type { TableName } from '../../../lib/model/tables.js';

/** Each message becomes `rows` raw_records rows (the value's first byte) and maybe a DLQ item. */
const translate: Translator = (message, out, dlq) => {
  const rows = message.value?.[0] ?? 0;
  for (let i = 0; i < rows; i++) out.push('raw_records', { offset: message.offset } as never);
  if (rows === 0) dlq.push({ reason: 'empty', errorClass: 'TEST', source: message, value: Buffer.alloc(0), headers: {} });
};
const message = (offset: number, rows = 10, bytes = 100): SourceMessage => {
  const value = Buffer.alloc(bytes);
  value[0] = rows;
  return { topic: 'raw.results', partition: 3, offset: String(offset), key: 'tenant', value, headers: {} };
};
const limits = { maxRows: 100, maxBytes: 10_000, maxAgeMs: 1_000 };
/** A flush group this partition (raw.results 3) was in with another partition when its owner died. */
const intent = (first: string, last: string) => groupIntent([
  { topic: 'raw.results', partition: 3, first, last },
  { topic: 'sync.runs', partition: 0, first: '7', last: '9' },
]);

describe('PartitionBatcher', () => {
  it('seals when the rows of all tables reach maxRows, with the exact offset range', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits);
    for (let offset = 0; offset < 9; offset++) assert.deepEqual(batcher.add(message(offset), translate, 0), []);
    const [batch] = batcher.add(message(9), translate, 0);
    assert.deepEqual(batch?.range, { first: '0', last: '9' });
    assert.equal(batch?.rows.count, 100);
    assert.equal(batch?.resumed, undefined);
    assert.equal(batcher.isOpen, false);
  });

  it('seals on bytes', () => {
    const bytes = new PartitionBatcher('raw.results', 3, limits);
    assert.equal(bytes.add(message(0, 1, 6_000), translate, 0).length, 0);
    assert.equal(bytes.add(message(1, 1, 6_000), translate, 0)[0]?.bytes, 12_000);
  });

  it('finds the open batches of all partitions due together: by total rows, total bytes, or the oldest\'s age', () => {
    const a = new PartitionBatcher('raw.results', 0, limits);
    const b = new PartitionBatcher('raw.results', 1, limits);
    assert.equal(openBatchesDue([a, b], limits, 5_000), false, 'nothing open');
    a.add(message(0, 50), translate, 1_000);
    b.add(message(0, 40, 9_000), translate, 1_500);
    assert.equal(openBatchesDue([a, b], limits, 1_999), false);
    assert.equal(openBatchesDue([a, b], limits, 2_000), true, 'the oldest waited maxAgeMs');
    b.add(message(1, 10), translate, 1_500);
    assert.equal(openBatchesDue([a, b], limits, 1_500), true, '100 rows together');
    const c = new PartitionBatcher('raw.results', 2, limits);
    c.add(message(0, 1, 1_000), translate, 1_500);
    assert.equal(openBatchesDue([a, c], { ...limits, maxRows: 1_000 }, 1_500), false);
    assert.equal(openBatchesDue([b, c], { ...limits, maxRows: 1_000 }, 1_500), true, '10,100 bytes together');
    const resuming = new PartitionBatcher('raw.results', 3, limits, intent('0', '9'));
    resuming.add(message(0, 99), translate, 0);
    assert.equal(openBatchesDue([resuming], limits, 10_000), false, 'an intent being re-formed does not count');
  });

  it('keeps where each message\'s rows end, and the DLQ items of messages without rows', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits);
    batcher.add(message(0, 3), translate, 0);
    batcher.add(message(1, 0), translate, 0);
    batcher.add(message(2, 2), translate, 0);
    const batch = batcher.sealNow()!;
    const column = 0 satisfies number; // raw_records is the first table
    assert.deepEqual(batch.messages.map((m) => m.ends[column]), [3, 3, 5]);
    assert.equal(batch.dlq.length, 1);
    assert.deepEqual(batch.rows.tables(), ['raw_records'] satisfies TableName[]);
  });

  it('re-forms an intent exactly: neither size, age nor a shutdown seals it early, it seals at the intent\'s last offset', () => {
    const group = intent('40', '52');
    const batcher = new PartitionBatcher('raw.results', 3, limits, group);
    assert.deepEqual(batcher.resume, { first: '40', last: '52' }, 'its own range of the group');
    for (let offset = 40; offset < 52; offset++) assert.deepEqual(batcher.add(message(offset, 50), translate, 0), []);
    assert.equal(batcher.sealNow(), undefined, 'not on age, nor on shutdown: the range stays for the next owner');
    const [batch] = batcher.add(message(52, 50), translate, 0);
    assert.deepEqual(batch?.range, { first: '40', last: '52' });
    assert.equal(batch?.resumed, group, 'to be flushed in the same group, which is recorded already');
    assert.equal(batcher.resume, undefined);
    // Afterwards the normal rules apply again.
    assert.equal(batcher.add(message(53, 100), translate, 0)[0]?.range.first, '53');
  });

  it('when the intent\'s last message is gone (retention), seals what it has and carries on', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits, intent('40', '45'));
    batcher.add(message(40), translate, 0);
    const sealed = batcher.add(message(47), translate, 0);
    assert.deepEqual(sealed.map((b) => b.range), [{ first: '40', last: '40' }]);
    assert.equal(sealed[0]?.resumed, undefined);
    assert.equal(batcher.resume, undefined);
    assert.equal(batcher.sealNow()?.range.first, '47');
  });

  it('a resumed range that starts later than the intent (the first message was deleted) is not marked resumed', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits, intent('40', '42'));
    batcher.add(message(41), translate, 0);
    assert.equal(batcher.add(message(42), translate, 0)[0]?.resumed, undefined);
  });

  it('ignores an intent that does not name its partition', () => {
    const batcher = new PartitionBatcher('raw.results', 5, limits, intent('40', '42'));
    assert.equal(batcher.resume, undefined);
  });

  it('counts a filtered message in the range without translating it', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits);
    batcher.add(message(0), translate, 0, false);
    batcher.add(message(1), translate, 0);
    const batch = batcher.sealNow()!;
    assert.deepEqual(batch.range, { first: '0', last: '1' });
    assert.equal(batch.rows.count, 10);
  });
});
