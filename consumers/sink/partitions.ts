/**
 * What the sink holds per assigned partition, and how it learns where each one stands when it is assigned: the
 * committed offset (messages below it are already in the warehouse) and any intent (intent.ts) a previous owner
 * left, which the partition's batcher must re-form before anything else.
 */
import type { Admin } from 'kafkajs';
import type { Batch, BatchLimits } from './batcher.js';
import { PartitionBatcher } from './batcher.js';
import { decodeIntent, rangeOf, type GroupIntent } from './intent.js';

export interface PartitionState {
  readonly key: string;
  /** Full topic name (with the context's prefix), as kafkajs reports it. */
  readonly topic: string;
  /** Base topic name, as topics.json spells it: what rows, tokens and DLQ entries record. */
  readonly baseTopic: string;
  readonly partition: number;
  readonly batcher: PartitionBatcher;
  /** Batches sealed and waiting for the flusher, oldest first. */
  readonly sealed: Batch[];
  /** The group's committed offset when assigned, then after each batch; undefined when nothing was ever committed. */
  committed: string | undefined;
  /** Replays: where consumption of this partition ends (exclusive). */
  readonly endOffset: string | undefined;
  /** Replays: everything before endOffset was consumed. */
  ended: boolean;
  paused: boolean;
  /** Aborted when the partition is revoked or the sink stops: its in-flight flush gives up and commits nothing. */
  readonly revoked: AbortController;
}

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

export interface Committed {
  offset: string | undefined;
  intent: GroupIntent | undefined;
}

/** Committed offsets and intents of the given partitions, keyed by partitionKey. */
export async function fetchCommitted(admin: Admin, groupId: string, assignment: Record<string, number[]>): Promise<Map<string, Committed>> {
  const topics = Object.keys(assignment).filter((topic) => (assignment[topic]?.length ?? 0) > 0);
  const result = new Map<string, Committed>();
  if (topics.length === 0) return result;
  const fetched = await admin.fetchOffsets({ groupId, topics });
  for (const { topic, partitions } of fetched) {
    for (const { partition, offset, metadata } of partitions) {
      if (!assignment[topic]?.includes(partition)) continue;
      result.set(partitionKey(topic, partition), {
        offset: BigInt(offset) >= 0n ? offset : undefined,
        intent: decodeIntent(metadata),
      });
    }
  }
  return result;
}

export function createPartitionState(
  topic: string,
  baseTopic: string,
  partition: number,
  limits: BatchLimits,
  committed: Committed | undefined,
  endOffset: string | undefined,
): PartitionState {
  const intent = committed?.intent;
  // An intent is only meaningful at the committed offset it was recorded with.
  const resume = intent && rangeOf(intent, baseTopic, partition)?.first === committed?.offset ? intent : undefined;
  return {
    key: partitionKey(topic, partition),
    topic,
    baseTopic,
    partition,
    batcher: new PartitionBatcher(baseTopic, partition, limits, resume),
    sealed: [],
    committed: committed?.offset,
    endOffset,
    ended: endOffset !== undefined && committed?.offset !== undefined && BigInt(committed.offset) >= BigInt(endOffset),
    paused: false,
    revoked: new AbortController(),
  };
}

/** Bytes held by a partition: its open batch and the sealed batches not yet flushed. */
export function bufferedBytes(state: PartitionState): number {
  let bytes = state.batcher.openBytes;
  for (const batch of state.sealed) bytes += batch.bytes;
  return bytes;
}
