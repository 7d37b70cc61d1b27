/**
 * The programmatic face of the Ably seller-center simulator: start it, point a consumer at its two origins,
 * steer it with knobs and the clock, read its ground truth.
 *
 *   const sim = await startAblySimulator({ seed: 7, sellers: 20 });
 *   const [seller] = sim.sellers;                 // { sellerId, email, password, loginMode }
 *   fetch(`${sim.apiUrl}/seller/login/`, { method: 'POST', headers: { Origin: sim.webUrl, 'Content-Type': 'application/json' },
 *     body: JSON.stringify({ email: seller.email, password: seller.password }) });
 *   sim.advance(6 * 3_600_000);                   // statuses move on
 *   sim.setKnobs({ status5xxRate: 0.1 });         // or per seller: sim.setKnobs({ … }, sellerId)
 *   sim.truth(seller.sellerId);                   // what a full sync must find
 *   await sim.stop();
 */
import { createManualClock, type ManualClock, type SimClock } from '../cafe24/clock.js';
import { HOUR_MS } from '../cafe24/kst.js';
import { hashSeed, rngFor } from '../cafe24/seeded-random.js';
import { createApiHandler } from './api-server.js';
import { SellerAuth, type LoginCounters } from './auth.js';
import { ChallengeBook } from './challenge.js';
import { type AblyKnobs, KnobBoard } from './knobs.js';
import { DEFAULT_LIMIT_POLICY, Limiter, type LimitPolicy } from './limits.js';
import { SellerRegistry } from './seller-registry.js';
import { type AblySellerAccount, type AblySellerSpec, defaultSellerSpecs, loginModeOf } from './seller-spec.js';
import { startListeners } from './servers.js';
import { type SellerStats, StatsBook } from './sim-stats.js';
import { type AblyTruth, truthOf, type TruthQuery } from './truth.js';
import { createWebHandler } from './web-server.js';

export interface AblySimulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (ephemeral) */
  webPort?: number;
  /** @default 0 (ephemeral) */
  apiPort?: number;
  /** Seeds accounts, data, tokens and fault rolls. @default 42 */
  seed?: number;
  /** A count (`ably0001`…) or explicit specs. @default 5 */
  sellers?: number | AblySellerSpec[];
  /** Simulated time (token TTL, order flow, login locks). @default a manual clock at 2026-11-30 10:00 KST */
  clock?: SimClock;
  /** End of each seller's order history; orders keep arriving after it. @default the clock's time at start, rounded down to the hour */
  dataAnchorMs?: number;
  /** Knobs in force at start (global). */
  knobs?: AblyKnobs;
  /** Per-IP and per-account limits over the defaults. */
  limits?: Partial<LimitPolicy>;
  /** The clock the limits run on. @default wall time */
  limitsClock?: SimClock;
  /** Zero bits the login challenge's proof of work needs. @default 10 */
  challengeDifficulty?: number;
  /** Origins the API accepts besides the web origin (like seller-admin.a-bly.com next to my.a-bly.com). @default [] */
  extraAllowedOrigins?: string[];
  /** Take the client IP from `X-Forwarded-For` (a proxy in front). @default false: the socket address */
  trustForwardedFor?: boolean;
}

export interface AblySimulator {
  /** `http://127.0.0.1:PORT`: the SPA (my.a-bly.com). */
  readonly webUrl: string;
  /** `http://127.0.0.1:PORT`: the JSON API (api.a-bly.com); paths start with `/seller/`. */
  readonly apiUrl: string;
  readonly seed: number;
  readonly clock: SimClock;
  /** The accounts, with their current login mode. */
  readonly sellers: AblySellerAccount[];
  seller(sellerId: string): AblySellerAccount;
  addSeller(spec: AblySellerSpec): AblySellerAccount;
  /** Moves a manual clock forward (throws for any other clock). */
  advance(ms: number): void;
  setKnobs(knobs: AblyKnobs, sellerId?: string): void;
  knobs(sellerId?: string): Required<AblyKnobs>;
  clearKnobs(sellerId?: string): void;
  setLimits(limits: Partial<LimitPolicy>): void;
  /** Soft-blocks a client IP (`ip`) or a seller (`sellerId`) now, as sustained abuse would. */
  block(target: { ip?: string; sellerId?: string }, forMs: number): void;
  /** Lifts every soft block and login lock. */
  unblockAll(): void;
  /** A token as if the seller had logged in (no login counted). */
  tokenFor(sellerId: string): string;
  /** Every token issued to the seller so far answers 401. */
  expireTokens(sellerId: string): void;
  truth(sellerId: string, query?: TruthQuery): AblyTruth;
  stats(sellerId: string): SellerStats & { login: LoginCounters };
  resetStats(sellerId?: string): void;
  stop(): Promise<void>;
}

export async function startAblySimulator(options: AblySimulatorOptions = {}): Promise<AblySimulator> {
  const seed = options.seed ?? 42;
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? createManualClock();
  const now = () => clock.now();
  const registry = new SellerRegistry(seed, options.dataAnchorMs ?? Math.floor(clock.now() / HOUR_MS) * HOUR_MS);
  const specs = typeof options.sellers === 'object' ? options.sellers : defaultSellerSpecs(options.sellers ?? 5);
  for (const spec of specs) registry.add(spec);
  const knobs = new KnobBoard(seed, options.knobs);
  let policy: LimitPolicy = { ...DEFAULT_LIMIT_POLICY, ...options.limits };
  const limiter = new Limiter(options.limitsClock ?? { now: () => Date.now() }, policy);
  const challenges = new ChallengeBook(rngFor(seed, 'challenges'), now, options.challengeDifficulty ?? 10);
  const modeOf = (sellerId: string) => loginModeOf(seed, registry.require(sellerId).spec, knobs.get().challengeShare);
  const auth = new SellerAuth({ secret: `ably-sim-${hashSeed(seed, 'jwt')}`, clock, registry, knobs, challenges, loginModeOf: modeOf });
  const stats = new StatsBook();
  const { listeners, bind } = await startListeners(host, { web: options.webPort ?? 0, api: options.apiPort ?? 0 });
  const webUrl = `http://${host}:${listeners.webPort}`;
  const apiUrl = `http://${host}:${listeners.apiPort}`;
  const allowed = [webUrl, ...(options.extraAllowedOrigins ?? [])];
  const trustForwardedFor = options.trustForwardedFor ?? false;
  bind({
    web: createWebHandler({ now, apiUrl: () => apiUrl, registry, auth, knobs, limiter, policy: () => policy, trustForwardedFor }),
    api: createApiHandler({
      seed, now, registry, auth, challenges, knobs, limiter, policy: () => policy, stats,
      webOrigin: () => webUrl, allowedOrigins: () => allowed, trustForwardedFor, later: listeners.later,
    }),
  });

  const account = (sellerId: string): AblySellerAccount => {
    const spec = registry.require(sellerId).spec;
    return { sellerId, email: spec.email, password: spec.password, loginMode: modeOf(sellerId) };
  };
  return {
    webUrl, apiUrl, seed, clock,
    get sellers() { return registry.all().map((s) => account(s.sellerId)); },
    seller: account,
    addSeller: (spec) => account(registry.add(spec).sellerId),
    advance(ms) {
      if (typeof (clock as ManualClock).advance !== 'function') throw new Error('advance() needs a manual clock (the default)');
      (clock as ManualClock).advance(ms);
    },
    setKnobs: (patch, sellerId) => knobs.set(patch, sellerId),
    knobs: (sellerId) => knobs.get(sellerId),
    clearKnobs: (sellerId) => knobs.clear(sellerId),
    setLimits(limits) {
      policy = { ...policy, ...limits };
      limiter.setPolicy(policy);
    },
    block({ ip, sellerId }, forMs) {
      if (ip) limiter.block(`ip:${ip}`, forMs);
      if (sellerId) limiter.block(`acct:${sellerId}`, forMs);
    },
    unblockAll() {
      limiter.unblockAll();
      auth.unlock();
    },
    tokenFor: (sellerId) => auth.issueToken(sellerId),
    expireTokens: (sellerId) => auth.expireTokens(sellerId),
    truth: (sellerId, query) => truthOf(seed, registry.require(sellerId), clock.now(), query),
    stats: (sellerId) => ({ ...stats.snapshot(sellerId), login: { ...auth.countersOf(sellerId) } }),
    resetStats: (sellerId) => stats.reset(sellerId),
    stop: () => listeners.close(),
  };
}
