import assert from 'node:assert/strict';
import { addKstMonths, formatKst, formatKstTokenTime, kstStartOfDay, parseKstDate } from '../../../simulators/cafe24/kst.js';
import { MAX_LIFECYCLE_MS, planLifecycle } from '../../../simulators/cafe24/order-lifecycle.js';
import { rngFor } from '../../../simulators/cafe24/seeded-random.js';
import { ShopRegistry } from '../../../simulators/cafe24/shop-registry.js';
import { fleetSpecs } from '../../../simulators/cafe24/shop-spec.js';

const ANCHOR = Date.UTC(2026, 10, 30, 1, 0, 0);
const DAY = 86_400_000;

describe('cafe24 simulator data generation (pure)', () => {
  it('formats KST like the API: offset on resources, none on token times', () => {
    assert.equal(formatKst(ANCHOR), '2026-11-30T10:00:00+09:00');
    assert.equal(formatKstTokenTime(ANCHOR + 123), '2026-11-30T10:00:00.123');
    assert.equal(kstStartOfDay(ANCHOR), parseKstDate('2026-11-30'));
    assert.equal(parseKstDate('2026-02-30'), undefined);
    assert.equal(addKstMonths(parseKstDate('2026-11-30') as number, 3), parseKstDate('2027-02-28'));
  });

  it('places orders at strictly increasing times, and finds them back by id', () => {
    const registry = new ShopRegistry({ seed: 3, dataAnchorMs: ANCHOR });
    registry.add({ mallId: 'unitmall', products: 20, orders: 5000, historyDays: 30 });
    const book = registry.mall('unitmall')!.orders;
    const count = book.countAt(ANCHOR);
    assert.ok(count >= 4999 && count <= 5000, `${count} orders exist at the anchor`);
    for (let i = 1; i < count; i++) assert.ok(book.orderDateOf(i) > book.orderDateOf(i - 1));
    for (const index of [0, 1, 777, count - 1]) {
      assert.equal(book.indexOfOrderId(book.orderIdOf(index), ANCHOR), index);
      assert.equal(book.firstIndexAtOrAfter(book.orderDateOf(index)), index);
    }
    assert.equal(book.indexOfOrderId(book.orderIdOf(count + 10), ANCHOR), undefined, 'future orders do not exist yet');
  });

  it('numbers orders per KST day from 0000001', () => {
    const registry = new ShopRegistry({ seed: 3, dataAnchorMs: ANCHOR });
    registry.add({ mallId: 'unitmall', products: 20, orders: 3000, historyDays: 30 });
    const book = registry.mall('unitmall')!.orders;
    const start = book.firstIndexAtOrAfter(parseKstDate('2026-11-15') as number);
    assert.match(book.orderIdOf(start), /^20261115-0000001$/);
    assert.match(book.orderIdOf(start + 1), /^20261115-0000002$/);
    assert.match(book.orderIdOf(start - 1), /^20261114-\d{7}$/);
  });

  it('keeps every status change within MAX_LIFECYCLE_MS of the order, with real status codes', () => {
    for (let i = 0; i < 2000; i++) {
      const plan = planLifecycle(rngFor(1, 'lifecycle', i), 0, 1 + (i % 4), i % 5 === 0);
      for (const script of plan.items) {
        assert.equal(script[0]?.atMs, 0);
        for (let k = 1; k < script.length; k++) assert.ok((script[k]?.atMs as number) > (script[k - 1]?.atMs as number));
        assert.ok((script[script.length - 1]?.atMs as number) < MAX_LIFECYCLE_MS);
      }
    }
  });

  it('generates the same mall from the same seed, whatever else was generated before', () => {
    const a = new ShopRegistry({ seed: 9, dataAnchorMs: ANCHOR });
    const b = new ShopRegistry({ seed: 9, dataAnchorMs: ANCHOR });
    a.add({ mallId: 'first', products: 30, orders: 100 });
    a.add({ mallId: 'second', products: 30, orders: 100 });
    b.add({ mallId: 'second', products: 30, orders: 100 });
    a.mall('first')!.orders.core(5);
    const coreA = a.mall('second')!.orders.core(42);
    const coreB = b.mall('second')!.orders.core(42);
    assert.deepEqual(JSON.stringify(coreA), JSON.stringify(coreB));
  });

  it('describes a fleet with most malls small and a few large, the same for the same seed', () => {
    const fleet = fleetSpecs({ count: 1000, seed: 5 });
    assert.deepEqual(fleet, fleetSpecs({ count: 1000, seed: 5 }));
    const large = fleet.filter((s) => (s.orders ?? 0) >= 20_000).length;
    const small = fleet.filter((s) => (s.orders ?? 0) <= 600).length;
    assert.ok(small > 700 && large > 5 && large < 80, `${small} small, ${large} large`);
    assert.equal(fleet[0]?.mallId, 'shop0001');
  });

  it('builds a large mall lazily and cheaply enough for a fleet', () => {
    const registry = new ShopRegistry({ seed: 1, dataAnchorMs: ANCHOR });
    for (const spec of fleetSpecs({ count: 1000, seed: 1 })) registry.add(spec);
    const started = performance.now();
    const largest = registry.mallIds().map((id) => registry.spec(id)!).sort((x, y) => y.orders - x.orders)[0]!;
    const mall = registry.mall(largest.mallId)!;
    const ninetyDays = mall.orders.countAt(ANCHOR) - mall.orders.firstIndexAtOrAfter(ANCHOR - 90 * DAY);
    assert.ok(ninetyDays > 5000);
    assert.ok(performance.now() - started < 2000, 'generating the largest mall of the fleet takes well under 2 s');
  });
});
