/**
 * Test helpers for the Cafe24 simulator: a simulator on a manual clock, and a tiny client that reads status,
 * headers and JSON. Calls are paced on the simulated clock at the documented sustainable rate (one per 500 ms)
 * so tests that are not about rate limits still run under the real limits, without ever sleeping.
 */
import { createManualClock, type ManualClock } from '../../../simulators/cafe24/clock.js';
import { type Cafe24Simulator, type Cafe24SimulatorOptions, startCafe24Simulator } from '../../../simulators/cafe24/simulator.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface TestSim {
  sim: Cafe24Simulator;
  clock: ManualClock;
  mallId: string;
  accessToken: string;
  refreshToken: string;
  /** GET an Admin API path (`/orders?...`) for the mall, with the mall's token unless told otherwise. */
  get<T = any>(path: string, options?: { token?: string | null; headers?: Record<string, string>; mallId?: string; paceMs?: number }): Promise<Reply<T>>;
  /** Installs the app again (fresh tokens become the default), e.g. after moving the clock past 2 hours. */
  renewTokens(): Promise<void>;
  close(): Promise<void>;
}

export const API_VERSION = '2025-12-01';

export async function startTestSim(
  options: Partial<Cafe24SimulatorOptions> & { mallId?: string } = {},
): Promise<TestSim> {
  const clock = (options.clock as ManualClock | undefined) ?? createManualClock();
  const mallId = options.mallId ?? 'testmall';
  const sim = await startCafe24Simulator({
    seed: 7,
    shops: [{ mallId, products: 40, orders: 400, historyDays: 120 }],
    ...options,
    clock,
  });
  const { accessToken, refreshToken } = await sim.issueTokens(mallId);
  const testSim: TestSim = {
    sim, clock, mallId, accessToken, refreshToken,
    async renewTokens() {
      const fresh = await sim.issueTokens(mallId);
      testSim.accessToken = fresh.accessToken;
      testSim.refreshToken = fresh.refreshToken;
    },
    async get(path, { token, headers = {}, mallId: target = mallId, paceMs = 500 } = {}) {
      clock.advance(paceMs);
      const auth: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${token ?? testSim.accessToken}` };
      const response = await fetch(`${sim.baseUrlFor(target)}/api/v2/admin${path}`, {
        headers: { ...auth, 'X-Cafe24-Api-Version': API_VERSION, ...headers },
      });
      return readReply(response);
    },
    close: () => sim.close(),
  };
  return testSim;
}

export async function readReply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POST a form to a URL, with HTTP Basic client credentials unless `basic` is null. */
export async function postForm(
  url: string,
  form: Record<string, string>,
  basic: { clientId: string; clientSecret: string } | null,
): Promise<Reply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (basic) headers.Authorization = `Basic ${Buffer.from(`${basic.clientId}:${basic.clientSecret}`).toString('base64')}`;
  return readReply(await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form).toString() }));
}
