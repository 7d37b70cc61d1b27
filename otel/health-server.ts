/**
 * One small HTTP server per process, on METRICS_HOST:METRICS_PORT (loopback by default: the numbers say how the
 * pipeline runs, which is not for the network at large):
 *   /metrics  Prometheus text (metrics.ts);
 *   /healthz  live: the event loop answers (a supervisor restarts a process that stops answering);
 *   /readyz   ready: every check passes (joined its group, broker reachable, warehouse answering); 503 with
 *             the failing checks otherwise, so a load balancer or an operator sees which store is missing.
 * A check that takes longer than `checkTimeoutMs` counts as failed: a hung store is not a ready one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  check(): boolean | Promise<boolean>;
}

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port (see `port` of the result). */
  port: number;
  metrics: Metrics;
  checks: readonly ReadinessCheck[];
  /** @default 2_000 */ checkTimeoutMs?: number;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([Promise.resolve().then(() => check.check()).catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startHealthServer({ host, port, metrics, checks, checkTimeoutMs = 2_000 }: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (path === '/metrics') {
      metrics.handle(request, response);
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"live"}');
    } else if (path === '/readyz') {
      void Promise.all(checks.map(async (c) => [c.name, await runCheck(c, checkTimeoutMs)] as const)).then((results) => {
        const ready = results.every(([, ok]) => ok);
        response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ready, checks: Object.fromEntries(results) }));
      });
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
