/**
 * The two pieces of exactly-once that are pure: the deduplication token of a table insert, and the flush intent
 * stored in the committed-offset metadata of each partition of a flush group.
 *
 * A flush group is a set of batches, each a contiguous offset range [first, last] of one partition, inserted
 * together: every table gets ONE insert holding the rows of all of them (large inserts, few parts, whatever the
 * partition count). The group is named by its members, `topic:partition:first-last` sorted and joined by spaces,
 * and its inserts carry the token `<namespace>|<group id>|<table>`, the id being a hash of the member list. The
 * same messages always map to the same rows, so a token names its rows exactly, and ClickHouse drops a second
 * insert with the same token (non_replicated_deduplication_window on every table), also part by part when a
 * crash cut an insert half-way.
 *
 * The token only helps if a group re-formed after a crash has the same members. So before its first insert the
 * sink commits, for every member partition, the offset `first` again with metadata
 * `sink-intent:v1 <member> <member> …` listing the whole group (the idea of clickhouse-kafka-connect's BEFORE
 * state in KeeperMap, kept in Kafka itself: it moves with the partitions to whoever owns them next). After the
 * inserts it commits every member's `last + 1` with empty metadata, in one request. A consumer that finds intents
 * re-forms exactly those ranges and flushes them as the same group, so every retried insert repeats its token.
 */
import { createHash } from 'node:crypto';

export interface OffsetRange {
  first: string;
  last: string;
}

export interface Member extends OffsetRange {
  /** Base topic name. */
  topic: string;
  partition: number;
}

export interface GroupIntent {
  /** The members, canonical order (see memberList). */
  members: Member[];
  /** Hash of the member list: the group's name in tokens. */
  id: string;
}

const PREFIX = 'sink-intent:v1';
const MEMBER = /^([A-Za-z0-9._-]+):(\d+):(\d+)-(\d+)$/;

/** Members in canonical order: by topic, then partition. */
export function memberList(members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

const memberText = (m: Member) => `${m.topic}:${m.partition}:${m.first}-${m.last}`;

export function groupIntent(members: readonly Member[]): GroupIntent {
  const ordered = memberList(members);
  const id = createHash('sha256').update(ordered.map(memberText).join(' ')).digest('hex').slice(0, 24);
  return { members: ordered, id };
}

export function encodeIntent(group: GroupIntent): string {
  return `${PREFIX} ${group.members.map(memberText).join(' ')}`;
}

/** The group an offset commit's metadata promises, or undefined (no intent, or not ours). */
export function decodeIntent(metadata: string | null | undefined): GroupIntent | undefined {
  if (!metadata?.startsWith(`${PREFIX} `)) return undefined;
  const members: Member[] = [];
  for (const text of metadata.slice(PREFIX.length + 1).split(' ')) {
    const match = MEMBER.exec(text);
    if (!match) return undefined;
    const [, topic, partition, first, last] = match as unknown as [string, string, string, string, string];
    if (BigInt(first) > BigInt(last)) return undefined;
    members.push({ topic, partition: Number(partition), first, last });
  }
  return members.length > 0 ? groupIntent(members) : undefined;
}

/** The range a group intends for one partition. */
export function rangeOf(group: GroupIntent, topic: string, partition: number): OffsetRange | undefined {
  const member = group.members.find((m) => m.topic === topic && m.partition === partition);
  return member && { first: member.first, last: member.last };
}

/** Token of a group's insert into one table. */
export function groupToken(namespace: string, group: GroupIntent, table: string): string {
  return `${namespace}|${group.id}|${table}`;
}

/** Token of one message's rows of one table (the per-message retry of a refused insert). */
export function messageToken(namespace: string, topic: string, partition: number, offset: string, table: string): string {
  return `${namespace}|${topic}:${partition}:${offset}|${table}`;
}

/** The offset after `offset` (Kafka offsets are int64 strings). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

export function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
