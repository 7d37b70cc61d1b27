/**
 * The Ably benchmark's baseline process: the old system's way. Sellers in fixed batches of 20, each batch waiting
 * for its slowest seller; per seller a fresh Chromium, a login through the SPA's form (its script passes the login
 * challenge), then the data read from the rendered pages, page by page through the SPA's tables: orders, cancels
 * and returns, products, each product's daily option stats, settlements, reviews. Fetch only: what it read is
 * counted, not stored (the most favourable reading of the old system, whose database writes locked rows).
 */
import puppeteer, { type Page } from 'puppeteer';
import { defaultBrowserArgs, resolveBrowserExecutable } from '../lib/browser/executable.js';
import { serve } from './cafe24-ipc.js';

export interface AblyBaselineRun {
  webUrl: string;
  sellers: { sellerId: string; email: string; password: string }[];
  batchSize: number;
  /** Batches to run (the rest are extrapolated by the caller). */
  batches: number;
  /** KST `YYYY-MM-DD HH:MM:SS` range of orders and claims, and `YYYY-MM-DD` range of the stats. */
  from: string;
  to: string;
  statsFrom: string;
  statsTo: string;
}

export interface AblyBaselineResult {
  batchMs: number[];
  sellers: number;
  records: Record<string, number>;
  launches: number;
  logins: number;
  navigations: number;
  failed: string[];
}

const PER_PAGE = 100;

/**
 * Rows of the page's table(s) as cell texts; the two tables of the order page pair by row index. A string, so
 * the bundler's helpers never reach the page.
 */
const READ_TABLE = `(() => {
  const read = (selector) => [...document.querySelectorAll(selector + ' tr.el-table__row')].map((tr) => [...tr.querySelectorAll('td .cell')].map((c) => c.textContent || ''));
  const body = read('.el-table__body-wrapper');
  const fixed = read('.el-table__fixed-body-wrapper');
  return { rows: body.map((cells, i) => [...(fixed[i] || []), ...cells]), maxPage: Number(document.querySelector('.el-pagination .max-page')?.textContent || 1) };
})()`;

async function readTable(page: Page): Promise<{ rows: string[][]; maxPage: number }> {
  await page.waitForSelector('.el-pagination, .el-table__empty-text, .downloads', { timeout: 60_000 });
  return page.evaluate(READ_TABLE) as Promise<{ rows: string[][]; maxPage: number }>;
}

async function crawl(webUrl: string, seller: AblyBaselineRun['sellers'][number], o: AblyBaselineRun, counts: AblyBaselineResult): Promise<void> {
  const executable = await resolveBrowserExecutable();
  const browser = await puppeteer.launch({ executablePath: executable.path, headless: true, args: defaultBrowserArgs(), protocolTimeout: 60_000 });
  counts.launches += 1;
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${webUrl}/login?redirect=%2Fdashboard`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('input[name="email"]');
    await page.type('input[name="email"]', seller.email);
    await page.type('input[name="password"]', seller.password);
    await Promise.all([page.waitForFunction("location.pathname === '/dashboard'", { timeout: 60_000 }), page.click('button.el-button')]);
    counts.logins += 1;
    for (const button of await page.$$('.el-dialog__footer .el-button')) await button.click().catch(() => undefined);
    const listing = async (entity: string, path: string, query: Record<string, string>) => {
      for (let n = 1; ; n++) {
        const qs = new URLSearchParams({ ...query, page: String(n), per_page: String(PER_PAGE) });
        await page.goto(`${webUrl}${path}?${qs}`, { waitUntil: 'domcontentloaded' });
        counts.navigations += 1;
        const { rows, maxPage } = await readTable(page);
        counts.records[entity] = (counts.records[entity] ?? 0) + rows.length;
        if (n >= maxPage || rows.length === 0) return rows;
      }
    };
    const range = { start_date: o.from, end_date: o.to };
    await listing('order_items', '/sales/order', range);
    await listing('cancels', '/sales/claims', { ...range, tab: 'cancel' });
    await listing('returns', '/sales/claims', { ...range, tab: 'return' });
    const goods: string[] = [];
    for (let n = 1; ; n++) {
      await page.goto(`${webUrl}/goods/list?${new URLSearchParams({ page: String(n), per_page: String(PER_PAGE) })}`, { waitUntil: 'domcontentloaded' });
      counts.navigations += 1;
      const { rows, maxPage } = await readTable(page);
      goods.push(...rows.map((r) => r[0] ?? ''));
      if (n >= maxPage || rows.length === 0) break;
    }
    counts.records.goods = (counts.records.goods ?? 0) + goods.length;
    for (const sno of goods) await listing('option_stats', '/business-insight/goods', { goods_sno: sno, start_date: o.statsFrom, end_date: o.statsTo });
    await page.goto(`${webUrl}/settlement/history`, { waitUntil: 'domcontentloaded' });
    counts.navigations += 1;
    counts.records.settlements = (counts.records.settlements ?? 0) + (await readTable(page)).rows.length;
    await listing('reviews', '/reviews', {});
  } finally {
    await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
  }
}

const parent = serve({
  async run(o: AblyBaselineRun): Promise<AblyBaselineResult> {
    const result: AblyBaselineResult = { batchMs: [], sellers: 0, records: {}, launches: 0, logins: 0, navigations: 0, failed: [] };
    for (let b = 0; b < o.batches && b * o.batchSize < o.sellers.length; b++) {
      const batch = o.sellers.slice(b * o.batchSize, (b + 1) * o.batchSize);
      const t0 = performance.now();
      await Promise.all(batch.map((seller) => crawl(o.webUrl, seller, o, result).catch((error: unknown) => {
        result.failed.push(`${seller.sellerId}: ${(error as Error).message.slice(0, 160)}`);
      })));
      result.batchMs.push(performance.now() - t0);
      result.sellers += batch.length;
      parent.emit('batch', { batch: b + 1, ms: result.batchMs.at(-1), failed: result.failed.length });
    }
    return result;
  },
});
