/** The browser pool with real Chromium: a browser killed with SIGKILL mid-page fails that page retriably, the next page gets a fresh browser, and no zombie or leftover Chromium process remains. */
import assert from 'node:assert/strict';
import { createBrowserPool, type BrowserPool } from '../../../consumers/ably/browser-pool.js';
import { TransientSourceError } from '../../../lib/errors.js';
import { liveInGroup, zombiesOf } from '../../../lib/testing/processes.js';
import { waitFor } from '../../../lib/wait-for.js';

describe('ably browser pool (real Chromium)', function () {
  this.timeout(60_000);
  let pool: BrowserPool;
  afterEach(async () => pool?.destroy());

  it('survives kill -9 of the browser mid-page: the page fails retriably, the next one relaunches, no zombie', async () => {
    pool = createBrowserPool({ maxOpenPages: 2, pageTimeoutMs: 20_000 });
    const signal = new AbortController().signal;
    assert.equal(await pool.withPage(async (page) => page.evaluate(() => 1 + 1), signal), 2);
    const pid = pool.currentPid() as number;
    assert.ok(pid > 0);
    const killed = pool.withPage(async (page) => {
      process.kill(pid, 'SIGKILL');
      await page.waitForFunction(() => false, { timeout: 15_000 });
    }, signal);
    await assert.rejects(killed, (error: unknown) => error instanceof TransientSourceError);
    assert.equal(pool.stats.crashes, 1);
    assert.equal(await pool.withPage(async (page) => page.evaluate(() => 'again'), signal), 'again');
    assert.equal(pool.stats.launches, 2);
    assert.notEqual(pool.currentPid(), pid);
    await waitFor(() => liveInGroup(pid).length === 0 && zombiesOf(process.pid).length === 0, { deadlineMs: 10_000, description: 'the killed browser group gone, no zombie' });
    const second = pool.currentPid() as number;
    await pool.destroy();
    await waitFor(() => liveInGroup(second).length === 0 && zombiesOf(process.pid).length === 0, { deadlineMs: 10_000, description: 'nothing left after destroy' });
    assert.equal(pool.stats.openPages, 0);
  });

  it('retires a browser after N pages and closes it once drained', async () => {
    pool = createBrowserPool({ maxOpenPages: 2, retireAfterPages: 2 });
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) await pool.withPage(async (page) => page.evaluate(() => true), signal);
    assert.equal(pool.stats.launches, 2);
    assert.equal(pool.stats.retired, 1);
    assert.equal(pool.stats.crashes, 0);
  });

  it('closes a browser left idle for idleCloseMs, and launches again for the next page', async () => {
    pool = createBrowserPool({ maxOpenPages: 2, idleCloseMs: 300 });
    const signal = new AbortController().signal;
    await pool.withPage(async (page) => page.evaluate(() => true), signal);
    const pid = pool.currentPid() as number;
    assert.ok(liveInGroup(pid).length > 0, 'the browser outlives its page for a while');
    await waitFor(() => liveInGroup(pid).length === 0, { deadlineMs: 15_000, description: 'the idle browser closed' });
    assert.equal(pool.currentPid(), undefined);
    assert.deepEqual({ retired: pool.stats.retired, crashes: pool.stats.crashes }, { retired: 1, crashes: 0 });
    assert.equal(await pool.withPage(async (page) => page.evaluate(() => 'again'), signal), 'again');
    assert.equal(pool.stats.launches, 2);
  });

  it('keeps a browser whose next page opens in time, for as long as that page lasts', async () => {
    pool = createBrowserPool({ maxOpenPages: 2, idleCloseMs: 300 });
    const signal = new AbortController().signal;
    await pool.withPage(async (page) => page.evaluate(() => true), signal);
    const pid = pool.currentPid() as number;
    await pool.withPage(async (page) => {
      // The page stays open well past idleCloseMs after the first one closed.
      const until = (await page.evaluate(() => performance.now())) + 1_500;
      await page.waitForFunction((t: number) => performance.now() > t, { timeout: 10_000 }, until);
      assert.ok(liveInGroup(pid).length > 0, 'the browser stayed while its page was open');
    }, signal);
    assert.deepEqual({ launches: pool.stats.launches, retired: pool.stats.retired, pid: pool.currentPid() }, { launches: 1, retired: 0, pid });
  });
});
