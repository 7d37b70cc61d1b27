/**
 * The browser pool (Crawlee's BrowserPool as the anchor), for the few logins the JSON API refuses. One Chromium
 * per consumer process by default; an isolated context per login (`browser.createBrowserContext()`, cookies and
 * storage of one seller never meet another's), through the seller's proxy when it has one (the context's
 * `proxyServer`, `page.authenticate` for the proxy's user and password); at most `maxOpenPages` pages at once
 * (callers queue); a browser is retired after `retireAfterPages` pages or once its process group passes `maxRssMb`,
 * drained (no new pages) and closed when its last page is, and one with no page open for `idleCloseMs` is closed (the
 * next login launches again: most logins never need the browser). Every page and context is closed in `finally`; a page
 * that hangs past `pageTimeoutMs` has its context closed by the watchdog and its caller gets a retriable error.
 *
 * Crashes: a browser that disconnects (killed, OOM) is dropped at once; pages in flight fail with a retriable
 * TransientSourceError (their jobs retry), and the next page launches a fresh browser. No zombie is left behind:
 * puppeteer starts Chromium as its own process group leader (detached), Node reaps the main process, and the
 * whole group is SIGKILLed after a close that hangs and after a crash, so the renderers, zygote and GPU helpers
 * die with it (c.2 "kill the process group").
 */
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer';
import { defaultBrowserArgs, headlessMode, POOL_BROWSERS, resolveBrowserExecutable } from '../../lib/browser/executable.js';
import { TransientSourceError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ProxyEndpoint } from '../../lib/proxy-url.js';

export interface BrowserPoolOptions {
  /**
   * Pages open at once over the pool (Crawlee: 20 per browser). Each open login holds a renderer (~115 MB RSS), and
   * the pool's peak is logins at once: bench ably (200 sellers, 20 browser logins) peaked at 1,451 MB summed RSS in
   * two runs at 3 against 1,535-1,706 at 4, for a wall of 27-35 s against 23. @default 3
   */
  maxOpenPages: number;
  /** Pages a browser serves before it is retired (Crawlee: 100). @default 100 */
  retireAfterPages: number;
  /** Memory of a browser's process group (summed PSS, see groupRssMb) above which it is retired. @default 1024 */
  maxRssMb: number;
  /** Watchdog on one page's work. @default 30_000 */
  pageTimeoutMs: number;
  /** CDP protocol timeout (c.2: set it, never the 180 s default). @default 30_000 */
  protocolTimeoutMs: number;
  /** How long a close may take before the process group is killed. @default 5_000 */
  closeTimeoutMs: number;
  /**
   * A browser with no page open this long is closed. Idle after its logins it still held ~450 MB summed RSS
   * (4 simulator logins); a launch costs ~0.5 s and logins come in bursts (a slot's first syncs). @default 10_000
   */
  idleCloseMs: number;
}

export const DEFAULT_BROWSER_POOL_OPTIONS: BrowserPoolOptions = {
  maxOpenPages: 3, retireAfterPages: 100, maxRssMb: 1024, pageTimeoutMs: 30_000, protocolTimeoutMs: 30_000, closeTimeoutMs: 5_000, idleCloseMs: 10_000,
};

interface Slot {
  browser: Browser;
  pid: number | undefined;
  pages: number;
  active: number;
  retired: boolean;
  idle?: NodeJS.Timeout;
}

export interface BrowserPoolStats {
  launches: number;
  retired: number;
  crashes: number;
  pagesOpened: number;
  openPages: number;
}

/** Resident memory (MB) of every process in the group led by `pid` (Chromium and its helpers). */
export function groupRssMb(pid: number): number {
  let kb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pid) continue;
      kb += pssKb(entry) ?? Number(fields[21]) * 4;
    } catch {
      // the process ended while we read
    }
  }
  return kb / 1024;
}

/**
 * A process's proportional set size: its share of each page it maps. Chromium's processes share most of their
 * pages, so summing their RSS counted the same memory once per process and retired a browser holding one page
 * (measured: 1.6 GB summed RSS for one browser); summed PSS is what the group really holds.
 */
function pssKb(pid: string): number | undefined {
  const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function createBrowserPool(options: Partial<BrowserPoolOptions> & { logger?: Logger } = {}) {
  const o = { ...DEFAULT_BROWSER_POOL_OPTIONS, ...options };
  const events = new EventEmitter();
  const stats: BrowserPoolStats = { launches: 0, retired: 0, crashes: 0, pagesOpened: 0, openPages: 0 };
  let current: Slot | undefined;
  let launching: Promise<Slot> | undefined;
  const all = new Set<Slot>();
  const waiters: (() => void)[] = [];
  let destroyed = false;

  async function launch(): Promise<Slot> {
    const executable = await resolveBrowserExecutable({ candidates: POOL_BROWSERS });
    const browser = await puppeteer.launch({
      executablePath: executable.path, headless: headlessMode(executable.path), args: defaultBrowserArgs(), protocolTimeout: o.protocolTimeoutMs, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    // The tab puppeteer opens at launch holds a renderer (~75 MB RSS) that no login uses: logins get contexts.
    for (const blank of await browser.pages().catch(() => [])) await blank.close().catch(() => undefined);
    const slot: Slot = { browser, pid: browser.process()?.pid, pages: 0, active: 0, retired: false };
    all.add(slot);
    stats.launches += 1;
    options.logger?.info({ executable: executable.path, source: executable.source, pid: slot.pid }, 'browser launched');
    events.emit('browserLaunched', slot.pid);
    browser.once('disconnected', () => {
      if (!all.has(slot)) return;
      all.delete(slot);
      clearTimeout(slot.idle);
      if (!slot.retired) stats.crashes += 1;
      if (current === slot) current = undefined;
      killGroup(slot.pid);
      events.emit(slot.retired ? 'browserClosed' : 'browserCrashed', slot.pid);
    });
    return slot;
  }

  async function browserSlot(): Promise<Slot> {
    if (current && !current.retired && current.browser.connected) return current;
    launching ??= launch().then((slot) => (current = slot)).finally(() => { launching = undefined; });
    return launching;
  }

  async function close(slot: Slot): Promise<void> {
    all.delete(slot);
    clearTimeout(slot.idle);
    const timer = setTimeout(() => killGroup(slot.pid), o.closeTimeoutMs);
    try {
      await slot.browser.close();
    } catch {
      killGroup(slot.pid);
    } finally {
      clearTimeout(timer);
      killGroup(slot.pid);
    }
  }

  function retire(slot: Slot): void {
    if (slot.retired) return;
    slot.retired = true;
    stats.retired += 1;
    if (current === slot) current = undefined;
    events.emit('browserRetired', slot.pid);
    if (slot.active === 0) void close(slot);
  }

  function closeWhenIdle(slot: Slot): void {
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      if (slot.active === 0) retire(slot);
    }, o.idleCloseMs);
    slot.idle.unref();
  }

  async function openSlot(signal: AbortSignal): Promise<void> {
    while (stats.openPages >= o.maxOpenPages) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    stats.openPages += 1;
  }

  function releaseSlot(): void {
    stats.openPages -= 1;
    waiters.shift()?.();
  }

  /**
   * Runs `work` on a fresh page in its own context, through `proxy` when given; page and context are closed whatever
   * happens. Chromium never proxies loopback hosts unless told to (`<-loopback>`): in production nothing is
   * loopback, and a local stand-in of the seller center (the simulator) must go through the proxy like Ably would.
   */
  async function withPage<T>(work: (page: Page, context: BrowserContext) => Promise<T>, signal: AbortSignal, { proxy }: { proxy?: ProxyEndpoint } = {}): Promise<T> {
    if (destroyed) throw new Error('browser pool destroyed');
    await openSlot(signal);
    let slot: Slot | undefined;
    let context: BrowserContext | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    let detach = () => {};
    try {
      slot = await browserSlot();
      clearTimeout(slot.idle);
      slot.active += 1;
      slot.pages += 1;
      stats.pagesOpened += 1;
      const owner = slot;
      context = await owner.browser.createBrowserContext(proxy ? { proxyServer: proxy.server, proxyBypassList: ['<-loopback>'] } : undefined);
      const page = await context.newPage();
      if (proxy?.credentials) await page.authenticate(proxy.credentials);
      page.setDefaultTimeout(o.pageTimeoutMs);
      const crashed = new Promise<never>((_, reject) => {
        const onDisconnect = () => reject(new TransientSourceError('ably login: the browser disconnected mid-page', { context: { pid: owner.pid } }));
        const onAbort = () => reject(signal.reason);
        owner.browser.once('disconnected', onDisconnect);
        signal.addEventListener('abort', onAbort, { once: true });
        detach = () => {
          owner.browser.off('disconnected', onDisconnect);
          signal.removeEventListener('abort', onAbort);
        };
        watchdog = setTimeout(() => {
          reject(new TransientSourceError(`ably login: page hung past ${o.pageTimeoutMs} ms`, { context: { pid: owner.pid } }));
          void context?.close().catch(() => undefined);
        }, o.pageTimeoutMs);
      });
      crashed.catch(() => undefined);
      return await Promise.race([work(page, context), crashed]);
    } finally {
      clearTimeout(watchdog);
      detach();
      if (context && slot?.browser.connected) await context.close().catch(() => undefined);
      events.emit('pageClosed');
      releaseSlot();
      if (slot) {
        slot.active -= 1;
        if (!slot.retired && slot.pid !== undefined && (slot.pages >= o.retireAfterPages || groupRssMb(slot.pid) > o.maxRssMb)) retire(slot);
        else if (slot.retired && slot.active === 0 && all.has(slot)) void close(slot);
        else if (!slot.retired && slot.active === 0) closeWhenIdle(slot);
      }
    }
  }

  return {
    withPage,
    events,
    stats,
    /** The main process id of the current browser (tests kill it). */
    currentPid: () => current?.pid,
    async destroy(): Promise<void> {
      destroyed = true;
      await launching?.catch(() => undefined);
      await Promise.all([...all].map((slot) => close(slot)));
      current = undefined;
    },
  };
}

export type BrowserPool = ReturnType<typeof createBrowserPool>;
