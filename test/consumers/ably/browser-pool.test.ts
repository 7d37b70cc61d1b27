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
});
