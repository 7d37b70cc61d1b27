import assert from 'node:assert/strict';
import type { AblySimulator } from '../../../simulators/ably/index.js';
import { call, ORDER_RANGE, startTestSim } from './helpers.js';

async function allOrderItems(sim: AblySimulator, token: string, range = ORDER_RANGE): Promise<any[]> {
  const items: any[] = [];
  for (let page = 1; ; page++) {
    const reply = await call(sim, `/seller/order_items/?${range}&date_type=ordered_at&order=ordered_at&per_page=500&page=${page}`, { token });
    assert.equal(reply.status, 200);
    items.push(...reply.body.order_items);
    if (page >= reply.body.max_page_number) return items;
  }
}

describe('ably simulator: data over simulated time', () => {
  const sims: AblySimulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    sims.length = 0;
  });
  const start = async (seed: number) => {
    const sim = await startTestSim({ seed });
    sims.push(sim);
    return sim;
  };

  it('generates the same accounts and payloads for the same seed, and different ones for another seed', async () => {
    const [a, b, c] = [await start(11), await start(11), await start(12)];
    assert.deepEqual(a.sellers, b.sellers);
    assert.notDeepEqual(a.sellers.map((s) => s.password), c.sellers.map((s) => s.password));
    const id = a.sellers[0]!.sellerId;
    const path = `/seller/order_items/?${ORDER_RANGE}&per_page=50`;
    const [ra, rb, rc] = await Promise.all([a, b, c].map((sim) => call(sim, path, { token: sim.tokenFor(id) })));
    assert.equal(ra!.text, rb!.text);
    assert.notEqual(ra!.text, rc!.text);
  });

  it('moves recent items on (PAID → … → CONFIRMED) as the clock advances, and new orders arrive', async () => {
    const sim = await start(7);
    const { sellerId } = sim.sellers[0]!;
    const before = sim.truth(sellerId);
    const recent = before.items.filter((i) => i.status === 'PAID');
    assert.ok(recent.length > 0);
    const order = ['PAID', 'PREPARING', 'SHIPPING', 'DELIVERED', 'EXCHANGED', 'CONFIRMED'];
    sim.advance(20 * 86_400_000);
    const after = sim.truth(sellerId);
    const bySno = new Map(after.items.map((i) => [i.sno, i]));
    let moved = 0;
    for (const item of recent) {
      const now = bySno.get(item.sno)!;
      if (now.status !== item.status) moved += 1;
      if (order.includes(now.status)) assert.ok(order.indexOf(now.status) >= order.indexOf(item.status), `${item.sno} went backwards`);
    }
    assert.equal(moved, recent.length, 'every paid item has moved on within 20 days');
    assert.ok(after.orderItems > before.orderItems, 'orders keep arriving');
    const token = sim.tokenFor(sellerId);
    const sno = recent[0]!.sno;
    const detail = await call(sim, `/seller/order_items/${sno}/`, { token });
    assert.equal(detail.body.order_item.status, bySno.get(sno)!.status);
  });

  it('agrees with truth(): a full sync through the API finds exactly the counted items, amounts and claims', async () => {
    const sim = await start(7);
    const { sellerId } = sim.sellers[1]!;
    const token = sim.tokenFor(sellerId);
    const since = '2026-09-01T00:00:00+09:00';
    const until = '2026-11-30T23:59:59+09:00';
    const truth = sim.truth(sellerId, { since, until });
    const items = await allOrderItems(sim, token);
    assert.equal(items.length, truth.orderItems);
    assert.equal(new Set(items.map((i) => i.sno)).size, truth.orderItems);
    assert.equal(items.reduce((s, i) => s + i.exact_amount, 0), truth.orderItemAmount);
    const cancels = await call(sim, `/seller/order_cancels/?cancel_type=cancel&${ORDER_RANGE}&per_page=1000`, { token });
    assert.equal(cancels.body.total_count, truth.cancels);
    const histories = (await call(sim, '/seller/balance_accounts/histories/?start_date=2026-01&end_date=2026-12', { token })).body.balance_accounts_histories;
    assert.equal(histories.length, truth.settlements);
    assert.equal(histories.reduce((s: number, h: any) => s + h.settlement_amount, 0), truth.settlementAmount);
  });

  it('downloads a settlement as UTF-8 CSV with a BOM, 13+ columns, column 6 the product-order number', async () => {
    const sim = await start(7);
    const { sellerId } = sim.sellers[0]!;
    const token = sim.tokenFor(sellerId);
    const [history] = (await call(sim, '/seller/balance_accounts/histories/', { token })).body.balance_accounts_histories;
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${sim.apiUrl}/seller/balance_accounts/histories/${history.sno}/download/`, {
        method, headers: { Origin: sim.webUrl, Authorization: `JWT ${token}` },
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/csv; charset=utf-8/);
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const rows = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n').map((line) => line.split(','));
      assert.ok(rows[0]!.length >= 13);
      assert.equal(rows[0]![5], '상품주문번호');
      assert.equal(rows.length - 1, history.order_count);
      const itemSnos = rows.slice(1).map((r) => Number(r[5]));
      const detail = await call(sim, `/seller/order_items/${itemSnos[0]}/`, { token });
      assert.ok(detail.body.order_item.purchase_confirmed_at.startsWith(history.period_start.slice(0, 7)));
      assert.equal(rows.slice(1).reduce((s, r) => s + Number(r[11]), 0), history.settlement_amount);
    }
  });
});
