/** Which batches form the next flush group, without I/O: the rules that keep a re-formed group's tokens. */
import assert from 'node:assert/strict';
import type { SourceMessage } from '../../../consumers/sink/dlq.js';
import { pickGroup } from '../../../consumers/sink/group-picker.js';
import { groupIntent, type GroupIntent } from '../../../consumers/sink/intent.js';
import { createPartitionState, partitionKey, type PartitionState } from '../../../consumers/sink/partitions.js';
import type { Translator } from '../../../consumers/sink/translate.js';

const limits = { maxRows: 1_000, maxBytes: 1 << 20, maxAgeMs: 1_000 };
const translate: Translator = (message, out) => out.push('raw_records', { offset: message.offset } as never);
const message = (partition: number, offset: number): SourceMessage => ({
  topic: 'raw.results', partition, offset: String(offset), key: 't', value: Buffer.from('x'), headers: {},
});

function states(specs: { partition: number; committed?: string; intent?: GroupIntent }[]) {
  const map = new Map<string, PartitionState>();
  for (const { partition, committed, intent } of specs) {
    const state = createPartitionState(`p.raw.results`, 'raw.results', partition, limits, { offset: committed, intent }, undefined);
    map.set(partitionKey('raw.results', partition), state);
  }
  return { map, stateOf: (topic: string, partition: number) => map.get(partitionKey(topic, partition)) };
}

/** Feeds offsets to a partition and seals what is open (as the sink does when a group is due). */
function feed(state: PartitionState, from: number, to: number, now = 0) {
  for (let offset = from; offset <= to; offset++) state.sealed.push(...state.batcher.add(message(state.partition, offset), translate, now));
  const open = state.batcher.sealNow();
  if (open) state.sealed.push(open);
}

describe('pickGroup', () => {
  it('takes the oldest sealed batch of every partition, as one group', () => {
    const { map, stateOf } = states([{ partition: 0 }, { partition: 1 }]);
    feed(map.get('raw.results:0')!, 0, 4, 10);
    feed(map.get('raw.results:0')!, 5, 9, 30);
    feed(map.get('raw.results:1')!, 0, 2, 20);
    const choice = pickGroup(map.values(), stateOf, 96);
    assert.equal(choice.kind, 'group');
    if (choice.kind !== 'group') return;
    assert.equal(choice.group.resumed, false);
    assert.deepEqual(choice.group.intent.members.map((m) => `${m.partition}:${m.first}-${m.last}`), ['0:0-4', '1:0-2']);
  });

  it('caps a group at maxMembers, oldest first', () => {
    const { map, stateOf } = states([{ partition: 0 }, { partition: 1 }, { partition: 2 }]);
    feed(map.get('raw.results:0')!, 0, 0, 30);
    feed(map.get('raw.results:1')!, 0, 0, 10);
    feed(map.get('raw.results:2')!, 0, 0, 20);
    const choice = pickGroup(map.values(), stateOf, 2);
    assert.ok(choice.kind === 'group');
    assert.deepEqual(choice.group.batches.map((b) => b.partition), [1, 2]);
  });

  it('re-forms a group from its intent: it waits for every member, then flushes exactly those ranges, recorded already', () => {
    const intent = groupIntent([{ topic: 'raw.results', partition: 0, first: '5', last: '9' }, { topic: 'raw.results', partition: 1, first: '3', last: '4' }]);
    const { map, stateOf } = states([
      { partition: 0, committed: '5', intent }, { partition: 1, committed: '3', intent }, { partition: 2 },
    ]);
    feed(map.get('raw.results:0')!, 5, 9);
    feed(map.get('raw.results:2')!, 0, 1);
    const waiting = pickGroup(map.values(), stateOf, 96);
    assert.ok(waiting.kind === 'group');
    assert.deepEqual(waiting.group.batches.map((b) => b.partition), [2], 'others go on; the re-formed member waits for its sibling');

    map.get('raw.results:2')!.sealed.shift();
    feed(map.get('raw.results:1')!, 3, 6);
    const choice = pickGroup(map.values(), stateOf, 96);
    assert.ok(choice.kind === 'group');
    assert.equal(choice.group.resumed, true);
    assert.equal(choice.group.intent.id, intent.id, 'the same group, so the same tokens');
    assert.deepEqual(choice.group.batches.map((b) => `${b.partition}:${b.range.first}-${b.range.last}`), ['0:5-9', '1:3-4']);
  });

  it('reports a group that cannot be repeated (a member is not assigned here) as broken', () => {
    const intent = groupIntent([{ topic: 'raw.results', partition: 0, first: '5', last: '9' }, { topic: 'raw.results', partition: 7, first: '3', last: '4' }]);
    const { map, stateOf } = states([{ partition: 0, committed: '5', intent }]);
    feed(map.get('raw.results:0')!, 5, 9);
    const choice = pickGroup(map.values(), stateOf, 96);
    assert.equal(choice.kind, 'broken');
    if (choice.kind === 'broken') assert.deepEqual(choice.heads.map((b) => b.partition), [0]);
  });

  it('has nothing to pick when nothing is sealed', () => {
    const { map, stateOf } = states([{ partition: 0 }]);
    assert.equal(pickGroup(map.values(), stateOf, 96).kind, 'none');
  });
});
