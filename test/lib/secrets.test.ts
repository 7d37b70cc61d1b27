import assert from 'node:assert/strict';
import { createKeyring, generateKeySpec, SecretsError } from '../../lib/secrets.js';

describe('secrets keyring (AES-256-GCM)', () => {
  it('seals and opens, naming the key, never showing the plaintext', () => {
    const ring = createKeyring(generateKeySpec('k1'));
    const sealed = ring.seal('refresh-token-블라우스');
    assert.match(sealed, /^k1\./);
    assert.ok(!sealed.includes('refresh-token'));
    assert.equal(ring.open(sealed), 'refresh-token-블라우스');
    assert.notEqual(ring.seal('same'), ring.seal('same'), 'a fresh IV per value');
  });

  it('rotates: the first key seals, older keys still open their values', () => {
    const old = generateKeySpec('old');
    const sealedWithOld = createKeyring(old).seal('v1');
    const rotated = createKeyring(`${generateKeySpec('new')},${old}`);
    assert.equal(rotated.open(sealedWithOld), 'v1');
    assert.match(rotated.seal('v2'), /^new\./);
  });

  it('refuses tampered values and unknown keys with a clear error', () => {
    const ring = createKeyring(generateKeySpec('k1'));
    const [id, iv, tag, data] = ring.seal('secret').split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => ring.open([id, iv, tag, flipped.toString('base64url')].join('.')), SecretsError);
    assert.throws(() => createKeyring(generateKeySpec('other')).open(ring.seal('x')), /key "k1"/);
    assert.throws(() => createKeyring(''), /no secrets key/);
  });
});
