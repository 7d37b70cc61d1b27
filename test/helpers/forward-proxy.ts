/**
 * A small HTTP forward proxy on loopback, for tests of outbound proxies: absolute-URI requests (`GET http://…`,
 * what browsers and undici send for plain-http origins) are forwarded, CONNECT opens a tunnel (what they do for
 * https). With `credentials` it demands Basic `Proxy-Authorization` and answers 407 with `Proxy-Authenticate`
 * otherwise, as a real proxy does. Only loopback targets are served (a test never reaches out). Everything it
 * handled is in `seen`, in order: the method, the target, the status it answered, and the request's
 * `Authorization` and `Cookie` (what a test attributes the request to a seller by).
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  /** The absolute URL, or `host:port` for CONNECT. */
  target: string;
  /** What the proxy answered: 407 without the right credentials, 502 when the target was unreachable. */
  status: number;
  authorization?: string;
  cookie?: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, or `http://user:pass@127.0.0.1:PORT` with credentials: what ABLY_PROXIES takes. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`: the proxy's name in logs and the assignment. */
  readonly server: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

export async function startForwardProxy({ credentials }: { credentials?: { username: string; password: string } } = {}): Promise<ForwardProxy> {
  const expected = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const upstream = new Agent({ keepAlive: true });
  const authorized = (req: IncomingMessage) => expected === undefined || req.headers['proxy-authorization'] === expected;
  const note = (req: IncomingMessage, target: string, status: number) => seen.push({
    method: req.method ?? '', target, status,
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
  });

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '';
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      note(req, target, 400);
      res.writeHead(400).end('absolute URI required');
      return;
    }
    if (!authorized(req)) {
      note(req, target, 407);
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
      note(req, target, 403);
      res.writeHead(403).end('loopback http targets only');
      return;
    }
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const out = httpRequest(url, { method: req.method, headers, agent: upstream }, (answer) => {
      note(req, target, answer.statusCode ?? 0);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => {
      note(req, target, 502);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  }

  function tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? '';
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    if (!authorized(req)) {
      note(req, target, 407);
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!LOOPBACK.has(host) || !Number.isInteger(port)) {
      note(req, target, 403);
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const server = connect(port, host.replace(/^\[|\]$/g, ''), () => {
      note(req, target, 200);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) server.write(head);
      server.pipe(client);
      client.pipe(server);
    });
    sockets.add(server);
    server.on('close', () => sockets.delete(server));
    server.on('error', () => {
      note(req, target, 502);
      client.destroy();
    });
    client.on('error', () => server.destroy());
  }

  const proxy = createServer(forward);
  proxy.on('connect', tunnel);
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  const server = `http://127.0.0.1:${port}`;
  const userinfo = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
  return {
    url: `http://${userinfo}127.0.0.1:${port}`,
    server,
    seen,
    async close() {
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      upstream.destroy();
      await closed;
    },
  };
}
