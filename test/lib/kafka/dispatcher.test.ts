import assert from 'node:assert/strict';
import { Dispatcher, type Entry } from '../../../lib/kafka/dispatcher.js';

type E = Omit<Entry<string>, 'generation'>;
const entry = (topic: string, partition: number, key: string, message: string, extra: Partial<E> = {}): E =>
  ({ topic, partition, key, priority: 'high', notBefore: 0, message, ...extra });

function drain(d: Dispatcher<string>, now = 0) {
  const started: Entry<string>[] = [];
  for (let r = d.next(now); r.entry; r = d.next(now)) started.push(r.entry);
  return started;
}

describe('Dispatcher', () => {
  it('runs one message per partition, in offset order', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('a', 0, 'k1', 'm1'));
    d.push(entry('a', 0, 'k2', 'm2'));
    const [first, ...rest] = drain(d);
    assert.equal(first!.message, 'm1');
    assert.equal(rest.length, 0, 'm2 waits for m1');
    d.done(first!);
    assert.equal(drain(d)[0]!.message, 'm2');
  });

  it('runs one message per key across partitions', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('a', 0, 'same', 'm1'));
    d.push(entry('a', 1, 'same', 'm2'));
    d.push(entry('a', 2, 'other', 'm3'));
    assert.deepEqual(drain(d).map((e) => e.message), ['m1', 'm3']);
  });

  it('never runs more than the concurrency', () => {
    const d = new Dispatcher<string>({ concurrency: 2, lowShare: 0 });
    for (let p = 0; p < 5; p++) d.push(entry('a', p, `k${p}`, `m${p}`));
    assert.equal(drain(d).length, 2);
    assert.equal(d.runningCount, 2);
  });

  it('serves high first but gives low its guaranteed share', () => {
    const d = new Dispatcher<string>({ concurrency: 1, lowShare: 0.25 });
    for (let i = 0; i < 40; i++) d.push(entry('high', i, `h${i}`, `h${i}`));
    for (let i = 0; i < 40; i++) d.push(entry('low', i, `l${i}`, `l${i}`, { priority: 'low' }));
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { entry: e } = d.next(0);
      order.push(e!.message);
      d.done(e!);
    }
    const lows = order.filter((m) => m.startsWith('l')).length;
    assert.ok(lows >= 9 && lows <= 11, `low got ${lows} of 40 starts`);
    assert.ok(order[0]!.startsWith('h'), 'high goes first');
  });

  it('holds a message until its not-before time without holding other partitions', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('retry', 0, 'k1', 'later', { notBefore: 1_000 }));
    d.push(entry('main', 0, 'k2', 'now'));
    const first = d.next(500);
    assert.equal(first.entry!.message, 'now');
    const second = d.next(500);
    assert.equal(second.entry, undefined);
    assert.equal(second.wakeAt, 1_000);
    assert.equal(d.next(1_000).entry!.message, 'later');
  });

  it('drops queued entries on reset; a stale running entry frees its slot but is not current', () => {
    const d = new Dispatcher<string>({ concurrency: 10, lowShare: 0 });
    d.push(entry('a', 0, 'k1', 'running'));
    d.push(entry('a', 0, 'k1', 'queued'));
    const [running] = drain(d);
    d.reset();
    assert.equal(d.queuedTotal, 0);
    assert.equal(d.isCurrent(running!), false);
    d.done(running!);
    assert.equal(d.runningCount, 0);
  });
});
