import assert from 'node:assert/strict';
import {
  compareOffsets, decodeIntent, encodeIntent, groupIntent, groupToken, messageToken, nextOffset, rangeOf,
} from '../../../consumers/sink/intent.js';

describe('flush intents and deduplication tokens', () => {
  const members = [
    { topic: 'sync.runs', partition: 1, first: '7', last: '9' },
    { topic: 'raw.results', partition: 10, first: '100', last: '9007199254740993' },
    { topic: 'raw.results', partition: 2, first: '0', last: '4' },
  ];

  it('names a group by its members, whatever order they come in', () => {
    const group = groupIntent(members);
    assert.deepEqual(group.members.map((m) => `${m.topic}:${m.partition}`), ['raw.results:2', 'raw.results:10', 'sync.runs:1']);
    assert.equal(groupIntent([...members].reverse()).id, group.id);
    assert.notEqual(groupIntent([{ ...members[0]!, last: '10' }, members[1]!, members[2]!]).id, group.id, 'another range, another group');
  });

  it('round-trips a group through offset-commit metadata, within Kafka\'s 4096-byte default', () => {
    const group = groupIntent(members);
    const metadata = encodeIntent(group);
    assert.equal(metadata, 'sink-intent:v1 raw.results:2:0-4 raw.results:10:100-9007199254740993 sync.runs:1:7-9');
    assert.deepEqual(decodeIntent(metadata), group);
    assert.deepEqual(rangeOf(group, 'raw.results', 10), { first: '100', last: '9007199254740993' });
    assert.equal(rangeOf(group, 'raw.results', 3), undefined);
    const wide = groupIntent(Array.from({ length: 96 }, (_, p) => ({ topic: 'raw.results', partition: p, first: '12345678901', last: '12345699999' })));
    assert.ok(encodeIntent(wide).length < 4096);
  });

  it('ignores metadata that is not an intent', () => {
    for (const other of [null, undefined, '', 'sink-intent:v1', 'sink-intent:v1 raw.results:1:5-4', 'sink-intent:v2 raw.results:1:1-2', 'someone else\'s']) {
      assert.equal(decodeIntent(other), undefined, String(other));
    }
  });

  it('gives every table insert of a group its own token, and a message its own', () => {
    const group = groupIntent(members);
    assert.equal(groupToken('sink', group, 'orders'), `sink|${group.id}|orders`);
    assert.notEqual(groupToken('sink', group, 'orders'), groupToken('replay:cafe24@2', group, 'orders'));
    assert.equal(messageToken('sink', 'raw.results', 3, '17', 'orders'), 'sink|raw.results:3:17|orders');
  });

  it('does offset arithmetic on int64 strings', () => {
    assert.equal(nextOffset('9007199254740993'), '9007199254740994');
    assert.equal(compareOffsets('10', '9'), 1);
    assert.equal(compareOffsets('9', '9'), 0);
  });
});
