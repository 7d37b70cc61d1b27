/**
 * The HTTP server: finds the mall a request is for and hands it to the OAuth or Admin API handlers.
 *
 * A mall is addressed in one of two ways, so a connector builds URLs exactly as in production and only the
 * origin template changes:
 *   production  https://{mall_id}.cafe24api.com/api/v2/admin/orders
 *   simulator   http://127.0.0.1:PORT/malls/{mall_id}/api/v2/admin/orders   (template http://127.0.0.1:PORT/malls/{mall_id})
 *   or          http://127.0.0.1:PORT/api/v2/admin/orders with `Host: {mall_id}.cafe24api.com`
 * Paths under `/__sim/` are the simulator's own control routes, never part of the Cafe24 API.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdminPipelineContext, handleAdminCall } from './admin-pipeline.js';
import { AdminApiError, ADMIN_MESSAGES } from './errors.js';
import type { FaultBoard } from './faults.js';
import { hasUnencodedCharacters, sendJson } from './http-io.js';
import { handleAuthorize, handleRevoke, handleToken, type OAuthHttpContext } from './oauth-http.js';
import type { ShopRegistry } from './shop-registry.js';

export interface ServerDeps {
  registry: ShopRegistry;
  faults: FaultBoard;
  oauth: OAuthHttpContext;
  admin: Omit<AdminPipelineContext, 'hold' | 'deliver'>;
  /** The `/__sim/` control routes, when enabled. */
  control?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

export interface RunningServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

const PATH_MALL = /^\/malls\/([a-z0-9]+)(\/.*)?$/;
const HOST_MALL = /^([a-z0-9]+)\.cafe24api\.com(:\d+)?$/i;

export async function startServer(deps: ServerDeps, { host, port }: { host: string; port: number }): Promise<RunningServer> {
  const held = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let listeningPort = port;

  const admin: AdminPipelineContext = {
    ...deps.admin,
    hold(res) {
      held.add(res);
      res.on('close', () => held.delete(res));
    },
    deliver(mallId, res, send) {
      const delay = deps.faults.latencyMs(mallId);
      if (delay <= 0) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send();
      }, delay);
      timers.add(timer);
    },
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '/';
    if (hasUnencodedCharacters(rawUrl)) return sendAdminError(res, new AdminApiError(400, ADMIN_MESSAGES.unencodedUrl));
    const url = new URL(rawUrl, `http://${req.headers.host ?? `${host}:${listeningPort}`}`);
    if (url.pathname.startsWith('/__sim/') && deps.control) return deps.control(req, res, url);

    const byPath = PATH_MALL.exec(url.pathname);
    const byHost = HOST_MALL.exec(req.headers.host ?? '');
    const mallId = (byPath?.[1] ?? byHost?.[1])?.toLowerCase();
    const apiPath = byPath ? (byPath[2] ?? '/') : url.pathname;
    if (!mallId) return sendAdminError(res, new AdminApiError(404, ADMIN_MESSAGES.notFoundApi));
    const mall = deps.registry.mall(mallId);
    if (!mall) return sendAdminError(res, new AdminApiError(404, ADMIN_MESSAGES.notFoundResource(`mall_id ${mallId}`)));
    const mallBaseUrl = byPath ? `http://${req.headers.host ?? `${host}:${listeningPort}`}/malls/${mallId}` : `http://${req.headers.host}`;

    if (apiPath.startsWith('/api/v2/admin/')) {
      return handleAdminCall(admin, { mallId, mall, subPath: apiPath.slice('/api/v2/admin'.length), url, req, res, mallBaseUrl });
    }
    if (apiPath === '/api/v2/oauth/authorize' && req.method === 'GET') return handleAuthorize(deps.oauth, mallId, url, res);
    if (apiPath === '/api/v2/oauth/token' && req.method === 'POST') return handleToken(deps.oauth, mallId, req, res);
    if (apiPath === '/api/v2/oauth/revoke' && req.method === 'POST') return handleRevoke(deps.oauth, mallId, req, res);
    return sendAdminError(res, new AdminApiError(404, ADMIN_MESSAGES.notFoundApi));
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendAdminError(res, new AdminApiError(500, `${ADMIN_MESSAGES.internalError} (${String(error)})`));
      else res.destroy();
    });
  });
  // Idle keep-alive sockets live longer than a busy event loop can stall (a 1000-order page takes ~0.3 s to
  // build); a short timeout would fire between a response and the client's next request on the same socket.
  // close() ends them regardless.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  listeningPort = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port: listeningPort,
    host,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const res of held) res.destroy();
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sendAdminError(res: ServerResponse, error: AdminApiError): void {
  sendJson(res, error.status, error.body());
}
