import assert from 'node:assert/strict';
import { startTestSim, type TestSim } from './helpers.js';

const DAY = 86_400_000;

describe('cafe24 simulator products and categories API', () => {
  let t: TestSim;
  before(async () => { t = await startTestSim({ shops: [{ mallId: 'testmall', products: 250, orders: 50 }] }); });
  after(() => t.close());

  it('caps limit at 100 and offset at 5000 with a 422', async () => {
    for (const [path, parameter] of [['/products?limit=101', 'limit'], ['/products?offset=5001', 'offset'], ['/categories?limit=101', 'limit'], ['/categories?offset=8001', 'offset']]) {
      const reply = await t.get(path as string);
      assert.equal(reply.status, 422, path);
      assert.match(reply.body.error.message, new RegExp(`parameter\\.${parameter}`));
    }
  });

  it('pages the whole catalog with since_product_no, each product once, in ascending order', async () => {
    const seen: number[] = [];
    let since = 0;
    for (;;) {
      const page = await t.get(`/products?since_product_no=${since}&limit=100`);
      assert.equal(page.status, 200);
      const numbers = page.body.products.map((p: { product_no: number }) => p.product_no);
      seen.push(...numbers);
      if (numbers.length < 100) break;
      since = numbers[numbers.length - 1];
    }
    assert.equal(seen.length, 250);
    assert.equal(new Set(seen).size, 250);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    assert.equal((await t.get('/products/count')).body.count, t.sim.expectedCounts(t.mallId).products);
    assert.ok(seen.some((n, i) => i > 0 && n - (seen[i - 1] as number) > 1), 'product numbers have gaps, like real ones');
  });

  it('refuses since_product_no combined with offset, sort, order or product_no', async () => {
    for (const extra of ['offset=0', 'sort=created_date', 'order=desc', 'product_no=11']) {
      const reply = await t.get(`/products?since_product_no=10&${extra}`);
      assert.equal(reply.status, 422, extra);
    }
  });

  it('sends products with decimal-string prices, KST dates and embedded variants', async () => {
    const reply = await t.get('/products?limit=5&embed=variants');
    for (const product of reply.body.products) {
      assert.match(product.product_code, /^P[0-9A-Z]{7}$/);
      assert.match(product.price, /^\d+\.\d{2}$/);
      assert.match(product.created_date, /\+09:00$/);
      assert.ok(['T', 'F'].includes(product.display));
      assert.ok(product.variants.length >= 1);
      assert.equal(typeof product.variants[0].quantity, 'number');
    }
    const detail = await t.get(`/products/${reply.body.products[0].product_no}`);
    assert.ok(Array.isArray(detail.body.product.category));
    assert.equal((await t.get('/products/999999')).status, 404);
  });

  it('moves updated_date as products get edited over simulated time, and filters on it', async () => {
    const before = await t.get('/products?limit=100');
    t.clock.advance(61 * DAY);
    await t.renewTokens();
    const after = await t.get('/products?limit=100');
    const changed = after.body.products.filter((p: { updated_date: string }, i: number) => p.updated_date !== before.body.products[i].updated_date);
    assert.ok(changed.length > 0, 'every product is edited at least every 60 days');
    const since = await t.get('/products?updated_start_date=2027-01-01&updated_end_date=2027-01-30&limit=100');
    assert.equal(since.status, 200);
    for (const product of since.body.products) assert.ok(product.updated_date >= '2027-01-01', product.updated_date);
  });

  it('lists categories with the top level under parent 1 and depth-keyed full paths', async () => {
    const top = await t.get('/categories?parent_category_no=1&limit=100');
    assert.ok(top.body.categories.length > 0);
    for (const category of top.body.categories) {
      assert.equal(category.category_depth, 1);
      assert.equal(category.full_category_no['1'], String(category.category_no));
      assert.equal(category.full_category_no['2'], null);
    }
    const all = await t.get('/categories?limit=100');
    assert.equal(all.body.categories.length, (await t.get('/categories/count')).body.count);
    assert.equal(all.body.categories.length, t.sim.expectedCounts(t.mallId).categories);
  });
});
