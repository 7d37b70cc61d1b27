/**
 * `npm run bench -- ably-soak [--json] [--logins N]`: the browser pool held to 1,000 challenge logins in one
 * process (the simulator apart, in bench/ably-sim.ts), to show that it does not grow: RSS (summed over this
 * process and its Chromium tree, and PSS) sampled after every login, the mean of the last 100 against the mean of
 * the first 100 after a warm-up of 100 (target: within 10 %), browser launches (a browser retires after 100
 * pages), and no browser process or zombie left once the pool is destroyed (checked in /proc).
 *
 * Options: --logins N (1000) · --sellers N (50, all challenge sellers, logged in round robin) · --pages N (4 at once)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBrowserLogin } from '../consumers/ably/browser-login.js';
import { createBrowserPool } from '../consumers/ably/browser-pool.js';
import { startChild } from './cafe24-ipc.js';
import type { AblySimInfo } from './ably-sim.js';
import { isBrowser, processTree, sampleTree } from './proc-tree.js';
import type { BenchArgs, BenchResult } from './run.js';
import { waitFor } from '../lib/wait-for.js';

const option = (argv: string[], name: string, fallback: number) => {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0`);
  return value;
};
const mean = (xs: number[]) => xs.reduce((n, x) => n + x, 0) / Math.max(1, xs.length);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  if (argv.includes('--help')) {
    log('npm run bench -- ably-soak [--json] [--logins N (1000)] [--sellers N (50)] [--pages N (4)]');
    process.exit(0);
  }
  const logins = option(argv, '--logins', 1000);
  const sellers = option(argv, '--sellers', 50);
  const pages = option(argv, '--pages', 4);
  const warmup = Math.min(100, Math.floor(logins / 10));
  const window = Math.min(100, Math.floor(logins / 10));
  const sim = startChild('ably-sim.ts');
  try {
    const info = await sim.call<AblySimInfo>('start', { sellers, seed: 7, challengeShare: 1, latencyMs: 0, goods: 1, ordersPerDay: 1, historyDays: 1 });
    const pool = createBrowserPool({ maxOpenPages: pages, retireAfterPages: 100 });
    const login = createBrowserLogin({ pool, webUrl: info.webUrl, evidenceDir: join(tmpdir(), 'ably-soak-evidence') });
    const sampler = sampleTree(process.pid, [sim.process.pid!], 500);
    const rssAfter: number[] = [];
    let done = 0, failed = 0, next = 0;
    const signal = new AbortController().signal;
    log(`ably soak: ${logins} browser logins of ${sellers} challenge sellers, ${pages} pages at once, a browser retired after 100 pages`);
    const t0 = performance.now();
    const sampleOnce = () => {
      const tree = processTree(process.pid, [sim.process.pid!]);
      rssAfter.push(tree.reduce((n, p) => n + p.rssKb, 0) / 1024);
    };
    const workers = Promise.all(Array.from({ length: pages }, async () => {
      while (next < logins) {
        const i = next++;
        const account = info.accounts[i % info.accounts.length]!;
        try {
          const { token } = await login({ tenantId: `t-${account.sellerId}`, email: account.email, password: account.password, signal });
          if (!token) failed++;
        } catch (error) {
          failed++;
          if (failed <= 3) log(`  login ${i} failed: ${(error as Error).message.slice(0, 160)}`);
        }
        done++;
        // A soak of failing logins measures nothing: stop once the warm-up shows most of them fail.
        if (done === warmup && failed > warmup / 2) throw new Error(`${failed} of the first ${warmup} logins failed; the soak stops`);
        sampleOnce();
        if (done % 100 === 0) log(`  ${done} logins, ${((performance.now() - t0) / 1000).toFixed(0)} s, tree RSS ${Math.round(rssAfter.at(-1)!)} MB, launches ${pool.stats.launches}`);
      }
    }));
    await workers.catch(async (error: unknown) => {
      next = logins;
      await pool.destroy();
      sampler.stop();
      throw error;
    });
    const wallS = (performance.now() - t0) / 1000;
    const stats = { ...pool.stats };
    await pool.destroy();
    sampler.stop();
    const leftover = await waitFor(() => {
      const left = processTree(process.pid, [sim.process.pid!]).filter((p) => p.pid !== process.pid);
      return left.filter(isBrowser).length === 0 ? left : undefined;
    }, { deadlineMs: 10_000, description: 'no browser process left' }).catch(() => processTree(process.pid, [sim.process.pid!]).filter((p) => p.pid !== process.pid));
    const zombies = processTree(process.pid, [sim.process.pid!]).filter((p) => p.state === 'Z');
    const first = mean(rssAfter.slice(warmup, warmup + window));
    const last = mean(rssAfter.slice(-window));
    const growth = last / first - 1;
    log(`soak: ${done} logins (${failed} failed) in ${wallS.toFixed(0)} s; tree RSS after logins ${warmup + 1}–${warmup + window}: ${first.toFixed(0)} MB, ` +
      `last ${window}: ${last.toFixed(0)} MB (${(growth * 100).toFixed(1)} %, target within ±10 %); peak RSS ${Math.round(sampler.peakMb)} MB, PSS ${Math.round(sampler.peakPssMb)} MB; ` +
      `${stats.launches} launches, ${stats.retired} retired, ${stats.crashes} crashes; left after destroy: ${leftover.filter(isBrowser).length} browser processes, ${zombies.length} zombies`);
    return {
      bench: 'ably-soak', metric: 'rss_growth', unit: 'ratio', value: round(last / first, 3), baseline: 1, ratio: round(first / last, 3),
      logins: done, failed, wall_s: round(wallS), rss_first_100_mb: Math.round(first), rss_last_100_mb: Math.round(last), rss_growth_pct: round(growth * 100),
      within_10_pct: Math.abs(growth) <= 0.1, all_logged_in: failed === 0, peak_rss_mb: Math.round(sampler.peakMb), peak_pss_mb: Math.round(sampler.peakPssMb),
      browser_launches: stats.launches, browsers_retired: stats.retired, browser_crashes: stats.crashes,
      leftover_browser_processes: leftover.filter(isBrowser).length, leftover_zombies: zombies.length,
    };
  } finally {
    await sim.call('close').catch(() => undefined);
    await sim.close();
  }
}
