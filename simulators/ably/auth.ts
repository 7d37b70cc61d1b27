/**
 * Seller login and token checks.
 * - `POST /seller/login/` `{email,password}` → 200 `{"token"}` (a.2 ✔). Wrong e-mail or password → 400
 *   `invalid_credentials`; 5 failures of one e-mail within 10 min lock it for 30 min → 423 `login_locked` (◇,
 *   b.2), even with the right password. 'challenge' sellers get 403 `challenge_required` unless the body carries
 *   a solved challenge (`challenge_id`, `challenge_answer`, see challenge.ts); a wrong answer is 403
 *   `challenge_failed`. Credentials are checked first, so a challenge never tells whether a password is right.
 * - Tokens: HS256 JWT, TTL from the `tokenTtlMs` knob at issue time, measured on the simulated clock. A missing,
 *   non-`JWT` or forged header → 401 "Authentication credentials were not provided." / "Error decoding
 *   signature."; expired → 401 "Signature has expired." (◇: the djangorestframework-jwt texts, which the `JWT`
 *   prefix suggests).
 */
import type { SimClock } from '../cafe24/clock.js';
import type { ChallengeBook } from './challenge.js';
import { type AblyJwtPayload, signJwt, verifyJwt } from './jwt.js';
import type { KnobBoard } from './knobs.js';
import type { SellerRegistry } from './seller-registry.js';
import type { LoginMode } from './seller-spec.js';

export const LOGIN_MESSAGES = {
  invalidRequest: '이메일과 비밀번호를 입력해주세요',
  invalidCredentials: '이메일 또는 비밀번호를 확인해주세요',
  challengeRequired: '보안 확인이 필요합니다',
  challengeFailed: '보안 확인에 실패했습니다. 다시 시도해주세요',
  locked: '로그인 시도 횟수를 초과했습니다. 30분 후 다시 시도해주세요',
} as const;
export const LOCK_POLICY = { failures: 5, windowMs: 10 * 60_000, lockMs: 30 * 60_000 } as const;

export interface Reply {
  status: number;
  body: unknown;
}

export type AuthResult = { ok: true; sellerId: string; payload: AblyJwtPayload } | { ok: false; reply: Reply };

export interface LoginCounters {
  logins: number;
  challengeLogins: number;
  failures: number;
  challengeRefusals: number;
  lockRefusals: number;
}

export interface SellerAuthDeps {
  secret: string;
  clock: SimClock;
  registry: SellerRegistry;
  knobs: KnobBoard;
  challenges: ChallengeBook;
  loginModeOf(sellerId: string): LoginMode;
}

export class SellerAuth {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();
  private readonly revokedUpTo = new Map<string, number>();
  private readonly counters = new Map<string, LoginCounters>();
  private issued = 0;

  constructor(private readonly deps: SellerAuthDeps) {}

  /** The seller a login body names (for per-account limits), if any. */
  sellerOf(body: unknown): string | undefined {
    const email = (body as { email?: unknown } | null)?.email;
    return typeof email === 'string' ? this.deps.registry.sellerIdByEmail(email) : undefined;
  }

  login(body: unknown): Reply & { sellerId?: string } {
    const { email, password, challenge_id: challengeId, challenge_answer: answer } = (body ?? {}) as Record<string, unknown>;
    if (typeof email !== 'string' || typeof password !== 'string' || !email || !password) {
      return { status: 400, body: { code: 'invalid_request', message: LOGIN_MESSAGES.invalidRequest } };
    }
    const key = email.trim().toLowerCase();
    const now = this.deps.clock.now();
    const sellerId = this.deps.registry.sellerIdByEmail(key);
    const count = sellerId ? this.countersOf(sellerId) : undefined;
    if ((this.lockedUntil.get(key) ?? 0) > now) {
      if (count) count.lockRefusals += 1;
      return { status: 423, body: { code: 'login_locked', message: LOGIN_MESSAGES.locked } };
    }
    const spec = sellerId ? this.deps.registry.spec(sellerId) : undefined;
    if (!spec || spec.password !== password) {
      if (count) count.failures += 1;
      const recent = (this.failures.get(key) ?? []).filter((at) => at > now - LOCK_POLICY.windowMs);
      recent.push(now);
      this.failures.set(key, recent);
      if (recent.length >= LOCK_POLICY.failures) {
        this.lockedUntil.set(key, now + LOCK_POLICY.lockMs);
        this.failures.delete(key);
      }
      return { status: 400, body: { code: 'invalid_credentials', message: LOGIN_MESSAGES.invalidCredentials } };
    }
    const counted = count as LoginCounters;
    const challenged = challengeId !== undefined || answer !== undefined;
    if (challenged && !this.deps.challenges.redeem(challengeId, answer)) {
      counted.challengeRefusals += 1;
      return { status: 403, body: { code: 'challenge_failed', message: LOGIN_MESSAGES.challengeFailed } };
    }
    if (!challenged && this.deps.loginModeOf(spec.sellerId) === 'challenge') {
      counted.challengeRefusals += 1;
      return { status: 403, body: { code: 'challenge_required', message: LOGIN_MESSAGES.challengeRequired } };
    }
    this.failures.delete(key);
    counted.logins += 1;
    if (challenged) counted.challengeLogins += 1;
    return { status: 200, body: { token: this.issueToken(spec.sellerId) }, sellerId: spec.sellerId };
  }

  issueToken(sellerId: string): string {
    const spec = this.deps.registry.spec(sellerId);
    if (!spec) throw new Error(`unknown seller ${sellerId}`);
    const iat = Math.floor(this.deps.clock.now() / 1000);
    this.issued += 1;
    return signJwt({
      sub: sellerId, seller_no: spec.sellerNo, email: spec.email, iat,
      exp: iat + Math.floor(this.deps.knobs.get(sellerId).tokenTtlMs / 1000), jti: String(this.issued), token_type: 'ably',
    }, this.deps.secret);
  }

  /** Checks `Authorization: JWT <token>`. */
  authenticate(header: string | undefined): AuthResult {
    const match = /^JWT\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return unauthorized('Authentication credentials were not provided.');
    const payload = verifyJwt(match[1] as string, this.deps.secret);
    if (!payload || !this.deps.registry.spec(payload.sub)) return unauthorized('Error decoding signature.');
    if (payload.exp * 1000 <= this.deps.clock.now() || Number(payload.jti) <= (this.revokedUpTo.get(payload.sub) ?? 0)) {
      return unauthorized('Signature has expired.');
    }
    return { ok: true, sellerId: payload.sub, payload };
  }

  /** Every token issued to the seller so far stops working (401). */
  expireTokens(sellerId: string): void {
    this.revokedUpTo.set(sellerId, this.issued);
  }

  /** Lifts login locks (all, or one e-mail's). */
  unlock(email?: string): void {
    if (email === undefined) {
      this.lockedUntil.clear();
      this.failures.clear();
    } else {
      this.lockedUntil.delete(email.toLowerCase());
      this.failures.delete(email.toLowerCase());
    }
  }

  countersOf(sellerId: string): LoginCounters {
    let c = this.counters.get(sellerId);
    if (!c) {
      c = { logins: 0, challengeLogins: 0, failures: 0, challengeRefusals: 0, lockRefusals: 0 };
      this.counters.set(sellerId, c);
    }
    return c;
  }
}

const unauthorized = (detail: string): AuthResult => ({ ok: false, reply: { status: 401, body: { detail } } });
