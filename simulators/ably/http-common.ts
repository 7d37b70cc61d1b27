/** HTTP pieces both origins share: the client's IP, HTML pages the gateway and the block answer with. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The socket's address (so a client can appear as many IPs by binding 127.0.0.x, all of which route to
 * loopback), or the first `X-Forwarded-For` hop when the simulator is told to trust it (a proxy in front).
 */
export function clientIp(req: IncomingMessage, trustForwardedFor: boolean): string {
  const forwarded = trustForwardedFor ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
  return forwarded || (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export const BLOCK_TEXT = '비정상적인 접근이 감지되었습니다';

/** The soft-block page (b.5): status 200, so only its content says what happened. */
export const BLOCK_PAGE = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>접근 제한 | 에이블리</title></head>`
  + `<body><div class="block-notice"><h1>${BLOCK_TEXT}</h1><p>잠시 후 다시 시도해주세요. 문제가 계속되면 고객센터로 문의해주세요.</p></div></body></html>`;

/** What a gateway in front of the API says on 502/503 (HTML, as nginx writes it). */
export function gatewayPage(status: 502 | 503): string {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>`;
}

export const TOO_MANY_PAGE = '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>429 Too Many Requests</title></head>'
  + '<body><h1>요청이 너무 많습니다</h1></body></html>';

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
