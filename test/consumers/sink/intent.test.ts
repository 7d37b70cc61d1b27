import assert from 'node:assert/strict';
import { compareOffsets, decodeIntent, deduplicationToken, encodeIntent, nextOffset } from '../../../consumers/sink/intent.js';

describe('intent and deduplication tokens', () => {
  it('round-trips an intent through offset-commit metadata and ignores anything else', () => {
    assert.deepEqual(decodeIntent(encodeIntent({ first: '100', last: '9007199254740993' })), { first: '100', last: '9007199254740993' });
    for (const other of [null, undefined, '', 'sink-intent:v1:5:4', 'sink-intent:v2:1:2', 'someone else\'s metadata']) {
      assert.equal(decodeIntent(other), undefined, String(other));
    }
  });

  it('names a table insert by namespace, partition range and table: same range, same token', () => {
    const a = deduplicationToken('sink', 'raw.results', 3, { first: '10', last: '20' }, 'orders');
    assert.equal(a, 'sink|raw.results|3|10-20|orders');
    assert.notEqual(a, deduplicationToken('sink', 'raw.results', 3, { first: '10', last: '21' }, 'orders'));
    assert.notEqual(a, deduplicationToken('replay:cafe24@2', 'raw.results', 3, { first: '10', last: '20' }, 'orders'));
  });

  it('does offset arithmetic on int64 strings', () => {
    assert.equal(nextOffset('9007199254740993'), '9007199254740994');
    assert.equal(compareOffsets('10', '9'), 1);
    assert.equal(compareOffsets('9', '9'), 0);
  });
});
