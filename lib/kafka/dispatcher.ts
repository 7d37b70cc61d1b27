/**
 * Decides which fetched message runs next. Pure bookkeeping, no I/O, so its rules are tested alone:
 * - a partition runs one message at a time, in offset order (its offsets commit in order);
 * - a key (tenantId) runs one message at a time across all partitions and topics, so one tenant's token refresh,
 *   session and cursor are never used by two jobs at once;
 * - at most `concurrency` messages run at once;
 * - high priority goes first, but low gets at least `lowShare` of the starts while it has work, so free tenants
 *   never starve;
 * - a message with a future not-before time holds only its own partition (the retry topic's), never the others.
 * Each entry carries the generation it was fetched in; `reset()` (after a rebalance) drops everything older.
 */
export type PriorityClass = 'high' | 'low';

export interface Entry<M> {
  topic: string;
  partition: number;
  key: string;
  priority: PriorityClass;
  /** Epoch ms before which the entry must not start. */
  notBefore: number;
  message: M;
  generation: number;
}

interface PartitionQueue<M> {
  id: string;
  entries: Entry<M>[];
  running: boolean;
}

export interface DispatcherOptions {
  concurrency: number;
  lowShare: number;
}

export class Dispatcher<M> {
  #queues = new Map<string, PartitionQueue<M>>();
  #runningKeys = new Set<string>();
  #running = 0;
  #generation = 0;
  #startedHigh = 0;
  #startedLow = 0;

  constructor(private readonly options: DispatcherOptions) {}

  get generation(): number {
    return this.#generation;
  }

  get runningCount(): number {
    return this.#running;
  }

  queuedIn(topic: string, partition: number): number {
    return this.#queues.get(partitionId(topic, partition))?.entries.length ?? 0;
  }

  get queuedTotal(): number {
    let total = 0;
    for (const q of this.#queues.values()) total += q.entries.length;
    return total;
  }

  push(entry: Omit<Entry<M>, 'generation'>): void {
    const id = partitionId(entry.topic, entry.partition);
    let queue = this.#queues.get(id);
    if (!queue) this.#queues.set(id, (queue = { id, entries: [], running: false }));
    queue.entries.push({ ...entry, generation: this.#generation });
  }

  /**
   * Takes the next entry allowed to start at `now`, marking its partition and key busy, or returns `undefined`
   * with `wakeAt`: the earliest not-before time that blocks a ready partition (for a timer).
   */
  next(now: number): { entry?: Entry<M>; wakeAt?: number } {
    if (this.#running >= this.options.concurrency) return {};
    let wakeAt: number | undefined;
    const ready: Record<PriorityClass, PartitionQueue<M>[]> = { high: [], low: [] };
    for (const queue of this.#queues.values()) {
      const head = queue.entries[0];
      if (!head || queue.running || this.#runningKeys.has(head.key)) continue;
      if (head.notBefore > now) {
        wakeAt = Math.min(wakeAt ?? Infinity, head.notBefore);
        continue;
      }
      ready[head.priority].push(queue);
    }
    const pick = this.#choosePriority(ready.high.length > 0, ready.low.length > 0);
    if (!pick) return { wakeAt };
    // Oldest-waiting first within a class would need timestamps; round-robin by moving the queue to the end.
    const queue = ready[pick][0]!;
    this.#queues.delete(queue.id);
    this.#queues.set(queue.id, queue);
    const entry = queue.entries[0]!;
    queue.running = true;
    this.#runningKeys.add(entry.key);
    this.#running++;
    if (pick === 'high') this.#startedHigh++;
    else this.#startedLow++;
    return { entry };
  }

  /** The entry finished (committed or given up): its partition and key may run the next one. */
  done(entry: Entry<M>): void {
    const queue = this.#queues.get(partitionId(entry.topic, entry.partition));
    this.#runningKeys.delete(entry.key);
    this.#running--;
    if (!queue || entry.generation !== this.#generation) return;
    if (queue.entries[0] === entry) queue.entries.shift();
    queue.running = false;
    if (queue.entries.length === 0) this.#queues.delete(queue.id);
  }

  /** Drops the queue of one partition (it will be re-fetched from its committed offset). */
  dropPartition(topic: string, partition: number): void {
    const queue = this.#queues.get(partitionId(topic, partition));
    if (!queue) return;
    if (queue.running) queue.entries.splice(1);
    else this.#queues.delete(queue.id);
  }

  /** After a rebalance: forget every queued entry; running ones finish as stale and are not committed. */
  reset(): void {
    this.#generation++;
    this.#queues.clear();
  }

  isCurrent(entry: Entry<M>): boolean {
    return entry.generation === this.#generation;
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
