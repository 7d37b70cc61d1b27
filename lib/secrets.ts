/**
 * Secrets at rest (passwords, OAuth tokens, session cookies): AES-256-GCM with a random 96-bit IV per value.
 * The sealed form names its key: `keyId.iv.tag.ciphertext` (base64url), so keys rotate by adding a new one in
 * front: new values use it, old values still open with theirs. A reader re-seals a value it opened with an older
 * key (`isCurrent`), so the old key can be dropped once every value was read at least once since the rotation.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NonRetriableError } from './errors.js';

export class SecretsError extends NonRetriableError {
  override readonly code: string = 'SECRETS';
}

export interface Keyring {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Whether `sealed` names the key that seals now (false: re-seal it). */
  isCurrent(sealed: string): boolean;
}

/** `spec` is "keyId:base64(32 bytes)[,…]" (config `secrets.keys`); the first key seals. */
export function createKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let activeId: string | undefined;
  for (const entry of spec.split(',').filter(Boolean)) {
    const [id, encoded] = entry.split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32) throw new SecretsError('each secrets key must be keyId:base64(32 bytes)');
    keys.set(id, key);
    activeId ??= id;
  }
  if (!activeId) {
    throw new SecretsError('no secrets key configured: SECRETS_KEYS is not set; print a fresh key with `npm run secrets -- new-key` and set SECRETS_KEYS to it');
  }
  const sealingId = activeId;

  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.get(sealingId)!, iv);
      cipher.setAAD(Buffer.from(sealingId));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [sealingId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    open(sealed) {
      const [id, iv, tag, ciphertext] = sealed.split('.');
      const key = id === undefined ? undefined : keys.get(id);
      if (!key || iv === undefined || tag === undefined || ciphertext === undefined) {
        throw new SecretsError(`cannot open a secret sealed with key "${id ?? '?'}"`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(id!));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SecretsError('a sealed secret failed authentication (tampered or wrong key)', { cause: error });
      }
    },
    isCurrent: (sealed) => sealed.startsWith(`${sealingId}.`),
  };
}

/** A fresh random key spec, `keyId:base64(32 bytes)` (`npm run secrets -- new-key` prints one). */
export function generateKeySpec(id = 'dev'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
