/**
 * The login challenge a real browser passes and a plain HTTP client does not (◇: the reference saw none on the
 * seller API, but a challenge is what the browser path exists for). The login page asks the API for a nonce, then
 * its script (spa/login.js) must
 *   1. lay out a hidden element whose CSS width and padding come from the nonce and read its rendered width
 *      with getBoundingClientRect(): only a real layout engine answers (jsdom says 0);
 *   2. find a counter such that SHA-256(`nonce:width:counter`) starts with `difficulty` zero bits, with
 *      crypto.subtle (about 2^difficulty digests: ~1000 at the default 10, tens of ms in Chromium).
 * The answer goes with the login, is single-use and valid for two minutes of simulated time. A client that
 * re-implements the script passes too; the point is that the consumer needs a JavaScript-executing browser.
 */
import { createHash } from 'node:crypto';
import { type Rng } from '../cafe24/seeded-random.js';

export interface IssuedChallenge {
  challenge_id: string;
  nonce: string;
  difficulty: number;
}

export const CHALLENGE_TTL_MS = 120_000;

/** The width the page measures: `width` + 2 × `padding` CSS px, both from the nonce. */
export function expectedProbe(nonce: string): number {
  const width = 40 + (parseInt(nonce.slice(0, 2), 16) % 200);
  const padding = parseInt(nonce.slice(2, 3), 16);
  return width + 2 * padding;
}

export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export class ChallengeBook {
  private readonly open = new Map<string, { nonce: string; expiresAtMs: number }>();

  constructor(private readonly rng: Rng, private readonly now: () => number, private readonly difficulty: number) {}

  issue(): IssuedChallenge {
    this.sweep();
    const hex = () => Math.floor(this.rng.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
    const nonce = `${hex()}${hex()}${hex()}${hex()}`;
    const id = `ch_${hex()}${hex()}`;
    this.open.set(id, { nonce, expiresAtMs: this.now() + CHALLENGE_TTL_MS });
    return { challenge_id: id, nonce, difficulty: this.difficulty };
  }

  /** True once for a correct, live answer; the challenge is spent whatever the outcome. */
  redeem(challengeId: unknown, answer: unknown): boolean {
    if (typeof challengeId !== 'string') return false;
    const entry = this.open.get(challengeId);
    this.open.delete(challengeId);
    if (!entry || entry.expiresAtMs < this.now()) return false;
    const counter = typeof answer === 'number' ? answer : typeof answer === 'string' ? Number(answer) : NaN;
    if (!Number.isInteger(counter) || counter < 0) return false;
    const digest = createHash('sha256').update(`${entry.nonce}:${expectedProbe(entry.nonce)}:${counter}`).digest();
    return leadingZeroBits(digest) >= this.difficulty;
  }

  private sweep(): void {
    if (this.open.size < 10_000) return;
    const now = this.now();
    for (const [id, entry] of this.open) if (entry.expiresAtMs < now) this.open.delete(id);
  }
}
