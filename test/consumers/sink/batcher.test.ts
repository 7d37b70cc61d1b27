/** The batcher's rules without I/O: when a batch is due, and exact re-forming of an intent's range. */
import assert from 'node:assert/strict';
import { PartitionBatcher } from '../../../consumers/sink/batcher.js';
import type { SourceMessage } from '../../../consumers/sink/dlq.js';
import type { Translator } from '../../../consumers/sink/translate.js';
import type { TableName } from '../../../consumers/sink/tables.js';

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

describe('PartitionBatcher', () => {
  it('seals when the rows of all tables reach maxRows, with the exact offset range', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits);
    for (let offset = 0; offset < 9; offset++) assert.deepEqual(batcher.add(message(offset), translate, 0), []);
    const [batch] = batcher.add(message(9), translate, 0);
    assert.deepEqual(batch?.range, { first: '0', last: '9' });
    assert.equal(batch?.rows.count, 100);
    assert.equal(batch?.resumed, false);
    assert.equal(batcher.isOpen, false);
  });

  it('seals on bytes, and on age through sealIfDue', () => {
    const bytes = new PartitionBatcher('raw.results', 3, limits);
    assert.equal(bytes.add(message(0, 1, 6_000), translate, 0).length, 0);
    assert.equal(bytes.add(message(1, 1, 6_000), translate, 0)[0]?.bytes, 12_000);

    const aged = new PartitionBatcher('raw.results', 3, limits);
    aged.add(message(5), translate, 1_000);
    assert.equal(aged.sealIfDue(1_999), undefined);
    assert.deepEqual(aged.sealIfDue(2_000)?.range, { first: '5', last: '5' });
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

  it('re-forms an intent exactly: neither size nor age seal it early, it seals at the intent\'s last offset', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits, { first: '40', last: '52' });
    for (let offset = 40; offset < 52; offset++) assert.deepEqual(batcher.add(message(offset, 50), translate, 0), []);
    assert.equal(batcher.sealIfDue(10_000), undefined, 'not on age');
    assert.equal(batcher.sealNow(), undefined, 'not even on shutdown: the range stays for the next owner');
    const [batch] = batcher.add(message(52, 50), translate, 0);
    assert.deepEqual(batch?.range, { first: '40', last: '52' });
    assert.equal(batch?.resumed, true, 'the flusher need not record the intent again');
    assert.equal(batcher.resume, undefined);
    // Afterwards the normal rules apply again.
    assert.equal(batcher.add(message(53, 100), translate, 0)[0]?.range.first, '53');
  });

  it('when the intent\'s last message is gone (retention), seals what it has and carries on', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits, { first: '40', last: '45' });
    batcher.add(message(40), translate, 0);
    const sealed = batcher.add(message(47), translate, 0);
    assert.deepEqual(sealed.map((b) => b.range), [{ first: '40', last: '40' }]);
    assert.equal(sealed[0]?.resumed, false);
    assert.equal(batcher.resume, undefined);
    assert.equal(batcher.sealNow()?.range.first, '47');
  });

  it('a resumed range that starts later than the intent (the first message was deleted) is not marked resumed', () => {
    const batcher = new PartitionBatcher('raw.results', 3, limits, { first: '40', last: '42' });
    batcher.add(message(41), translate, 0);
    assert.equal(batcher.add(message(42), translate, 0)[0]?.resumed, false);
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
