import assert from 'node:assert/strict';
import type { AblySimulator } from '../../../simulators/ably/index.js';
import { call, ORDER_RANGE, startTestSim } from './helpers.js';

describe('ably simulator: API shapes, paging and validation', () => {
  let sim: AblySimulator;
  let token: string;
  let sellerId: string;
  beforeEach(async () => {
    sim = await startTestSim();
    sellerId = sim.sellers[0]!.sellerId;
    token = sim.tokenFor(sellerId);
  });
  afterEach(() => sim.stop());

  it('pages order items with per_page/total_count/current_page/max_page_number and repeats the last page past the end', async () => {
    const first = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=100&page=1`, { token });
    assert.equal(first.status, 200);
    const { per_page, total_count, current_page, max_page_number, order_items } = first.body;
    assert.deepEqual([per_page, current_page], [100, 1]);
    assert.equal(max_page_number, Math.ceil(total_count / 100));
    assert.ok(max_page_number >= 3, `enough data to page (${total_count})`);
    assert.equal(order_items.length, 100);
    const last = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=100&page=${max_page_number}`, { token });
    const past = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=100&page=${max_page_number + 5}`, { token });
    assert.equal(past.body.current_page, max_page_number + 5);
    assert.deepEqual(past.body.order_items, last.body.order_items);
    assert.equal(last.body.order_items.length, total_count - 100 * (max_page_number - 1));
  });

  it('carries the a.3 order-item fields with KST "YYYY-MM-DD HH:MM:SS" stamps and buyer personal data', async () => {
    const reply = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=5`, { token });
    const item = reply.body.order_items[0];
    for (const field of ['sno', 'order_sno', 'ea', 'price', 'status', 'processing_sub_status', 'ordered_at', 'checked_at', 'goods_sno',
      'goods_name', 'option_info', 'buyer_name', 'buyer_tel', 'buyer_email', 'receiver_name', 'receiver_tel', 'receiver_addr',
      'receiver_postcode', 'memo', 'exact_amount', 'delivery_type', 'delivery_expected_info']) {
      assert.ok(field in item, `order item has ${field}`);
    }
    assert.match(item.ordered_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.match(item.buyer_tel, /^010-\d{4}-\d{4}$/);
    assert.match(item.buyer_name, /^[가-힣]{2,4}$/);
    const times = reply.body.order_items.map((i: any) => i.ordered_at);
    assert.deepEqual(times, [...times].sort().reverse(), 'default order is -ordered_at');
  });

  it('clamps per_page to 1000', async () => {
    const reply = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=5000`, { token });
    assert.equal(reply.body.per_page, 1000);
    assert.equal(reply.body.order_items.length, Math.min(1000, reply.body.total_count));
  });

  it('refuses an order window over 92 days with 400 "조회 기간은 최대 3개월입니다", and malformed dates', async () => {
    const long = await call(sim, '/seller/order_items/?start_date=2026-08-01+00:00:00&end_date=2026-11-30+00:00:00', { token });
    assert.equal(long.status, 400);
    assert.deepEqual(long.body, { message: '조회 기간은 최대 3개월입니다' });
    const ok = await call(sim, '/seller/order_items/?start_date=2026-08-30+00:00:00&end_date=2026-11-30+00:00:00&per_page=1', { token });
    assert.equal(ok.status, 200);
    assert.equal((await call(sim, '/seller/order_items/?start_date=2026-11-01&end_date=2026-11-30', { token })).status, 400);
    assert.equal((await call(sim, `/seller/order_items/?${ORDER_RANGE}&date_type=updated_at`, { token })).status, 400);
    const stats = await call(sim, '/seller/business-insight/market-performance/option-stats-options/?goods_sno=100001&start_date=2026-10-01&end_date=2026-11-01', { token });
    assert.equal(stats.status, 400);
    assert.equal(stats.body.message, '조회 기간은 최대 31일입니다');
  });

  it('ignores the goods search keyword and serves the whole catalog page by page', async () => {
    const all = await call(sim, '/seller/goods/search/', { method: 'POST', token, body: { page: 1, per_page: 5 } });
    const filtered = await call(sim, '/seller/goods/search/', { method: 'POST', token, body: { page: 1, per_page: 5, keyword: '존재하지않는상품' } });
    assert.equal(all.status, 200);
    assert.deepEqual(filtered.body, all.body);
    assert.equal(all.body.total_count, sim.truth(sellerId).goods);
    assert.equal(all.body.max_page_number, Math.ceil(all.body.total_count / 5));
    assert.ok(all.body.goods[0].options.length > 0 && 'option_values' in all.body.goods[0].options[0]);
  });

  it('serves one option-stats row per option per day', async () => {
    const goods = (await call(sim, '/seller/goods/search/', { method: 'POST', token, body: { page: 1, per_page: 1 } })).body.goods[0];
    const reply = await call(sim, `/seller/business-insight/market-performance/option-stats-options/?goods_sno=${goods.sno}&start_date=2026-11-24&end_date=2026-11-30&per_page=1000`, { token });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.options.length, 7 * goods.options.length);
    const keys = new Set(reply.body.options.map((r: any) => `${r.date}/${r.goods_option_sno}`));
    assert.equal(keys.size, reply.body.options.length);
    assert.deepEqual(Object.keys(reply.body.options[0]).sort(),
      ['cart_count', 'date', 'goods_option_sno', 'goods_sno', 'like_count', 'order_count', 'sales_amount', 'sold_quantity', 'view_count']);
  });

  it('lists cancels and returns with buyer_tel/receiver_name, and reviews with their author', async () => {
    for (const type of ['cancel', 'return']) {
      const reply = await call(sim, `/seller/order_cancels/?cancel_type=${type}&date_type=cancel_received_at&${ORDER_RANGE}`, { token });
      assert.equal(reply.status, 200);
      assert.ok(reply.body.total_count > 0);
      const claim = reply.body.order_cancels[0];
      assert.equal(claim.cancel_type, type);
      assert.ok(claim.buyer_tel && claim.receiver_name && claim.order_items[0].cancel_reason);
    }
    assert.equal((await call(sim, `/seller/order_cancels/?${ORDER_RANGE}`, { token })).status, 400);
    const reviews = await call(sim, '/seller/reviews?page=1&per_page=10&order_by=LATEST', { token });
    assert.equal(reviews.body.total_count, sim.truth(sellerId).reviews);
    assert.ok(reviews.body.reviews[0].member.name);
  });

  it('answers 502 for per_page > 500 under the heavy-page knob, and 200 {"success":false} under error-in-200', async () => {
    sim.setKnobs({ heavyPage502: true }, sellerId);
    const heavy = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=501`, { token });
    assert.equal(heavy.status, 502);
    assert.match(heavy.text, /502 Bad Gateway/);
    assert.equal((await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=500`, { token })).status, 200);
    sim.setKnobs({ errorIn200Rate: 1 }, sellerId);
    const inBody = await call(sim, `/seller/order_items/?${ORDER_RANGE}`, { token });
    assert.equal(inBody.status, 200);
    assert.equal(inBody.body.success, false);
    assert.ok(inBody.body.message);
    assert.equal(sim.stats(sellerId).injected.errorIn200, 1);
  });

  it('puts a canary in every personal field of order items, cancels and reviews under the canary knob', async () => {
    sim.setKnobs({ canaries: true }, sellerId);
    const item = (await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=1`, { token })).body.order_items[0];
    for (const field of ['buyer_name', 'buyer_tel', 'buyer_email', 'receiver_name', 'receiver_tel', 'receiver_addr', 'receiver_postcode', 'memo', 'invoice']) {
      assert.equal(item[field], `CANARY-${field}-${item.sno}`);
    }
    const claim = (await call(sim, `/seller/order_cancels/?cancel_type=return&date_type=cancel_received_at&${ORDER_RANGE}`, { token })).body.order_cancels[0];
    assert.equal(claim.member.name, `CANARY-member.name-${claim.sno}`);
    for (const field of ['invoice', 'buyer_tel', 'receiver_tel', 'user_comment']) assert.equal(claim.order_items[0][field], `CANARY-order_items.${field}-${claim.sno}`);
    const review = (await call(sim, '/seller/reviews?page=1&per_page=1&order_by=LATEST', { token })).body.reviews[0];
    assert.deepEqual([review.member.name, review.height], [`CANARY-member.name-${review.sno}`, `CANARY-height-${review.sno}`]);
    sim.setKnobs({ canaries: false }, sellerId);
    assert.equal((await call(sim, `/seller/order_items/?${ORDER_RANGE}`, { token })).text.includes('CANARY'), false);
  });

  it('renames or drops one field per entity under the schema-drift knob', async () => {
    sim.setKnobs({ schemaDrift: 'rename' }, sellerId);
    const renamed = (await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=1`, { token })).body.order_items[0];
    assert.ok(!('ordered_at' in renamed) && 'order_date' in renamed);
    sim.setKnobs({ schemaDrift: 'missing' }, sellerId);
    const goods = (await call(sim, '/seller/goods/search/', { method: 'POST', token, body: { page: 1, per_page: 1 } })).body.goods[0];
    assert.ok(!('name' in goods) && !('goods_name' in goods));
  });
});
