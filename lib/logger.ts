/**
 * pino JSON logs. Secrets are removed by path before a line is written, wherever they sit in the object
 * (tokens, passwords, cookies, authorization headers). Job logs are children carrying tenantId, requestId, traceId.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'password', 'passwd', 'secret', 'clientSecret', 'client_secret', 'token', 'accessToken', 'access_token',
  'refreshToken', 'refresh_token', 'cookie', 'cookies', 'authorization', 'Authorization', 'set-cookie', 'apiKey',
  'sessionState', 'credentials', 'keys',
];

/** Redact each secret key at the top level and up to three levels down (pino paths need explicit depth). */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [
  key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`, `headers["${key.toLowerCase()}"]`, `*.headers["${key.toLowerCase()}"]`,
]);

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

export function createLogger({ level = 'info', name = 'sellerstream', destination }: LoggerOptions = {}): Logger {
  const options = { level, name, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export interface JobLogContext {
  tenantId: string;
  requestId: string;
  traceId?: string;
}

export function jobLogger(parent: Logger, { tenantId, requestId, traceId }: JobLogContext): Logger {
  return parent.child(traceId ? { tenantId, requestId, traceId } : { tenantId, requestId });
}
