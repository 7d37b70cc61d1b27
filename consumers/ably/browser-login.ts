/**
 * The browser login, as a state machine with explicit outcomes (reference c.4): open the login page in a fresh
 * context, fill `input[name=email]` / `input[name=password]`, press the "로그인" button (one evaluate), and wait for one of:
 *   - the session cookie `ably-seller-admin-jwt-token` (success: its token goes to the HTTP path);
 *   - the form's error text saying the password is wrong → LoginRefusedError('invalid_credentials');
 *   - no login form on the page (layout drift: the web app was redesigned) → LayoutDriftError, for good and
 *     without parking the seller (it is every seller's problem, fixed by a deploy);
 *   - anything else by the deadline (the challenge not passed, a captcha, an unexpected page) →
 *     ChallengeUnpassedError (the seller is parked).
 * Either failure writes its evidence to `evidenceDir` (drift.ts): the URL, the page's text and a full-page
 * screenshot, their paths in the error message and so in the run.
 * Nothing is blocked on the login page (its scripts are the challenge). The page goes through the seller's proxy when
 * it has one (the pool's context), so the session is tied to the IP its API calls come from.
 * Each login is a span of the job's trace (`ably browser login`): the source calls Chromium makes are not undici's,
 * so without it a trace would show the job's time but not where the browser spent it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { errorMessage, NonRetriableError } from '../../lib/errors.js';
import type { ProxyEndpoint } from '../../lib/proxy-url.js';
import type { BrowserPool } from './browser-pool.js';
import { LayoutDriftError, storeEvidence } from './drift.js';
import { ChallengeUnpassedError, type BrowserLogin } from './login.js';
import { ABLY_USER_AGENT, LoginRefusedError } from './seller-api.js';

export const SESSION_COOKIE = 'ably-seller-admin-jwt-token';
const WRONG_PASSWORD = /비밀번호를 확인|invalid credentials/i;

export interface BrowserLoginOptions {
  pool: BrowserPool;
  /** The web app's origin: `https://my.a-bly.com`. */
  webUrl: string;
  /** Where screenshots of failed logins go. @default os tmp `ably-evidence` */
  evidenceDir: string;
  /** How long the page may take to reach an outcome. @default 20_000 */
  outcomeTimeoutMs?: number;
}

export const BROWSER_LOGIN_SPAN = 'ably browser login';

/**
 * The seller's proxy refused the user and password ABLY_PROXIES gives it: a configuration error that every login
 * through that proxy meets until the setting is fixed, so the job is not retried. Chromium says so as a failed
 * navigation (net::ERR_INVALID_AUTH_CREDENTIALS, which read as a network failure and was retried as one) or, once
 * puppeteer gives up answering the challenge, by showing the proxy's 407 page (which read as layout drift).
 */
export class ProxyCredentialsRejectedError extends NonRetriableError {
  override readonly code = 'PROXY_CREDENTIALS_REJECTED';
}

function proxyRefused(tenantId: string, proxy: ProxyEndpoint, cause?: unknown): ProxyCredentialsRejectedError {
  return new ProxyCredentialsRejectedError(
    `ably ${tenantId} browser login: proxy credentials rejected by ${proxy.server} (a configuration error: check that proxy's user and password in ABLY_PROXIES)`,
    { cause, context: { tenantId, proxy: proxy.server } },
  );
}

export function createBrowserLogin(options: BrowserLoginOptions): BrowserLogin {
  const login = loginInBrowser(options);
  // The tracer and attribute names are the ones otel/attributes.ts spells (TRACER_NAME, ATTR): a platform does not
  // import the otel/ edge, and without a registered SDK these calls do nothing.
  const tracer = trace.getTracer('sellerstream');
  return (request) => tracer.startActiveSpan(BROWSER_LOGIN_SPAN, { attributes: { 'sellerstream.tenant.id': request.tenantId, 'sellerstream.platform': 'ably' } }, async (span) => {
    try {
      return await login(request);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

function loginInBrowser({ pool, webUrl, evidenceDir, outcomeTimeoutMs = 20_000 }: BrowserLoginOptions): BrowserLogin {
  return ({ tenantId, email, password, signal, proxy }) => pool.withPage(async (page) => {
    await page.setUserAgent(ABLY_USER_AGENT);
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'ko-KR,ko;q=0.9' });
    await page.emulateTimezone('Asia/Seoul');
    const response = await page.goto(`${webUrl}/login?redirect=%2Fdashboard`, { waitUntil: 'domcontentloaded' }).catch((error: unknown) => {
      throw proxy && /net::ERR_INVALID_AUTH_CREDENTIALS/.test(errorMessage(error)) ? proxyRefused(tenantId, proxy, error) : error;
    });
    if (proxy && response?.status() === 407) throw proxyRefused(tenantId, proxy);
    const form = await page.waitForSelector('input[name="email"]', { timeout: 5_000 }).catch(() => null);
    if (!form) return fail('layout-drift', 'the login page has no input[name=email] (layout drift)');
    // One round trip, not one per key (page.type): under a busy consumer's event loop each CDP message waits its
    // turn, and typing ~40 keys took seconds, past the page watchdog (5 of 20 logins in the 200-seller bench).
    // The fields get the input and change events a framework's bindings listen to; the challenge is the page's
    // script and layout, which still run in full. No named function inside: tsx's keepNames helper (__name) does
    // not exist in the page.
    await page.evaluate((address: string, secret: string) => {
      for (const [selector, value] of [['input[name="email"]', address], ['input[name="password"]', secret]] as const) {
        const input = document.querySelector<HTMLInputElement>(selector);
        if (!input) continue;
        input.focus();
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }
      document.querySelector<HTMLButtonElement>('form button[type="submit"], button.el-button')?.click();
    }, email, password);
    const outcome = await page.waitForFunction((cookie: string, wrong: string) => {
      if (document.cookie.split('; ').some((c) => c.startsWith(`${cookie}=`) && c.length > cookie.length + 1)) return 'token';
      const error = document.querySelector('.el-form-item__error')?.textContent ?? '';
      return new RegExp(wrong, 'i').test(error) ? 'wrong' : false;
    }, { timeout: outcomeTimeoutMs, polling: 100 }, SESSION_COOKIE, WRONG_PASSWORD.source).then(async (handle) => String(await handle.jsonValue())).catch(() => 'timeout');
    if (outcome === 'wrong') throw new LoginRefusedError(`ably ${tenantId} browser login: wrong password`, 'invalid_credentials', { tenantId });
    const cookie = (await page.cookies()).find((c) => c.name === SESSION_COOKIE);
    if (outcome === 'token' && cookie?.value) return { token: decodeURIComponent(cookie.value) };
    return fail('challenge-unpassed', 'no session after the login (challenge not passed or unexpected page)');

    async function fail(kind: 'layout-drift' | 'challenge-unpassed', reason: string): Promise<never> {
      const text = (await page.evaluate(() => document.body?.innerText ?? '').catch(() => '')).slice(0, 300);
      await mkdir(evidenceDir, { recursive: true });
      const screenshot = join(evidenceDir, `${tenantId}-${kind}-${Date.now()}.png`);
      await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true }).catch(() => undefined);
      const html = (await page.content().catch(() => '')).slice(0, 2000);
      const evidence = await storeEvidence(evidenceDir, tenantId, kind, { reason, url: page.url(), text, html, screenshot });
      const context = { tenantId, url: page.url(), text, screenshot, evidence };
      const message = `ably ${tenantId} browser login: ${reason}; url ${page.url()}; screenshot ${screenshot}; evidence ${evidence}`;
      throw kind === 'layout-drift' ? new LayoutDriftError(message, { context }) : new ChallengeUnpassedError(message, { context });
    }
  }, signal, proxy ? { proxy } : {});
}
