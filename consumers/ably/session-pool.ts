/**
 * One seller-center session per tenant (Crawlee's SessionPool as the model): Kafka keys every job by tenant, so a
 * tenant's jobs run on one consumer at a time and its session stays sticky there, reused by every job and retry
 * until it fails. Each session keeps an error score: `markBad()` on a soft block or a refused token, `markGood()`
 * on success (which heals the score), retired past `maxErrorScore`, `maxUsageCount` jobs or `maxAgeMs`, and
 * `retire()` is terminal. `getState()` is what is sealed at rest on the `credentials` topic (the token, where it
 * came from, when, through which proxy), so a restarted or rebalanced consumer picks the session up instead of
 * logging in again.
 */
export interface AblySessionState {
  token: string;
  /** Epoch ms the session was obtained. */
  obtainedAt: number;
  via: 'api' | 'browser';
  /** The proxy (its `server`, no credentials) the session was obtained through; absent: a direct connection. */
  proxy?: string;
}

export interface SessionPoolOptions {
  /** @default 3 (Crawlee's default) */
  maxErrorScore?: number;
  /** Jobs a session serves before it is replaced. @default 5_000 */
  maxUsageCount?: number;
  /** @default 11 h (the real token lifetime is unknown; the simulator's is 12 h) */
  maxAgeMs?: number;
  now?: () => number;
}

export class AblySession {
  #errorScore = 0;
  #usage = 0;
  #retired = false;

  constructor(readonly tenantId: string, private readonly state: AblySessionState, private readonly limits: Required<Omit<SessionPoolOptions, 'now'>>, private readonly now: () => number) {}

  get token(): string {
    return this.state.token;
  }

  get errorScore(): number {
    return this.#errorScore;
  }

  isUsable(): boolean {
    return !this.#retired && this.#errorScore < this.limits.maxErrorScore && this.#usage < this.limits.maxUsageCount
      && this.now() - this.state.obtainedAt < this.limits.maxAgeMs;
  }

  /** One job served. */
  use(): void {
    this.#usage += 1;
  }

  markGood(): void {
    this.#errorScore = Math.max(0, this.#errorScore - 0.5);
  }

  markBad(): void {
    this.#errorScore += 1;
  }

  retire(): void {
    this.#retired = true;
  }

  getState(): AblySessionState {
    return { ...this.state };
  }
}

export interface SessionPool {
  /** The tenant's usable session, if it has one in memory. */
  get(tenantId: string): AblySession | undefined;
  /** Takes a session (fresh from a login, or opened from the credentials topic) into the pool. */
  add(tenantId: string, state: AblySessionState): AblySession;
  /** Retires the tenant's session if it is this one (a newer one is left alone). */
  retire(session: AblySession): void;
  readonly size: number;
}

export function createSessionPool({ maxErrorScore = 3, maxUsageCount = 5_000, maxAgeMs = 11 * 3_600_000, now = Date.now }: SessionPoolOptions = {}): SessionPool {
  const sessions = new Map<string, AblySession>();
  const limits = { maxErrorScore, maxUsageCount, maxAgeMs };
  return {
    get(tenantId) {
      const session = sessions.get(tenantId);
      if (session && !session.isUsable()) {
        sessions.delete(tenantId);
        return undefined;
      }
      return session;
    },
    add(tenantId, state) {
      const session = new AblySession(tenantId, state, limits, now);
      sessions.set(tenantId, session);
      return session;
    },
    retire(session) {
      session.retire();
      if (sessions.get(session.tenantId) === session) sessions.delete(session.tenantId);
    },
    get size() {
      return sessions.size;
    },
  };
}
