/**
 * HS256 JSON Web Tokens, as the seller API issues them (`{"token": "<jwt>"}`, sent back as `Authorization: JWT
 * <token>`). Times are simulated-clock seconds. The secret comes from the seed, so tokens repeat per run.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AblyJwtPayload {
  sub: string;
  seller_no: number;
  email: string;
  iat: number;
  exp: number;
  jti: string;
  token_type: 'ably';
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(payload: AblyJwtPayload, secret: string): string {
  const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The payload when the signature holds (expiry is the caller's check), else undefined. */
export function verifyJwt(token: string, secret: string): AblyJwtPayload | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2] as string, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as AblyJwtPayload;
    return typeof payload.sub === 'string' && typeof payload.exp === 'number' ? payload : undefined;
  } catch {
    return undefined;
  }
}
