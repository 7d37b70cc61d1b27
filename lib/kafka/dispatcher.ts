/**
 * Decides which fetched message runs next, and which offset each partition may commit. Pure bookkeeping, no
 * I/O, so its rules are tested alone:
 * - a key (tenantId) runs one message at a time, across all partitions and topics, in offset order within a
 *   partition: a tenant's token refresh, session and cursor are never used by two jobs at once;
 * - different keys of one partition run in parallel, so a partition is not a queue of its tenants' waits;
 * - at most `concurrency` messages run at once;
 * - a message with a future not-before time waits without holding anything else.
 *
 * Priority (issue 11, item 6). Paid requests are on the high topics, free ones on the low topics:
 * - high first: while both have a startable message, high takes the start, except that low is owed `lowShare`
 *   of those contended starts (a credit counter: with 0.2, every fifth contended start is low's). Only contended
 *   starts count, so a long quiet spell of low-only work never leaves low owing a debt that starves it later;
 * - low paused while high has backlog: when no high message is startable here but the broker says this
 *   instance's high partitions hold messages not yet fetched (`setBrokerOffsets`: the end offset against the
 *   group's committed offset and this process's fetch position, so it stays true while partitions are paused
 *   and counts what is not buffered), low may hold no more than its share of the slots,
 *   max(1, ceil(lowShare × concurrency)); the rest wait for the high messages on their way;
 * - ageing: a low message that has waited longer than `lowAgeingMs` since it was produced (its Kafka timestamp)
 *   is promoted and competes as high, so no wait is unbounded whatever the paid load;
 * - proportional ageing (`lowPeriodRatio` R, low's period ÷ high's: 6 for free against paid): while both have a
 *   startable message, low takes the start once its wait is at least R times high's, i.e. once it is at least as
 *   far into its own period as the high message is into its. Data age ÷ period is what each tier is promised
 *   (at most 1.1), so this serves the message nearer its bound first; a fixed bound either promoted free work
 *   while paid work was nearer its bound, or held free work long after paid's had become the less urgent.
 *
 * Why this holds for the whole group and not just one process: the high and low topics of a platform are
 * co-partitioned (the same partition count in topics.json, the same key, tenantId), and the group's assignor
 * deals every topic's partitions round the members, so every instance owns a slice of the high backlog and a
 * slice of the low backlog. The rule is local and each instance applies it to what it owns, so the group's starts
 * are the sum of per-instance starts: high first everywhere, low's share of each instance's contended starts
 * sums to that share of the group's, and an instance never sits idle for another's high backlog it cannot
 * consume (the backlog it waits for is its own partitions'). Ageing bounds every low wait regardless of how the
 * partitions fell. Retry topics count as high (a retry already waited); their messages with a future not-before
 * time are never startable, so they hold nothing back.
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
  /** Epoch ms the message was produced (its Kafka timestamp): ageing counts from it. @default when pushed */
  enqueuedAt?: number;
  message: M;
}

export interface Entry<M> extends NewEntry<M> {
  state: EntryState;
  /** The window's epoch when fetched; a reset of the window makes older entries stale. */
  epoch: number;
  enqueuedAt: number;
  /** The class it started as while running: a low entry past its ageing bound starts as high. */
  startedAs?: PriorityClass;
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
  /** The offset after the last one fetched: where the broker's backlog of this partition starts. */
  fetchedTo: bigint;
}

export interface DispatcherOptions {
  concurrency: number;
  /** Share of contended starts owed to low, and of the slots low may hold while high has backlog (0–1). */
  lowShare: number;
  /** A low message waiting longer than this is promoted to high. @default DEFAULT_LOW_AGEING_MS */
  lowAgeingMs?: number;
  /** Low's period ÷ high's: low takes a contended start once its wait is this many times high's. @default undefined (off) */
  lowPeriodRatio?: number;
  /** The clock for entries pushed without `enqueuedAt`. @default Date.now */
  now?: () => number;
}

/**
 * The free tier's slack minus the paid tier's, for a bound of 1.1 periods (lib/sync/tiers.ts: 0.1 × 6 h − 0.1 × 1 h):
 * a free request that has waited this long is as near its bound as a paid one just produced, so from then on it
 * competes as their equal (an earliest-deadline-first order between the two tiers). 18 min (5 % of 6 h) promoted
 * free work while paid work had more urgent deadlines. Callers with other periods pass their own bound.
 */
export const DEFAULT_LOW_AGEING_MS = 30 * 60_000;

/** A high partition this instance owns, as the broker sees it (admin fetchTopicOffsets and fetchOffsets). */
export interface BrokerOffsets {
  topic: string;
  partition: number;
  /** The partition's end offset (high watermark). */
  end: bigint;
  /** The group's committed offset (the partition's start offset when the group has none). */
  committed: bigint;
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
  #runningLow = 0;
  /** Low's credit of contended starts: +lowShare per contended start, low starts (and pays 1) once it reaches 1. */
  #lowCredit = 0;
  #brokerHigh: BrokerOffsets[] = [];
  readonly #lowSlots: number;
  readonly #ageingMs: number;
  readonly #now: () => number;
  /** Starts per class since creation ('promoted': low messages that started as high after their ageing bound). */
  readonly starts = { high: 0, low: 0, promoted: 0 };

  constructor(private readonly options: DispatcherOptions) {
    this.#lowSlots = Math.max(1, Math.ceil(options.lowShare * options.concurrency));
    this.#ageingMs = options.lowAgeingMs ?? DEFAULT_LOW_AGEING_MS;
    this.#now = options.now ?? Date.now;
  }

  get runningCount(): number {
    return this.#running;
  }

  /**
   * What the broker holds on the high partitions this instance owns (replaces the previous call's; the runner
   * polls it). Low is held to its share of the slots while any of it is not yet fetched.
   */
  setBrokerOffsets(offsets: BrokerOffsets[]): void {
    this.#brokerHigh = offsets;
  }

  /** High messages on the broker, in partitions this instance owns, that it has not fetched yet. */
  unfetchedHigh(): bigint {
    let total = 0n;
    for (const { topic, partition, end, committed } of this.#brokerHigh) {
      const fetched = this.#windows.get(partitionId(topic, partition))?.fetchedTo ?? -1n;
      const from = committed > fetched ? committed : fetched;
      if (end > from) total += end - from;
    }
    return total;
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
    const entry: Entry<M> = { ...fresh, enqueuedAt: fresh.enqueuedAt ?? this.#now(), state: done ? 'done' : 'queued', epoch: window.epoch };
    window.entries.push(entry);
    if (fresh.offset >= window.fetchedTo) window.fetchedTo = fresh.offset + 1n;
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
    /** With proportional ageing, each class's longest-waiting startable entry (the whole scan is needed). */
    const oldest: Record<PriorityClass, Entry<M> | undefined> = { high: undefined, low: undefined };
    const proportional = this.options.lowPeriodRatio !== undefined;
    for (const window of this.#windows.values()) {
      const candidate = this.#firstStartable(window, now);
      if (candidate.wakeAt !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, candidate.wakeAt);
      const entry = candidate.entry;
      if (entry) {
        const as = this.#classOf(entry, now);
        if (!ready[as]) ready[as] = entry;
        if (proportional && (oldest[as]?.enqueuedAt ?? Infinity) > entry.enqueuedAt) oldest[as] = entry;
      }
      if (ready.high && ready.low && !proportional) break;
    }
    const due = this.#lowIsDue(oldest.high, oldest.low, now);
    const pick = due ? 'low' : this.#choosePriority(ready.high !== undefined, ready.low !== undefined);
    if (!pick) return { wakeAt };
    const entry = due ? oldest.low! : ready[pick]!;
    // Round-robin: the partition just served moves to the back of the scan order.
    const id = partitionId(entry.topic, entry.partition);
    const window = this.#windows.get(id)!;
    this.#windows.delete(id);
    this.#windows.set(id, window);
    entry.state = 'running';
    // A low message due by proportional ageing starts as high: it was owed this start, not low's share.
    entry.startedAs = due ? 'high' : pick;
    this.#runningKeys.add(entry.key);
    this.#running++;
    if (entry.startedAs === 'low') {
      this.#runningLow++;
      this.starts.low++;
    } else if (entry.priority === 'low') this.starts.promoted++;
    else this.starts.high++;
    return { entry };
  }

  /** A running entry stopped (committed, given up, or stale): its key may run again. */
  release(entry: Entry<M>): void {
    if (entry.state !== 'running') return;
    this.#stopped(entry);
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
      if (entry.state === 'running') this.#stopped(entry);
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
    if (!window) this.#windows.set(id, (window = { id, topic, partition, epoch: nextEpoch++, entries: [], skip: new Set(), fetchedTo: -1n }));
    return window;
  }

  #stopped(entry: Entry<M>): void {
    this.#runningKeys.delete(entry.key);
    this.#running--;
    if (entry.startedAs === 'low') this.#runningLow--;
    delete entry.startedAs;
  }

  /** Whether the low candidate is at least as far into its period as the high one (lowPeriodRatio). */
  #lowIsDue(high: Entry<M> | undefined, low: Entry<M> | undefined, now: number): boolean {
    const ratio = this.options.lowPeriodRatio;
    if (ratio === undefined || !high || !low || low.priority !== 'low') return false;
    return now - low.enqueuedAt >= ratio * (now - high.enqueuedAt);
  }

  /** A low entry past its ageing bound competes as high. */
  #classOf(entry: Entry<M>, now: number): PriorityClass {
    return entry.priority === 'high' || now - entry.enqueuedAt > this.#ageingMs ? 'high' : 'low';
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
      this.#lowCredit += this.options.lowShare;
      if (this.#lowCredit < 1) return 'high';
      this.#lowCredit -= 1;
      return 'low';
    }
    if (high) return 'high';
    if (!low) return undefined;
    // No high message startable here, but more of it may be on its way from the broker: keep the other slots.
    return this.#runningLow < this.#lowSlots || this.unfetchedHigh() === 0n ? 'low' : undefined;
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
