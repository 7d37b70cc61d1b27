/**
 * Which sealed batches the flush loop inserts next, as one flush group (intent.ts). Pure: it reads the partition
 * states and returns a decision, so the rules are unit-tested without a broker.
 *   1. A group re-formed from an intent goes first, as soon as every member's batch is sealed: it must keep its
 *      members to keep its tokens. While a member is still re-forming, its sealed siblings wait for it.
 *   2. A group that cannot be repeated (a member is owned by another instance now, or its range is gone) is
 *      reported as broken: its sealed members are flushed as ordinary batches, under new tokens.
 *   3. Otherwise the oldest sealed batch of every partition, together (at most maxMembers of them).
 */
import type { Batch } from './batcher.js';
import type { FlushGroup } from './flusher.js';
import { formGroup } from './flusher.js';
import type { GroupIntent } from './intent.js';
import type { PartitionState } from './partitions.js';

export type GroupChoice =
  | { kind: 'group'; group: FlushGroup }
  /** These heads belong to an intent that cannot be repeated: replace them by their unresumed selves, pick again. */
  | { kind: 'broken'; intent: GroupIntent; heads: Batch[] }
  | { kind: 'none' };

/** Finds a partition's state by base topic and partition. */
export type StateLookup = (topic: string, partition: number) => PartitionState | undefined;

export function pickGroup(states: Iterable<PartitionState>, stateOf: StateLookup, maxMembers: number): GroupChoice {
  const heads: Batch[] = [];
  for (const state of states) if (state.sealed[0]) heads.push(state.sealed[0]);
  if (heads.length === 0) return { kind: 'none' };
  const waiting = new Set<Batch>();
  for (const head of heads) {
    const intent = head.resumed;
    if (!intent || waiting.has(head)) continue;
    const members: Batch[] = [];
    let ready = true;
    let broken = false;
    for (const member of intent.members) {
      const state = stateOf(member.topic, member.partition);
      const memberHead = state?.sealed[0];
      if (memberHead?.resumed?.id === intent.id) members.push(memberHead);
      else if (state?.batcher.resume?.first === member.first) ready = false;
      else broken = true;
    }
    if (broken) return { kind: 'broken', intent, heads: members };
    if (ready) return { kind: 'group', group: { intent, batches: members, resumed: true } };
    for (const member of members) waiting.add(member);
  }
  const ordinary = heads.filter((h) => !h.resumed).sort((a, b) => a.openedAt - b.openedAt).slice(0, maxMembers);
  return ordinary.length > 0 ? { kind: 'group', group: formGroup(ordinary) } : { kind: 'none' };
}
