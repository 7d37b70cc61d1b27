import assert from 'node:assert/strict';
import { startTestSim, type TestSim } from './helpers.js';

const WINDOW = 'start_date=2026-10-01&end_date=2026-10-31';

describe('cafe24 simulator sales reports', () => {
  let t: TestSim;
  before(async () => { t = await startTestSim({ shops: [{ mallId: 'testmall', products: 30, orders: 900, historyDays: 120 }] }); });
  after(() => t.close());

  it('aggregates hourlysales from the same orders the orders API serves (by payment time)', async () => {
    const hourly = await t.get(`/reports/hourlysales?${WINDOW}&limit=1000`);
    assert.equal(hourly.status, 200);
    const rows = hourly.body.hourlysales as Array<Record<string, any>>;
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.match(row.collection_date, /^2026-10-\d{2}$/);
      assert.match(row.collection_hour, /^\d{2}$/);
      assert.equal(typeof row.order_count, 'number');
      assert.match(row.actual_order_amount, /^\d+\.\d{2}$/);
    }
    const reportedOrders = rows.reduce((sum, row) => sum + row.order_count, 0);
    const paidInOctober = await t.get(`/orders/count?${WINDOW}&date_type=pay_date`);
    assert.equal(reportedOrders, paidInOctober.body.count);
    assert.deepEqual(hourly.body.links, []);
  });

  it('requires the window and refuses salesvolume without product_no or variants_code', async () => {
    assert.equal((await t.get('/reports/hourlysales')).status, 422);
    assert.equal((await t.get(`/reports/salesvolume?${WINDOW}`)).status, 422);
    const products = await t.get('/products?limit=3');
    const numbers = products.body.products.map((p: { product_no: number }) => p.product_no).join(',');
    const volume = await t.get(`/reports/salesvolume?${WINDOW}&product_no=${numbers}`);
    assert.equal(volume.status, 200);
    for (const row of volume.body.salesvolume) {
      assert.equal(row.shop_no, '1', 'this report writes shop_no as a string');
      assert.match(row.settle_count, /^\d+$/);
      assert.ok('exchane_product_count' in row, 'the API misspells this field');
      assert.match(row.updated_date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+09:00$/);
    }
  });

  it('pages productsales with the report caps', async () => {
    assert.equal((await t.get(`/reports/productsales?${WINDOW}&offset=10001`)).status, 422);
    const page = await t.get(`/reports/productsales?${WINDOW}&limit=5`);
    assert.equal(page.body.productsales.length, 5);
    assert.equal(page.body.links[0].rel, 'next');
  });

  it('lags behind real time: a report is as of the start of the current hour', async () => {
    const busy = await startTestSim({ shops: [{ mallId: 'busymall', products: 30, orders: 20_000, historyDays: 120 }], mallId: 'busymall' });
    try {
      busy.clock.advance(50 * 60_000);
      const today = 'start_date=2026-11-30&end_date=2026-11-30';
      const orders = await busy.get(`/orders?${today}&date_type=pay_date&limit=1000`);
      const paid = orders.body.orders.map((o: { payment_date: string }) => o.payment_date) as string[];
      const report = await busy.get(`/reports/hourlysales?${today}`);
      const reported = (report.body.hourlysales as Array<{ order_count: number }>).reduce((sum, r) => sum + r.order_count, 0);
      const beforeTen = paid.filter((p) => p < '2026-11-30T10:00:00+09:00').length;
      // The clock stands at 10:50 KST: orders paid since 10:00 are not in the report yet.
      assert.ok(paid.length > beforeTen, 'some orders were paid between 10:00 and 10:50');
      assert.equal(reported, beforeTen);
    } finally {
      await busy.close();
    }
  });
});
