/**
 * The two loopback listeners (web origin, API origin) and their lifecycle: delayed responses are timers the
 * servers own, so `close()` clears them and ends every connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface Listeners {
  webPort: number;
  apiPort: number;
  later(delayMs: number, res: ServerResponse, send: () => void): void;
  close(): Promise<void>;
}

export interface ListenerHandlers {
  web: Handler;
  api: Handler;
}

async function listen(handler: Handler, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const text = JSON.stringify({ message: `simulator error: ${String(error)}` });
      res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Handlers are bound late (they need the URLs the listeners get), through `bind`. */
export async function startListeners(host: string, ports: { web: number; api: number }) {
  const timers = new Set<NodeJS.Timeout>();
  let handlers: ListenerHandlers | undefined;
  const dispatch = (pick: (h: ListenerHandlers) => Handler): Handler => (req, res) => pick(handlers as ListenerHandlers)(req, res);
  const web = await listen(dispatch((h) => h.web), host, ports.web);
  const api = await listen(dispatch((h) => h.api), host, ports.api).catch(async (error) => {
    await new Promise((resolve) => web.close(resolve));
    throw error;
  });
  let closing: Promise<void> | undefined;
  const listeners: Listeners = {
    webPort: (web.address() as AddressInfo).port,
    apiPort: (api.address() as AddressInfo).port,
    later(delayMs, res, send) {
      if (delayMs <= 0) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send();
      }, delayMs);
      timers.add(timer);
    },
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        await Promise.all([web, api].map((server) => new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        })));
      })();
      return closing;
    },
  };
  return { listeners, bind: (h: ListenerHandlers) => { handlers = h; } };
}
