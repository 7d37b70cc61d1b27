/**
 * Test helpers for the Ably simulator: a simulator on its default manual clock with limits out of the way
 * (tests about limits set their own), and a tiny client that sends the web origin and a token like the SPA.
 */
import { type AblySimulator, type AblySimulatorOptions, startAblySimulator } from '../../../simulators/ably/index.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export const ROOMY_LIMITS = {
  perIp: [{ ratePerSec: 10_000, burst: 10_000 }],
  perAccount: [{ ratePerSec: 10_000, burst: 10_000 }],
  softBlock: false as const,
};

export async function startTestSim(options: AblySimulatorOptions = {}): Promise<AblySimulator> {
  return startAblySimulator({ seed: 7, sellers: 10, limits: ROOMY_LIMITS, ...options });
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

export interface CallOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
  /** Origin header; null sends none. @default the web origin */
  origin?: string | null;
  headers?: Record<string, string>;
}

/** Calls the API like the SPA does: web Origin, `Authorization: JWT`, JSON body. */
export async function call(sim: AblySimulator, path: string, { method = 'GET', token = null, body, origin, headers = {} }: CallOptions = {}): Promise<Reply> {
  const all: Record<string, string> = { Accept: 'application/json', ...headers };
  const originValue = origin === undefined ? sim.webUrl : origin;
  if (originValue !== null) all.Origin = originValue;
  if (token) all.Authorization = `JWT ${token}`;
  if (body !== undefined) all['Content-Type'] = 'application/json';
  return readReply(await fetch(`${sim.apiUrl}${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) }));
}

export function login(sim: AblySimulator, email: string, password: string): Promise<Reply> {
  return call(sim, '/seller/login/', { method: 'POST', body: { email, password } });
}

/** An 'api' seller's fresh token through the login endpoint. */
export async function apiSellerToken(sim: AblySimulator, index = 0): Promise<{ sellerId: string; token: string }> {
  const seller = sim.sellers.filter((s) => s.loginMode === 'api')[index];
  if (!seller) throw new Error('no api seller');
  const reply = await login(sim, seller.email, seller.password);
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
  return { sellerId: seller.sellerId, token: reply.body.token };
}

export const ORDER_RANGE = 'start_date=2026-09-01+00:00:00&end_date=2026-11-30+23:59:59';
