/**
 * mayHoldPersonalText, the sink's check of record text it stores without parsing: it must match wherever a listed
 * key appears as a JSON key, spelled with \u escapes too, and stay silent on clean text (a match only costs the full
 * way). It is proved here against the plain statement of that rule: one regex over the whole text, and where the
 * text holds a \u escape, its records as JSON.parse reads them (text it cannot read may hold anything).
 */
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { ablyPrivacy } from '../../../consumers/ably/privacy.js';
import { cafe24Privacy } from '../../../consumers/cafe24/privacy.js';
import { encodeRawResultChunks, decodeRawResultHead } from '../../../lib/contracts/raw-result.js';
import { mayHoldPersonalText, TEXT_WINDOW_BYTES, type PrivacyPolicy } from '../../../lib/model/privacy.js';
import { cafe24Order, seeded } from '../../fixtures/sink-records.js';

const policies = [cafe24Privacy, ablyPrivacy];
const keysOf = (policy: PrivacyPolicy, entity: string) => {
  const rule = policy.entities[entity]!;
  return [...rule.personal, ...(rule.buyerId === undefined ? [] : [rule.buyerId])];
};
const check = (policy: PrivacyPolicy, entity: string, text: string | Buffer, start = 0, end?: number) => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return mayHoldPersonalText(policy, entity, bytes, start, end ?? bytes.length);
};

/**
 * The rule as first written: any listed key, quoted, then optional whitespace and a colon; and where a `\u` could
 * spell one, a listed key at any depth of the records as JSON.parse reads them, or text it cannot read.
 */
function reference(keys: readonly string[], bytes: Buffer, start: number, end: number): boolean {
  const text = bytes.toString('latin1', start, end);
  if (text.includes('\\u')) {
    if (!isUtf8(bytes.subarray(start, end))) return true;
    try {
      return holdsKey(JSON.parse(`[${bytes.toString('utf8', start, end)}]`), new Set(keys));
    } catch {
      return true;
    }
  }
  const escaped = keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`"(?:${escaped.join('|')})"\\s*:`).test(text);
}

function holdsKey(value: unknown, keys: ReadonlySet<string>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((entry) => holdsKey(entry, keys));
  return Object.entries(value).some(([key, entry]) => keys.has(key) || holdsKey(entry, keys));
}

/** Clean JSON of Korean order text, about `bytes` long. */
function cleanText(bytes: number, seed = 1): string {
  const parts: string[] = [];
  let length = 0;
  for (let seq = seed; length < bytes; seq++) {
    const text = JSON.stringify(cafe24Order(seq));
    parts.push(text);
    length += Buffer.byteLength(text) + 1;
  }
  return `[${parts.join(',')}]`;
}

describe('mayHoldPersonalText', () => {
  const clean = cleanText(3 * TEXT_WINDOW_BYTES);

  it('is silent on clean order text, Korean and several windows long, and on a value that equals a key', () => {
    assert.equal(check(cafe24Privacy, 'orders', clean), false);
    for (const key of keysOf(cafe24Privacy, 'orders')) {
      for (const text of [`{"note":"${key}"}`, `["${key}"]`, `{"note":"${key}" , "n":1}`, `{"${key}_x":1}`, `{"x_${key}":1}`, `{"note":"\\"${key}\\":1"}`]) {
        assert.equal(check(cafe24Privacy, 'orders', text), false, text);
      }
    }
  });

  it('catches every listed key of every entity as a key, at any position, with whitespace, after an escaped quote', () => {
    for (const policy of policies) {
      for (const entity of Object.keys(policy.entities)) {
        for (const key of keysOf(policy, entity)) {
          for (const text of [
            `{"${key}":null}`, `{"${key}" : 1}`, `{"${key}"\t\r\n :"x"}`, `{"note":"a \\"quoted\\" word","${key}":1}`,
            `{"note":"\\\\","${key}":1}`, `{"nested":[{"${key}":{}}]}`, `"${key}":`,
          ]) {
            assert.equal(check(policy, entity, text), true, `${entity} ${text}`);
            // and amid clean text, at its start, middle and end
            const inner = text.startsWith('{') ? text.slice(1, -1) : text;
            for (const framed of [`{${inner},${clean.slice(2)}`, `${clean.slice(0, 20_000)}{${inner}},${clean.slice(20_000)}`, `${clean.slice(0, -1)},{${inner}}]`]) {
              assert.equal(check(policy, entity, framed), true, `${entity} ${key} in clean text`);
            }
          }
        }
      }
    }
  });

  it('a value followed by a colon, like a key, is a match', () => {
    assert.equal(check(cafe24Privacy, 'orders', '{"note":"name" :1}'), true);
  });

  it('catches a key whose match crosses a window boundary at any offset, even with whitespace longer than a window', () => {
    const filler = clean.replace(/\s/g, '');
    // Windows overlap by the longest quoted key: the first ends at TEXT_WINDOW_BYTES, the next that much further on.
    const overlap = Math.max(...keysOf(cafe24Privacy, 'orders').map((key) => key.length)) + 2;
    const boundaries = [TEXT_WINDOW_BYTES, 2 * TEXT_WINDOW_BYTES - overlap];
    for (const key of ['name', 'naverpay_payment_information', 'bank_account_owner_name']) {
      for (const gap of ['', '  ', ' '.repeat(TEXT_WINDOW_BYTES + 7)]) {
        const match = `"${key}"${gap}:`;
        // where the boundary falls in the match: in or around the quoted key, in the whitespace, at the colon
        const cuts = new Set([...Array.from({ length: key.length + 6 }, (_, i) => i - 2), gap.length >> 1, match.length - 1, match.length, match.length + 1]);
        for (const boundary of boundaries) {
          for (const cut of cuts) {
            const at = boundary - cut;
            const text = Buffer.from(filler.slice(0, at) + match + filler.slice(at), 'latin1');
            assert.equal(check(cafe24Privacy, 'orders', text), true, `${key} cut at ${cut}, gap ${gap.length}, boundary ${boundary}`);
          }
        }
      }
    }
  });

  it('walks text with a \\u escape: escaped clean text is clean, a key spelled in escapes is caught', () => {
    const orders = Array.from({ length: 20 }, (_, i) => JSON.stringify(cafe24Order(i + 1)));
    const asciiOnly = (text: string) => text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const escaped = asciiOnly(orders.join(','));
    assert.ok(escaped.includes('\\u') && !/[^\x00-\x7f]/.test(escaped));
    assert.equal(check(cafe24Privacy, 'orders', escaped), false, 'non-ASCII written as escapes, as PHP writes it');
    assert.equal(check(cafe24Privacy, 'orders', `${escaped},{"n\\u0061me":1}`), true, 'name spelled with an escape');
    assert.equal(check(cafe24Privacy, 'orders', `${escaped},{"x":[{"receiver\\u005fname":null}]}`), true, 'deep, even holding null');
    assert.equal(check(cafe24Privacy, 'orders', `{"note":"\\u0022name\\u0022:1"}`), false, 'a value that spells a key');
  });

  it('catches a \\u escape in text it cannot read, and reads only [start, end)', () => {
    for (const at of [0, 1, TEXT_WINDOW_BYTES - 1, clean.length - 1]) {
      const text = Buffer.from(`${clean.slice(0, at)}\\u${clean.slice(at)}`);
      assert.equal(check(cafe24Privacy, 'orders', text), true, `at ${at}`);
    }
    const bytes = Buffer.byteLength(clean);
    const outside = Buffer.from(`"name":\\u${clean}"name":\\u`);
    assert.equal(check(cafe24Privacy, 'orders', outside, 9, 9 + bytes), false);
    assert.equal(check(cafe24Privacy, 'orders', outside, 8, 9 + bytes), false, 'a backslash alone at the start');
    assert.equal(check(cafe24Privacy, 'orders', outside, 9, 9 + bytes + 1), false, 'a quote alone at the end');
    assert.equal(check(cafe24Privacy, 'orders', outside, 9, 9 + bytes + 7), true, 'a key at the end');
    assert.equal(check(cafe24Privacy, 'orders', outside, 7, 9 + bytes), true, 'an escape at the start');
  });

  it('finds a leaked key in the first or last record of an encoded chunk', () => {
    const records = Array.from({ length: 60 }, (_, i) => cafe24Order(i + 1));
    for (const leakAt of [0, 30, 59]) {
      const leaked = records.map((record, i) => (i === leakAt ? { ...record, receiver_name: '홍길동' } : record));
      const [value] = encodeRawResultChunks({ v: 1, platform: 'cafe24', entity: 'orders', tenantId: 'tenant-1', requestId: '11111111-1111-4111-8111-111111111111', fetchedAt: '2026-11-30T00:00:00.000Z' }, leaked).values;
      const { spans } = decodeRawResultHead(value!)!;
      assert.ok(value!.length > TEXT_WINDOW_BYTES * 2);
      assert.equal(mayHoldPersonalText(cafe24Privacy, 'orders', value!, spans[0]!, spans[spans.length - 1]!), true, `leak in record ${leakAt}`);
    }
  });

  it('agrees with the plain rule on random text made of keys, quotes, escapes, whitespace, colons and Korean', () => {
    const keys = keysOf(cafe24Privacy, 'orders');
    const random = seeded(42);
    const pieces = ['"', '\\', '\\"', ':', ' ', '\t', '\n', '\u00a0', '\u000b', ',', '{', '}', 'u', '색상', '블랙', 'x', 'name', '_', ...keys];
    for (let round = 0; round < 400; round++) {
      let text = random.next() < 0.5 ? filler(random, clean) : '';
      const count = random.int(1, 60);
      for (let i = 0; i < count; i++) text += pieces[random.int(0, pieces.length - 1)];
      if (random.next() < 0.5) text += filler(random, clean);
      const bytes = Buffer.from(text);
      const start = random.int(0, Math.min(5, bytes.length));
      const end = random.int(start, bytes.length);
      assert.equal(check(cafe24Privacy, 'orders', bytes, start, end), reference(keys, bytes, start, end), JSON.stringify(text.slice(0, 200)));
    }
  });
});

/** A slice of clean text, sometimes longer than a window. */
function filler(random: ReturnType<typeof seeded>, clean: string): string {
  const from = random.int(0, clean.length - 1);
  return clean.slice(from, from + random.int(0, 2 * TEXT_WINDOW_BYTES));
}
