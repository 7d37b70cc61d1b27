/**
 * The wire form of every contract: UTF-8 JSON with a version field `v`. `decode` never throws: bad input
 * comes back as a reason, which the consumer edge sends to a DLQ with the original bytes.
 */
import type { Check } from './schema.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Contract<T> {
  readonly name: string;
  readonly version: number;
  check: Check<T>;
  encode(value: T): Buffer;
  decode(bytes: Buffer | null): Decoded<T>;
}

export function defineContract<T extends { v: number }>(name: string, version: number, check: Check<T>): Contract<T> {
  return {
    name,
    version,
    check,
    encode(value) {
      const result = check(value, '');
      if (!result.ok) throw new TypeError(`refusing to encode an invalid ${name}: ${result.reason}`);
      return Buffer.from(JSON.stringify(result.value));
    },
    decode(bytes) {
      if (bytes === null || bytes.length === 0) return { ok: false, reason: `${name}: empty message` };
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        return { ok: false, reason: `${name}: malformed JSON (${(error as Error).message})` };
      }
      const v = (parsed as { v?: unknown } | null)?.v;
      if (v !== version) return { ok: false, reason: `${name}: unsupported version ${JSON.stringify(v)} (expected ${version})` };
      const result = check(parsed, '');
      return result.ok ? result : { ok: false, reason: `${name}: ${result.reason}` };
    },
  };
}
