/**
 * Decides which fetched message runs next, and which offset each partition may commit. Pure bookkeeping, no
 * I/O, so its rules are tested alone:
 * - a key (tenantId) runs one message at a time, across all partitions and topics, in offset order within a
 *   partition: a tenant's token refresh, session and cursor are never used by two jobs at once;
 * - different keys of one partition run in parallel, so a partition is not a queue of its tenants' waits;
 * - at most `concurrency` messages run at once;
 * - high priority goes first, but low gets at least `lowShare` of the starts while it has work;
 * - a message with a future not-before time waits without holding anything else.
 *
 * Offsets commit in order: a partition's commit point is its first offset not yet done. Done offsets above the
 * commit point travel in the commit's metadata (`encodeCompleted`), so after a crash or rebalance the next owner
 * skips them instead of redoing them.
 */
export type PriorityClass = 'high' | 'low';
export type EntryState = 'queued' | 'running' | 'done';

export interface NewEntry<M> {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  priority: PriorityClass;
  /** Epoch ms before which the entry must not start. */
  notBefore: number;
  message: M;
}

export interface Entry<M> extends NewEntry<M> {
  state: EntryState;
  /** The window's epoch when fetched; a reset of the window makes older entries stale. */
  epoch: number;
}

interface Window<M> {
  id: string;
  topic: string;
  partition: number;
  epoch: number;
  /** Ascending offsets; entries below the last commit point are trimmed. */
  entries: Entry<M>[];
  /** Offsets known done from a previous owner's commit metadata: skipped when fetched again. */
  skip: Set<bigint>;
}

export interface DispatcherOptions {
  concurrency: number;
  lowShare: number;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  /** The offset to commit: the first not done. */
  offset: bigint;
  /** Offsets above it already done. */
  completed: bigint[];
}

let nextEpoch = 1;

export class Dispatcher<M> {
  #windows = new Map<string, Window<M>>();
  #runningKeys = new Set<string>();
  #running = 0;
  #startedHigh = 0;
  #startedLow = 0;

  constructor(private readonly options: DispatcherOptions) {}

  get runningCount(): number {
    return this.#running;
  }

  /** Entries held for a partition (queued, running, or done but not yet committed past). */
  heldIn(topic: string, partition: number): number {
    return this.#windows.get(partitionId(topic, partition))?.entries.length ?? 0;
  }

  /** Offsets a previous owner reported done above its commit point (from the commit metadata). */
  setCompleted(topic: string, partition: number, offsets: Iterable<bigint>): void {
    const window = this.#window(topic, partition);
    for (const offset of offsets) window.skip.add(offset);
  }

  /** Queues a fetched message; one the previous owner already did is recorded as done. */
  push(fresh: NewEntry<M>): Entry<M> {
    const window = this.#window(fresh.topic, fresh.partition);
    const done = window.skip.delete(fresh.offset);
    const entry: Entry<M> = { ...fresh, state: done ? 'done' : 'queued', epoch: window.epoch };
    window.entries.push(entry);
    return entry;
  }

  /**
   * Takes the next entry allowed to start at `now` and marks it running, or returns `wakeAt`: the earliest
   * not-before time among entries that are otherwise ready (for a timer).
   */
  next(now: number): { entry?: Entry<M>; wakeAt?: number } {
    if (this.#running >= this.options.concurrency) return {};
    let wakeAt: number | undefined;
    const ready: Record<PriorityClass, Entry<M> | undefined> = { high: undefined, low: undefined };
    for (const window of this.#windows.values()) {
      const candidate = this.#firstStartable(window, now);
      if (candidate.wakeAt !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, candidate.wakeAt);
      const entry = candidate.entry;
      if (entry && !ready[entry.priority]) ready[entry.priority] = entry;
      if (ready.high && ready.low) break;
    }
    const pick = this.#choosePriority(ready.high !== undefined, ready.low !== undefined);
    if (!pick) return { wakeAt };
    const entry = ready[pick]!;
    // Round-robin: the partition just served moves to the back of the scan order.
    const id = partitionId(entry.topic, entry.partition);
    const window = this.#windows.get(id)!;
    this.#windows.delete(id);
    this.#windows.set(id, window);
    entry.state = 'running';
    this.#runningKeys.add(entry.key);
    this.#running++;
    if (pick === 'high') this.#startedHigh++;
    else this.#startedLow++;
    return { entry };
  }

  /** A running entry stopped (committed, given up, or stale): its key may run again. */
  release(entry: Entry<M>): void {
    if (entry.state !== 'running') return;
    this.#runningKeys.delete(entry.key);
    this.#running--;
    entry.state = this.isCurrent(entry) ? 'queued' : 'done';
  }

  /**
   * The offsets to commit if `finishing` (running entries) were done too: per partition touched, the first
   * offset not done and the done offsets above it.
   */
  commitOffsets(finishing: Entry<M>[]): CommitOffset[] {
    const finishingSet = new Set(finishing);
    const touched = new Map<string, Window<M>>();
    for (const e of finishing) {
      const window = this.#windows.get(partitionId(e.topic, e.partition));
      if (window && e.epoch === window.epoch) touched.set(window.id, window);
    }
    return [...touched.values()].map((window) => {
      const isDone = (e: Entry<M>) => e.state === 'done' || finishingSet.has(e);
      const firstOpen = window.entries.find((e) => !isDone(e));
      const last = window.entries[window.entries.length - 1]!;
      const offset = firstOpen ? firstOpen.offset : last.offset + 1n;
      const completed = window.entries.filter((e) => e.offset > offset && isDone(e)).map((e) => e.offset);
      return { topic: window.topic, partition: window.partition, offset, completed };
    });
  }

  /** The entries' transaction committed: they are done, and what lies below each commit point is forgotten. */
  committed(entries: Entry<M>[], offsets: CommitOffset[]): void {
    for (const entry of entries) {
      if (entry.state === 'running') {
        this.#runningKeys.delete(entry.key);
        this.#running--;
      }
      entry.state = 'done';
    }
    for (const { topic, partition, offset } of offsets) {
      const window = this.#windows.get(partitionId(topic, partition));
      if (!window) continue;
      const keepFrom = window.entries.findIndex((e) => e.offset >= offset);
      window.entries.splice(0, keepFrom === -1 ? window.entries.length : keepFrom);
    }
  }

  /** Forgets one partition's window (it will be fetched again from its commit point). Its entries go stale. */
  resetPartition(topic: string, partition: number): void {
    this.#windows.delete(partitionId(topic, partition));
  }

  /** After a rebalance: forget every window; running entries finish as stale and are not committed. */
  reset(): void {
    this.#windows.clear();
  }

  isCurrent(entry: Entry<M>): boolean {
    return this.#windows.get(partitionId(entry.topic, entry.partition))?.epoch === entry.epoch;
  }

  #window(topic: string, partition: number): Window<M> {
    const id = partitionId(topic, partition);
    let window = this.#windows.get(id);
    if (!window) this.#windows.set(id, (window = { id, topic, partition, epoch: nextEpoch++, entries: [], skip: new Set() }));
    return window;
  }

  #firstStartable(window: Window<M>, now: number): { entry?: Entry<M>; wakeAt?: number } {
    const blockedKeys = new Set<string>();
    let wakeAt: number | undefined;
    for (const entry of window.entries) {
      if (entry.state === 'done') continue;
      const blocked = entry.state === 'running' || blockedKeys.has(entry.key) || this.#runningKeys.has(entry.key);
      blockedKeys.add(entry.key); // later entries of this key wait for this one
      if (blocked) continue;
      if (entry.notBefore > now) {
        wakeAt = Math.min(wakeAt ?? Infinity, entry.notBefore);
        continue;
      }
      return { entry, wakeAt };
    }
    return { wakeAt };
  }

  #choosePriority(high: boolean, low: boolean): PriorityClass | undefined {
    if (high && low) {
      const started = this.#startedHigh + this.#startedLow;
      return started > 0 && this.#startedLow / started < this.options.lowShare ? 'low' : 'high';
    }
    return high ? 'high' : low ? 'low' : undefined;
  }
}

export const partitionId = (topic: string, partition: number) => `${topic}#${partition}`;

/** Commit metadata: done offsets above the commit point, as deltas from it ("c1:2,3"); bounded by the window. */
export function encodeCompleted(offset: bigint, completed: bigint[]): string {
  return completed.length === 0 ? '' : `c1:${completed.map((o) => (o - offset).toString(36)).join(',')}`;
}

export function decodeCompleted(offset: bigint, metadata: string | null | undefined): bigint[] {
  if (!metadata?.startsWith('c1:')) return [];
  return metadata.slice(3).split(',').filter(Boolean).map((d) => offset + BigInt(parseInt(d, 36)));
}
