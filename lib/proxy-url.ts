/**
 * Outbound HTTP proxies as configured (`http://[user:pass@]host:port`, comma-separated): parsed and checked once,
 * with the credentials kept apart from the proxy's name. A proxy is known everywhere by its `server`
 * (`http://host:port`, never a secret): logs, errors, the session it served and the hash that assigns sellers to it
 * all use that, so rotating a proxy's password neither moves its sellers nor puts the password in a line.
 */

export interface ProxyEndpoint {
  /** `http://host:port`: the proxy's name in logs and hashes, and what Chromium is given. */
  server: string;
  /** From the URL's `user:pass@`, decoded (the logger redacts the key `credentials`). */
  credentials?: { username: string; password: string };
}

/** The entry with whatever stands before its last `@` (a user and password) replaced by `***`. */
export function redactProxyUrl(entry: string): string {
  return entry.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, '$1***@');
}

const SHAPE = 'must be http://[user:pass@]host:port';

/** One proxy URL; throws an Error naming the (redacted) entry when it is not `http://[user:pass@]host:port`. */
export function parseProxyUrl(entry: string): ProxyEndpoint {
  const shown = redactProxyUrl(entry);
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error(`proxy ${shown} ${SHAPE}`);
  }
  const bare = url.protocol === 'http:' && url.hostname !== '' && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  // An explicit port: WHATWG URL drops ":80", so look at the text itself.
  if (!bare || !/:\d{1,5}\/?$/.test(entry.split('@').pop() ?? '')) throw new Error(`proxy ${shown} ${SHAPE}`);
  if (Boolean(url.username) !== Boolean(url.password)) throw new Error(`proxy ${shown} needs both a user and a password, or neither`);
  return {
    server: `http://${url.hostname}:${url.port || '80'}`,
    ...(url.username ? { credentials: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } } : {}),
  };
}

/** A comma-separated list; empty means none (direct connections). Two entries naming one host:port are refused. */
export function parseProxyList(text: string): ProxyEndpoint[] {
  if (text.trim() === '') return [];
  const proxies = text.split(',').map((entry, index) => {
    const trimmed = entry.trim();
    if (trimmed === '') throw new Error(`proxy entry ${index + 1} is empty`);
    return parseProxyUrl(trimmed);
  });
  const seen = new Set<string>();
  for (const { server } of proxies) {
    if (seen.has(server)) throw new Error(`proxy ${server} is listed twice`);
    seen.add(server);
  }
  return proxies;
}
