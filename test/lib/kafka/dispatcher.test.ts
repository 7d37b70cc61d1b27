import assert from 'node:assert/strict';
import { decodeCompleted, Dispatcher, encodeCompleted, type Entry, type NewEntry } from '../../../lib/kafka/dispatcher.js';

const entry = (topic: string, partition: number, offset: number, key: string, extra: Partial<NewEntry<string>> = {}): NewEntry<string> =>
  ({ topic, partition, offset: BigInt(offset), key, priority: 'high', notBefore: 0, message: `${topic}#${partition}@${offset}`, ...extra });

function startAll(d: Dispatcher<string>, now = 0) {
  const started: Entry<string>[] = [];
  for (let r = d.next(now); r.entry; r = d.next(now)) started.push(r.entry);
  return started;
}

function commit(d: Dispatcher<string>, entries: Entry<string>[]) {
  const offsets = d.commitOffsets(entries);
  d.committed(entries, offsets);
  return offsets;
}

describe('Dispatcher', () => {
  it('runs different tenants of one partition in parallel, one job per tenant, in offset order', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('a', 0, 0, 'k1'));
    d.push(entry('a', 0, 1, 'k2'));
    d.push(entry('a', 0, 2, 'k1'));
    const started = startAll(d);
    assert.deepEqual(started.map((e) => e.offset), [0n, 1n], 'k1@2 waits for k1@0');
    commit(d, [started[0]!]);
    assert.deepEqual(startAll(d).map((e) => e.offset), [2n]);
  });

  it('runs one job per tenant across partitions and topics', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('a', 0, 0, 'same'));
    d.push(entry('b', 1, 0, 'same'));
    d.push(entry('a', 2, 0, 'other'));
    assert.deepEqual(startAll(d).map((e) => e.key), ['same', 'other']);
  });

  it('never runs more than the concurrency', () => {
    const d = new Dispatcher<string>({ concurrency: 2, lowShare: 0 });
    for (let i = 0; i < 5; i++) d.push(entry('a', 0, i, `k${i}`));
    assert.equal(startAll(d).length, 2);
    assert.equal(d.runningCount, 2);
  });

  it('commits in order: up to the first unfinished offset, with the finished ones above it as metadata', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    for (let i = 10; i < 14; i++) d.push(entry('a', 0, i, `k${i}`));
    const [e10, e11, e12, e13] = startAll(d);
    assert.deepEqual(commit(d, [e11!, e13!]), [{ topic: 'a', partition: 0, offset: 10n, completed: [11n, 13n] }]);
    assert.deepEqual(commit(d, [e10!]), [{ topic: 'a', partition: 0, offset: 12n, completed: [13n] }]);
    assert.deepEqual(commit(d, [e12!]), [{ topic: 'a', partition: 0, offset: 14n, completed: [] }]);
    assert.equal(d.heldIn('a', 0), 0, 'committed entries are forgotten');
  });

  it('skips offsets a previous owner finished (from the commit metadata)', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.setCompleted('a', 0, decodeCompleted(20n, encodeCompleted(20n, [21n, 23n])));
    for (let i = 20; i < 24; i++) d.push(entry('a', 0, i, `k${i}`));
    const started = startAll(d);
    assert.deepEqual(started.map((e) => e.offset), [20n, 22n]);
    assert.deepEqual(commit(d, started), [{ topic: 'a', partition: 0, offset: 24n, completed: [] }]);
  });

  it('serves high first but gives low its guaranteed share', () => {
    const d = new Dispatcher<string>({ concurrency: 1, lowShare: 0.25 });
    for (let i = 0; i < 40; i++) d.push(entry('high', i, 0, `h${i}`));
    for (let i = 0; i < 40; i++) d.push(entry('low', i, 0, `l${i}`, { priority: 'low' }));
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { entry: e } = d.next(0);
      order.push(e!.key);
      commit(d, [e!]);
    }
    const lows = order.filter((k) => k.startsWith('l')).length;
    assert.ok(lows >= 9 && lows <= 11, `low got ${lows} of 40 starts`);
    assert.ok(order[0]!.startsWith('h'), 'high goes first');
  });

  it('holds a message until its not-before time without holding anything else', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('retry', 0, 0, 'k1', { notBefore: 1_000 }));
    d.push(entry('retry', 0, 1, 'k2'));
    assert.deepEqual(startAll(d, 500).map((e) => e.key), ['k2']);
    assert.equal(d.next(500).wakeAt, 1_000);
    assert.equal(d.next(1_000).entry!.key, 'k1');
  });

  it('after a reset, running entries are stale, free their tenant, and commit nothing', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('a', 0, 0, 'k1'));
    const [running] = startAll(d);
    d.reset();
    assert.equal(d.isCurrent(running!), false);
    assert.deepEqual(d.commitOffsets([running!]), []);
    d.release(running!);
    assert.equal(d.runningCount, 0);
    d.push(entry('a', 0, 0, 'k1'));
    assert.equal(startAll(d).length, 1, 'the tenant may run again');
  });
});

describe('Dispatcher priority (paid on high, free on low)', () => {
  /** Starts `n` jobs one at a time (concurrency 1), committing each, and returns their keys. */
  function serve(d: Dispatcher<string>, n: number, now = 0): string[] {
    const keys: string[] = [];
    for (let i = 0; i < n; i++) {
      const { entry: e } = d.next(now);
      if (!e) break;
      keys.push(e.key);
      commit(d, [e]);
    }
    return keys;
  }

  it('proportional ageing: low takes a contended start once it is as far into its period as the oldest high', () => {
    // Free's period is six times paid's. High messages waited 10 s; a low one that waited 50 s is not yet due, 70 s is.
    const d = new Dispatcher<string>({ concurrency: 1, lowShare: 0, lowAgeingMs: Infinity, lowPeriodRatio: 6 });
    const now = 100_000;
    for (let i = 0; i < 5; i++) d.push(entry('high', i, 0, `h${i}`, { enqueuedAt: now - 10_000 + i }));
    d.push(entry('low', 0, 0, 'young', { priority: 'low', enqueuedAt: now - 50_000 }));
    d.push(entry('low', 1, 0, 'due', { priority: 'low', enqueuedAt: now - 70_000 }));
    assert.deepEqual(serve(d, 3, now), ['due', 'h0', 'h1'], 'the low message past six times the oldest high wait first, then high');
    assert.equal(d.starts.promoted, 1);
    assert.deepEqual(serve(d, 2, now), ['h2', 'h3'], 'at 50 s against 10 s, the other low message waits');
    // Both waits grow, so 6 × high's grows faster: 55 s against 15 s is still not due.
    assert.deepEqual(serve(d, 1, now + 5_000), ['h4']);
    assert.deepEqual(serve(d, 1, now + 5_000), ['young'], 'uncontended, low runs');
    const off = new Dispatcher<string>({ concurrency: 1, lowShare: 0, lowAgeingMs: Infinity });
    off.push(entry('high', 0, 0, 'h', { enqueuedAt: now - 10_000 }));
    off.push(entry('low', 1, 0, 'l', { priority: 'low', enqueuedAt: now - 70_000 }));
    assert.deepEqual(serve(off, 2, now), ['h', 'l'], 'without a ratio, high first');
  });

  it('owes low only the contended starts: a long low-only spell leaves no debt that starves it later', () => {
    const d = new Dispatcher<string>({ concurrency: 1, lowShare: 0.25, lowAgeingMs: Infinity });
    for (let i = 0; i < 100; i++) d.push(entry('low', 0, i, `early${i}`, { priority: 'low' }));
    assert.equal(serve(d, 100).length, 100, 'low runs freely while high has nothing');
    for (let i = 0; i < 40; i++) d.push(entry('high', i, 0, `h${i}`));
    for (let i = 100; i < 140; i++) d.push(entry('low', 0, i, `l${i}`, { priority: 'low' }));
    const order = serve(d, 20);
    assert.equal(order[0]!.startsWith('h'), true);
    assert.equal(order.filter((k) => k.startsWith('l')).length, 5, `low gets every fourth contended start: ${order.join(',')}`);
  });

  it('holds low to its share of the slots while the broker has high messages not yet fetched here', () => {
    const d = new Dispatcher<string>({ concurrency: 8, lowShare: 0.25, lowAgeingMs: Infinity });
    for (let i = 0; i < 20; i++) d.push(entry('low', i, 0, `l${i}`, { priority: 'low' }));
    d.setBrokerOffsets([{ topic: 'high', partition: 0, end: 10n, committed: 4n }]);
    assert.equal(d.unfetchedHigh(), 6n);
    assert.equal(startAll(d).length, 2, 'ceil(0.25 × 8) slots for low; six wait for the high backlog');
    for (let i = 4; i < 10; i++) d.push(entry('high', 0, i, `h${i}`));
    assert.equal(d.unfetchedHigh(), 0n, 'what is fetched is no longer backlog on the broker, with the end offset unchanged');
    const next = startAll(d).map((e) => e.key);
    assert.deepEqual(next, ['h4', 'h5', 'h6', 'l2', 'h7', 'h8'], 'high first, low every fourth contended start');
  });

  it('counts a paused partition\'s backlog from the broker: its end moves on while nothing more is fetched', () => {
    const d = new Dispatcher<string>({ concurrency: 4, lowShare: 0.25, lowAgeingMs: Infinity });
    for (let i = 0; i < 3; i++) d.push(entry('high', 0, i, 'same'));
    const [h0] = startAll(d);
    assert.equal(h0!.key, 'same');
    for (let i = 0; i < 5; i++) d.push(entry('low', i, 0, `l${i}`, { priority: 'low' }));
    d.setBrokerOffsets([{ topic: 'high', partition: 0, end: 3n, committed: 0n }]);
    assert.equal(startAll(d).length, 3, 'nothing unfetched: low takes the free slots');
    d.setBrokerOffsets([{ topic: 'high', partition: 0, end: 50n, committed: 0n }]);
    assert.equal(d.unfetchedHigh(), 47n);
    assert.equal(startAll(d).length, 0, 'low already holds more than its share of slots');
  });

  it('ages a low message past its bound into high, so a paid flood cannot hold it back for ever', () => {
    const d = new Dispatcher<string>({ concurrency: 1, lowShare: 0, lowAgeingMs: 1_000 });
    for (let i = 0; i < 50; i++) d.push(entry('high', i % 4, i, `h${i}`, { enqueuedAt: 0 }));
    d.push(entry('low', 0, 0, 'free', { priority: 'low', enqueuedAt: 0 }));
    assert.equal(serve(d, 10, 500).includes('free'), false, 'within the bound, low gets nothing with no share');
    const after = serve(d, 10, 1_001);
    assert.ok(after.includes('free'), `promoted past its bound: ${after.join(',')}`);
    assert.deepEqual(d.starts, { high: 19, low: 0, promoted: 1 });
  });

  it('ageing counts from the push when the message has no timestamp', () => {
    const clock = 100;
    const make = () => {
      const d = new Dispatcher<string>({ concurrency: 1, lowShare: 0, lowAgeingMs: 1_000, now: () => clock });
      d.push(entry('low', 0, 0, 'free', { priority: 'low' }));
      d.push(entry('high', 0, 0, 'h0'));
      return d;
    };
    assert.equal(make().next(1_050).entry!.key, 'h0', 'pushed at 100: not yet past its bound at 1,050');
    const d = make();
    assert.equal(d.next(1_101).entry!.key, 'free', 'past its bound at 1,101');
    assert.equal(d.starts.promoted, 1);
  });
});
