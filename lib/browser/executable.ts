/**
 * Which Chromium to drive. One resolver for the whole code base, in this order:
 *   1. `BROWSER_EXECUTABLE` (an explicit choice always wins; a wrong path is an error, not a silent fallback);
 *   2. the system's browser: Debian's `/usr/bin/chromium`, then `chromium-browser`, then `google-chrome` (the Ably
 *      browser pool asks for Debian's `chromium-headless-shell` before them: POOL_BROWSERS);
 *   3. `@sparticuz/chromium` when that package is installed (a Chromium shipped inside npm, for machines
 *      without one); it is an optional dependency, never required.
 * puppeteer must never download a browser: callers pass `executablePath` from here.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';

export interface BrowserExecutable {
  path: string;
  source: 'env' | 'system' | 'package';
}

export const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] as const;

/**
 * Debian's `chromium-headless-shell`: the same Chromium release built for headless use only. The binary itself, not
 * `/usr/bin/chromium-headless-shell`: that wrapper runs it as a child instead of exec'ing it, so the pid puppeteer
 * reports would be the wrapper's, and a kill or a memory check of the browser would miss it.
 */
export const HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';

/**
 * What the Ably browser pool looks for: the headless shell first, then the full browsers. The pool only ever runs
 * headless, and the shell carries none of the full browser's UI: measured, 4 simulator logins at once with the
 * flags below, 1,032 MB summed RSS peak for chromium (browser process 283 MB, two zygotes 144, storage service 48,
 * four renderers 559; idle after 447) against 713 for the shell (151, 99, none, 463; idle 236); bench ably at 200
 * sellers, Chromium's peak 1,024 → 727 MB and its CPU 10.1 → 5.7 s. The old system's stand-in in bench/ably-baseline.ts
 * keeps the full Chromium it was measured with.
 */
export const POOL_BROWSERS = [HEADLESS_SHELL, ...SYSTEM_BROWSERS] as const;

/** puppeteer's `headless` for an executable: the headless shell speaks the shell mode, a full Chromium the new one. */
export function headlessMode(path: string): true | 'shell' {
  return /headless[-_]shell/.test(path) ? 'shell' : true;
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  candidates?: readonly string[];
}

export async function resolveBrowserExecutable({ env = process.env, candidates = SYSTEM_BROWSERS }: ResolveOptions = {}): Promise<BrowserExecutable> {
  const explicit = env.BROWSER_EXECUTABLE?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`BROWSER_EXECUTABLE=${explicit} is not an executable file`);
    return { path: explicit, source: 'env' };
  }
  const system = candidates.find(isExecutable);
  if (system) return { path: system, source: 'system' };
  const packaged = await packagedChromium();
  if (packaged) return { path: packaged, source: 'package' };
  throw new Error(`no browser found: set BROWSER_EXECUTABLE, install chromium (${candidates.join(', ')}) or add @sparticuz/chromium`);
}

async function packagedChromium(): Promise<string | undefined> {
  const name = '@sparticuz/chromium';
  try {
    createRequire(import.meta.url).resolve(name);
  } catch {
    return undefined;
  }
  const mod = (await import(name)) as { default: { executablePath(): Promise<string> } };
  return mod.default.executablePath();
}

/**
 * Launch flags for headless use: no sandbox as root (it cannot start there); shared memory off /dev/shm; no
 * omnibox popup WebUI, which new headless (Chromium 156) preloads in two extra renderers per browser context
 * (measured, 4 logins at once: 17 processes, 2.0 GB summed RSS with them, 11 and 1.25 GB without); no spare
 * renderer kept warm for the next navigation. The GPU process and the network service run inside the browser
 * process (headless draws nothing on a GPU, and each helper process maps its own ~80 MB of Chromium's pages):
 * measured, 4 simulator logins at once, 10 processes and 1,176-1,186 MB summed RSS peak (idle after 606) → 8 and
 * 1,032 (idle 453). Not taken, measured alike: --renderer-process-limit (each context keeps its own renderer
 * anyway), --disable-site-isolation-trials (one site per login), the storage service in process (no change),
 * --no-zygote (renderers no longer share the zygote's pages: 1,255), --single-process (CDP connection lost),
 * --js-flags=--jitless (13-27 MB, within the noise of a bench run).
 */
export function defaultBrowserArgs(): string[] {
  const args = [
    '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--in-process-gpu',
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
    '--enable-features=NetworkServiceInProcess2',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}
