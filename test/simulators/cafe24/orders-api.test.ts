import assert from 'node:assert/strict';
import { createManualClock } from '../../../simulators/cafe24/clock.js';
import { ALL_ORDER_STATUS_CODES } from '../../../simulators/cafe24/order-lifecycle.js';
import { startTestSim, type TestSim } from './helpers.js';

const WINDOW = 'start_date=2026-09-01&end_date=2026-11-29';
const KST_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/;
const MONEY = /^\d+\.\d{2}$/;
const DAY = 86_400_000;

describe('cafe24 simulator orders API: caps and validation', () => {
  let t: TestSim;
  before(async () => { t = await startTestSim(); });
  after(() => t.close());

    const cases: Array<[string, string, string]> = [
      ['limit above 1000', `/orders?${WINDOW}&limit=1001`, 'limit'],
      ['limit below 1', `/orders?${WINDOW}&limit=0`, 'limit'],
      ['offset above 15000', `/orders?${WINDOW}&offset=15001`, 'offset'],
      ['a window of 3 months or more', '/orders?start_date=2026-08-01&end_date=2026-11-01', 'end_date'],
      ['start_date without end_date', '/orders?start_date=2026-11-01', 'end_date'],
      ['no window and no order_id', '/orders', 'start_date'],
      ['a datetime where the doc says date', '/orders?start_date=2026-11-01T00:00:00%2B09:00&end_date=2026-11-02', 'start_date'],
      ['end before start', '/orders?start_date=2026-11-02&end_date=2026-11-01', 'end_date'],
      ['an unknown order_status', `/orders?${WINDOW}&order_status=N99`, 'order_status'],
      ['an unknown date_type', `/orders?${WINDOW}&date_type=updated_date`, 'date_type'],
      ['an unknown shop_no', `/orders?${WINDOW}&shop_no=2`, 'shop_no'],
      ['a count with a window of 3 months', '/orders/count?start_date=2026-08-29&end_date=2026-11-29', 'end_date'],
    ];
    for (const [name, path, parameter] of cases) {
      it(`answers 422 naming the parameter for ${name}`, async () => {
        const reply = await t.get(path);
        assert.equal(reply.status, 422, reply.text);
        assert.equal(reply.body.error.code, 422);
        assert.match(reply.body.error.message, new RegExp(`parameter\\.${parameter}\\b`));
        assert.deepEqual(reply.body.error.more_info, {});
      });
    }

    it('accepts the edges: limit 1000, offset 15000, a window of 3 months less a day', async () => {
      assert.equal((await t.get(`/orders?${WINDOW}&limit=1000`)).status, 200);
      const deep = await t.get(`/orders?${WINDOW}&offset=15000`);
      assert.equal(deep.status, 200);
      assert.deepEqual(deep.body.orders, []);
      assert.equal((await t.get('/orders?start_date=2026-08-30&end_date=2026-11-29')).status, 200);
    });
});

describe('cafe24 simulator orders API', () => {
  let t: TestSim;
  afterEach(() => t?.close());

  it('pages a window with offset/limit so that each order comes exactly once, matching count and ground truth', async () => {
    t = await startTestSim({ shops: [{ mallId: 'testmall', products: 60, orders: 1200, historyDays: 120 }] });
    const count = (await t.get(`/orders/count?${WINDOW}`)).body.count as number;
    const ids: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await t.get(`/orders?${WINDOW}&limit=100&offset=${offset}`);
      assert.equal(page.status, 200);
      ids.push(...page.body.orders.map((o: { order_id: string }) => o.order_id));
      const next = page.body.links.find((l: { rel: string }) => l.rel === 'next');
      if (!next) {
        assert.ok(page.body.orders.length <= 100);
        break;
      }
      assert.match(next.href, new RegExp(`offset=${offset + 100}`));
    }
    assert.equal(new Set(ids).size, ids.length, 'no order twice');
    assert.equal(ids.length, count);
    const truth = t.sim.expectedOrders(t.mallId, { since: '2026-09-01T00:00:00+09:00', until: '2026-11-30T00:00:00+09:00' });
    assert.deepEqual(ids, truth.map((o) => o.orderId));
    assert.ok(count > 700, `a 90-day window of a 1200-orders/120-days mall holds many orders (${count})`);
  });

  it('sends the documented order shape: KST dates, decimal-string money, T/F flags, buyer personal data', async () => {
    t = await startTestSim();
    const reply = await t.get(`/orders?${WINDOW}&limit=50&embed=items,buyer,receivers`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.links.map((l: { rel: string }) => l.rel), ['next']);
    for (const order of reply.body.orders) {
      assert.match(order.order_id, /^\d{8}-\d{7}$/);
      assert.equal(order.shop_no, 1);
      assert.equal(order.currency, 'KRW');
      assert.match(order.order_date, KST_TIMESTAMP);
      assert.ok(order.payment_date === null || KST_TIMESTAMP.test(order.payment_date));
      assert.match(order.payment_amount, MONEY);
      assert.match(order.actual_order_amount.order_price_amount, MONEY);
      assert.ok(['T', 'F'].includes(order.paid));
      assert.ok(['T', 'F', 'M'].includes(order.canceled));
      assert.ok(!('updated_date' in order), 'real orders have no updated_date');
      assert.equal(typeof order.billing_name, 'string');
      assert.match(order.buyer.cellphone, /^010-\d{4}-\d{4}$/);
      assert.match(order.buyer.email, /@/);
      assert.ok(order.receivers[0].address1.length > 0);
      assert.ok(order.items.length >= 1);
      order.items.forEach((item: Record<string, any>, k: number) => {
        assert.equal(item.order_item_code, `${order.order_id}-${String(k + 1).padStart(2, '0')}`);
        assert.ok((ALL_ORDER_STATUS_CODES as readonly string[]).includes(item.order_status));
        assert.match(item.variant_code, /^P[0-9A-Z]{7}000[A-Z]$/);
        assert.match(item.product_price, MONEY);
        assert.equal(typeof item.product_no, 'number');
        assert.equal(item.payment_amount, null);
      });
    }
  });

  it('embeds items only when asked', async () => {
    t = await startTestSim();
    const plain = await t.get(`/orders?${WINDOW}&limit=5`);
    assert.ok(plain.body.orders.every((o: object) => !('items' in o) && !('buyer' in o)));
    const id = plain.body.orders[0].order_id;
    const detail = await t.get(`/orders/${id}?embed=items`);
    assert.equal(detail.body.order.order_id, id);
    const items = await t.get(`/orders/${id}/items`);
    assert.deepEqual(items.body.items, detail.body.order.items);
    assert.equal((await t.get('/orders/20260101-9999999')).status, 404);
    const projected = await t.get(`/orders?${WINDOW}&limit=3&fields=order_id,order_date&embed=items`);
    for (const order of projected.body.orders) assert.deepEqual(Object.keys(order).sort(), ['items', 'order_date', 'order_id']);
  });

  it('embeds a cancellation or return claim per claimed item when asked (exchanges are not simulated)', async () => {
    t = await startTestSim();
    const reply = await t.get(`/orders?${WINDOW}&order_status=C40,R40&limit=1000&embed=items,cancellation,return,exchange`);
    assert.ok(reply.body.orders.length > 0);
    for (const order of reply.body.orders) {
      const codes = (prefix: string) => order.items.filter((i: { order_status: string }) => i.order_status.startsWith(prefix))
        .map((i: { order_item_code: string }) => `${prefix}${i.order_item_code.replaceAll('-', '')}`);
      assert.deepEqual(order.cancellation.map((c: { claim_code: string }) => c.claim_code), codes('C'));
      assert.deepEqual(order.return.map((c: { claim_code: string }) => c.claim_code), codes('R'));
      assert.deepEqual(order.exchange, []);
      for (const claim of order.return) assert.equal(typeof claim.pickup.address1, 'string');
    }
    assert.equal(reply.text.includes('CANARY'), false);
  });

  it('with the canary knob puts a canary in every personal field and every personal embed, asked or not', async () => {
    t = await startTestSim();
    const path = `/orders?${WINDOW}&limit=20&embed=items`;
    const before = await t.get(path);
    t.sim.faults.set(t.mallId, { canaries: true });
    const canaried = await t.get(path);
    for (const order of canaried.body.orders) {
      assert.equal(order.billing_name, `CANARY-billing_name-${order.order_id}`);
      assert.equal(order.member_email, `CANARY-member_email-${order.order_id}`);
      assert.equal(order.buyer.cellphone, `CANARY-buyer.cellphone-${order.order_id}`);
      assert.equal(order.receivers[0].address_full, `CANARY-receivers.address_full-${order.order_id}`);
      for (const kind of ['return', 'cancellation', 'exchange']) assert.match(order[kind][0].refund_reason, new RegExp(`^CANARY-${kind}\\.refund_reason-`));
      assert.match(order.exchange[0].additional_payment.bank_accout_no, /^CANARY-/);
      assert.match(order.additional_order_info_list[0].value, /^CANARY-/);
      for (const item of order.items) {
        assert.equal(item.refund_bank_account_holder, `CANARY-refund_bank_account_holder-${item.order_item_code}`);
        assert.match(item.additional_option_values[0].value, /^CANARY-/);
      }
    }
    t.sim.faults.set(t.mallId, { canaries: false });
    assert.equal((await t.get(path)).text, before.text, 'off again: the realistic payload, not a cached canary one');
  });

  it('gives the same payloads for the same seed and different ones for another seed', async () => {
    const fetchPage = async (seed: number) => {
      const sim = await startTestSim({ seed, clock: createManualClock() });
      try {
        return JSON.stringify((await sim.get(`/orders?${WINDOW}&limit=20&embed=items,buyer`)).body.orders);
      } finally {
        await sim.close();
      }
    };
    const [a, b, c] = [await fetchPage(11), await fetchPage(11), await fetchPage(12)];
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('moves orders through their statuses as simulated time passes, with the item dates following', async () => {
    t = await startTestSim();
    const today = '/orders?start_date=2026-11-30&end_date=2026-11-30&embed=items';
    const before = await t.get(today);
    assert.equal(before.status, 200, before.text);
    const placedToday = before.body.orders as Array<Record<string, any>>;
    assert.ok(placedToday.length > 0, 'orders were placed earlier today');
    const truthBefore = t.sim.expectedOrders(t.mallId, { since: '2026-11-30T00:00:00+09:00' });

    t.clock.advance(10 * DAY);
    await t.renewTokens();
    const after = await t.get(today);
    const byId = new Map((after.body.orders as Array<Record<string, any>>).map((o) => [o.order_id, o]));
    for (const order of placedToday) {
      const later = byId.get(order.order_id);
      assert.ok(later, `${order.order_id} still listed`);
      const status = (o: Record<string, any>) => o.items[0].order_status as string;
      assert.notEqual(status(later), status(order), `${order.order_id} moved on from ${status(order)}`);
    }
    assert.ok((after.body.orders as Array<Record<string, any>>).some((o) => o.items[0].shipped_date !== null));
    const truthAfter = t.sim.expectedOrders(t.mallId, { since: '2026-11-30T00:00:00+09:00', until: '2026-12-01T00:00:00+09:00' });
    const changed = truthAfter.filter((o) => o.lastChangedAtMs > (truthBefore.find((b) => b.orderId === o.orderId)?.lastChangedAtMs ?? Infinity));
    assert.equal(changed.length, placedToday.length, 'ground truth records every change');
  });

  it('serves prerendered orders byte for byte as it builds them on demand, and renders afresh an order that moved on', async () => {
    const onDemand = await startTestSim({ clock: createManualClock() });
    const prerendered = await startTestSim({ clock: createManualClock(), orderJsonCacheBytes: 64 * 2 ** 20 });
    try {
      const done = prerendered.sim.prerenderOrders(prerendered.mallId, { embed: ['items'] });
      assert.equal(done.orders, 400, 'every order of the mall');
      assert.ok(done.bytes > 400 * 1_000);
      const page = `/orders?${WINDOW}&limit=1000&embed=items`;
      const texts = async (): Promise<[string, string]> => [(await onDemand.get(page)).text, (await prerendered.get(page)).text];
      const [a, b] = await texts();
      assert.ok(a.length > 100_000);
      assert.equal(b, a);
      for (const t of [onDemand, prerendered]) {
        t.clock.advance(10 * DAY);
        await t.renewTokens();
      }
      const [later, laterPrerendered] = await texts();
      assert.notEqual(later, a, 'orders moved through their statuses');
      assert.equal(laterPrerendered, later);
    } finally {
      await onDemand.close();
      await prerendered.close();
    }
  });

  it('keeps taking new orders after the data anchor, at the history rate', async () => {
    t = await startTestSim();
    const count = async () => (await t.get('/orders/count?start_date=2026-11-30&end_date=2026-12-31')).body.count as number;
    const now = await count();
    t.clock.advance(5 * DAY);
    await t.renewTokens();
    const later = await count();
    // 400 orders over 120 days is 3.3 a day.
    assert.ok(later - now >= 8 && later - now <= 25, `5 days brought ${later - now} new orders`);
    assert.equal(later, t.sim.expectedCounts(t.mallId, { since: '2026-11-30T00:00:00+09:00' }).orders);
  });

  it('filters by date_type, order_status and shop_no consistently with the count', async () => {
    t = await startTestSim({ shops: [{ mallId: 'testmall', products: 30, orders: 600, historyDays: 120, shopCount: 2 }] });
    const paid = await t.get(`/orders?${WINDOW}&date_type=pay_date&limit=1000&embed=items`);
    for (const order of paid.body.orders) {
      assert.ok(order.payment_date >= '2026-09-01' && order.payment_date < '2026-11-30', order.payment_date);
    }
    const cancelled = await t.get(`/orders?${WINDOW}&order_status=C40,C47,C48&limit=1000&embed=items`);
    assert.ok(cancelled.body.orders.length > 0);
    for (const order of cancelled.body.orders) {
      assert.ok(order.items.some((i: { order_status: string }) => ['C40', 'C47', 'C48'].includes(i.order_status)));
      assert.ok(['T', 'M'].includes(order.canceled));
    }
    const cancelledCount = await t.get(`/orders/count?${WINDOW}&order_status=C40,C47,C48`);
    assert.equal(cancelledCount.body.count, cancelled.body.orders.length);

    const foreign = await t.get(`/orders?${WINDOW}&shop_no=2&limit=1000`);
    assert.ok(foreign.body.orders.length > 0);
    assert.ok(foreign.body.orders.every((o: { shop_no: number; currency: string }) => o.shop_no === 2 && o.currency === 'USD'));
    const total = t.sim.expectedCounts(t.mallId, { since: '2026-09-01T00:00:00+09:00', until: '2026-11-30T00:00:00+09:00' }).orders;
    const perShop = (await t.get(`/orders/count?${WINDOW}`)).body.count + foreign.body.orders.length;
    assert.equal(perShop, total);
  });
});
