/**
 * Which Chromium to drive. One resolver for the whole code base, in this order:
 *   1. `BROWSER_EXECUTABLE` (an explicit choice always wins; a wrong path is an error, not a silent fallback);
 *   2. the system's browser: Debian's `/usr/bin/chromium`, then `chromium-browser`, then `google-chrome`;
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
 * renderer kept warm for the next navigation.
 */
export function defaultBrowserArgs(): string[] {
  const args = [
    '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}
