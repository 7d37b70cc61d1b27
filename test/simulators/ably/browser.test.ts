/**
 * The SPA in a real Chromium (Debian's, through lib/browser/executable.ts; puppeteer never downloads one):
 * a challenge seller logs in through the page, which runs the challenge script; the cookie carries a working
 * token. The same form POSTed without the page's script gets no cookie, and the API refuses the bare login.
 */
import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer';
import { defaultBrowserArgs, resolveBrowserExecutable } from '../../../lib/browser/executable.js';
import type { AblySimulator } from '../../../simulators/ably/index.js';
import { call, login, ORDER_RANGE, readReply, startTestSim } from './helpers.js';

describe('ably simulator: the seller web app in Chromium', function () {
  this.timeout(120_000);
  let sim: AblySimulator;
  let browser: Browser | undefined;
  before(async () => {
    const executable = await resolveBrowserExecutable();
    browser = await puppeteer.launch({ executablePath: executable.path, headless: true, args: defaultBrowserArgs() });
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(() => sim?.stop());

  it('logs a challenge seller in through the login page; the cookie holds a token the API accepts', async () => {
    sim = await startTestSim();
    const seller = sim.sellers.find((s) => s.loginMode === 'challenge')!;
    const context = await (browser as Browser).createBrowserContext();
    try {
      const page = await context.newPage();
      await page.goto(`${sim.webUrl}/login?redirect=%2Fdashboard`, { waitUntil: 'domcontentloaded' });
      await page.type('input[name="email"]', seller.email);
      await page.type('input[name="password"]', seller.password);
      const button = await page.waitForSelector('button.el-button');
      assert.equal((await button!.evaluate((b) => b.textContent))?.trim(), '로그인');
      await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), button!.click()]);
      assert.equal(new URL(page.url()).pathname, '/dashboard');
      await page.waitForSelector('.el-dialog__footer .el-button');
      const cookie = (await context.cookies()).find((c) => c.name === 'ably-seller-admin-jwt-token');
      assert.ok(cookie, 'session cookie set');
      assert.equal(cookie.httpOnly, false);
      const reply = await call(sim, `/seller/order_items/?${ORDER_RANGE}&per_page=1`, { token: cookie.value });
      assert.equal(reply.status, 200);
      assert.equal(sim.stats(seller.sellerId).login.challengeLogins, 1);

      await page.goto(`${sim.webUrl}/sales/order?per_page=30`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.el-table__fixed-body-wrapper tr.el-table__row');
      const [fixed, body] = await page.evaluate((): Array<Array<string | null | undefined>> => [
        [...document.querySelectorAll('.el-table__fixed-body-wrapper tr')].map((tr) => tr.querySelector('td')?.textContent),
        [...document.querySelectorAll('.el-table__body-wrapper tr')].map((tr) => tr.querySelector('td')?.textContent),
      ]);
      assert.equal(fixed?.length, 30);
      assert.deepEqual(fixed, body, 'the fixed and the body table pair by row index');
    } finally {
      await context.close();
    }
  });

  it('sends a page to /login?redirect=<path> when the token has expired', async () => {
    sim = await startTestSim({ knobs: { tokenTtlMs: 60_000 } });
    const seller = sim.sellers[0]!;
    const context = await (browser as Browser).createBrowserContext();
    try {
      await context.setCookie({ name: 'ably-seller-admin-jwt-token', value: sim.tokenFor(seller.sellerId), domain: '127.0.0.1', path: '/' });
      sim.advance(61_000);
      const page = await context.newPage();
      await page.goto(`${sim.webUrl}/goods/list`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => location.pathname === '/login');
      assert.equal(new URL(page.url()).searchParams.get('redirect'), '/goods/list');
    } finally {
      await context.close();
    }
  });

  it('gives no session to the same form POSTed without running the page script', async () => {
    sim = await startTestSim();
    const seller = sim.sellers.find((s) => s.loginMode === 'challenge')!;
    const form = new URLSearchParams({ email: seller.email, password: seller.password });
    const posted = await readReply(await fetch(`${sim.webUrl}/login?redirect=%2Fdashboard`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual',
    }));
    assert.equal(posted.status, 200);
    assert.equal(posted.headers.get('set-cookie'), null);
    assert.match(posted.text, /보안 확인이 필요합니다/);
    assert.equal((await login(sim, seller.email, seller.password)).status, 403);
    assert.equal(sim.stats(seller.sellerId).login.logins, 0);
  });
});
