/**
 * Telemetry makes exactly the network attempts its config asks for. With `none`, no exporter, metric reader or
 * log processor is built: the process opens no connection at all, even though the OpenTelemetry environment
 * points at a listening collector (the NodeSDK's own fallback would be OTLP on it). With `otlp`, spans go to the
 * configured endpoint, which proves the recorder and the collector see a connection when there is one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/telemetry-process.ts', import.meta.url));

/** Runs the fixture and returns the connections it recorded. */
async function connectionsOf(env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, `the fixture failed: ${err.slice(-2000)}`);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `no report from the fixture: ${out}`);
  return (JSON.parse(line) as { connections: string[] }).connections;
}

describe('otel/sdk: network attempts', function () {
  this.timeout(30_000);
  let collector: Server;
  let requests: string[];
  let origin: string;

  beforeEach(async () => {
    requests = [];
    collector = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    collector.closeAllConnections();
    await new Promise((resolve) => collector.close(resolve));
  });

  /** What the OpenTelemetry environment variables would make a bare NodeSDK export to: our collector. */
  const otelEnv = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: origin, OTEL_METRIC_EXPORT_INTERVAL: '100', OTEL_BLRP_SCHEDULE_DELAY: '100' });

  it('with exporter none, opens no connection while starting, tracing and shutting down', async () => {
    const connections = await connectionsOf({ ...otelEnv(), EXPORTER: 'none' });
    assert.deepEqual(connections, [], 'outgoing connections');
    assert.deepEqual(requests, [], 'requests the collector received');
  });

  it('with exporter otlp, sends spans to the configured endpoint and nothing else', async () => {
    const connections = await connectionsOf({ ...otelEnv(), EXPORTER: 'otlp', ENDPOINT: `${origin}/v1/traces` });
    assert.ok(connections.length > 0 && connections.every((c) => c === `connect ${origin.slice('http://'.length)}`), `connections: ${connections.join(', ')}`);
    assert.deepEqual([...new Set(requests)], ['POST /v1/traces']);
  });
});
