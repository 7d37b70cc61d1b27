/**
 * Source-call spans from undici's diagnostics channels (otel/undici-spans.ts), against a loopback server: a call
 * inside a trace gets a CLIENT span under the active span, with its status; a refused call is an error; a call
 * outside any trace gets none; no trace header is sent to the host. And telemetry hooks no `require()`.
 */
import assert from 'node:assert/strict';
import Module from 'node:module';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { waitFor } from '../../lib/wait-for.js';
import { startTelemetry, type Telemetry } from '../../otel/sdk.js';

describe('otel/undici-spans: a CLIENT span per source call', function () {
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let server: Server;
  let origin: string;
  const seen: IncomingHttpHeaders[] = [];

  before(async () => {
    telemetry = startTelemetry({ serviceName: 'undici-test', exporter: 'none', spanExporter: spans });
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(req.url === '/busy' ? 429 : 200).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await telemetry.shutdown();
  });
  beforeEach(() => {
    spans.reset();
    seen.length = 0;
  });

  const call = async (path: string) => (await request(`${origin}${path}`)).body.text();

  it('traces calls made inside a trace, under the active span, with their status', async function () {
    const job = trace.getTracer('test').startSpan('process sync.cafe24.high');
    await context.with(trace.setSpan(context.active(), job), async () => {
      await call('/api/v2/admin/orders?limit=1');
      await call('/busy');
    });
    job.end();
    // The exporter may receive a span after the call returned (seen in the full suite on a loaded machine: none yet
    // when read at once), so the test waits for both, with a deadline.
    const client = () => spans.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    await waitFor(() => client().length >= 2, { deadlineMs: 5_000, description: 'two CLIENT spans' });
    const [ok, refused] = client();
    assert.ok(ok && refused, 'two CLIENT spans');
    for (const s of [ok, refused]) {
      assert.equal(s.spanContext().traceId, job.spanContext().traceId);
      assert.equal(s.parentSpanContext?.spanId, job.spanContext().spanId);
      assert.equal(s.name, 'GET');
    }
    assert.equal(ok.attributes['url.full'], `${origin}/api/v2/admin/orders?limit=1`);
    assert.equal(ok.attributes['server.address'], '127.0.0.1');
    assert.equal(ok.attributes['http.response.status_code'], 200);
    assert.equal(ok.status.code, SpanStatusCode.UNSET);
    assert.equal(refused.attributes['http.response.status_code'], 429);
    assert.equal(refused.status.code, SpanStatusCode.ERROR);
    assert.ok(seen.every((h) => h.traceparent === undefined), 'no trace header goes to the host');
  });

  it('leaves require() unhooked (an instrumentation package\'s require-in-the-middle made each kafkajs request resolve a file)', function () {
    const source = (Module.prototype as unknown as { require: () => unknown }).require.toString();
    assert.doesNotMatch(source, /_unhooked|patchedRequire/);
  });

  it('makes no span for a call outside any trace', async function () {
    await call('/metrics');
    assert.deepEqual(spans.getFinishedSpans(), []);
  });
});
