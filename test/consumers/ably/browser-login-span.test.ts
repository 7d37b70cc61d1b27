/**
 * A browser login is a span of the job's trace, with real Chromium against the simulator's challenge login: a
 * login that passes ends OK under the job's span; a wrong password ends with an error status and no secret in it.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { BROWSER_LOGIN_SPAN, createBrowserLogin } from '../../../consumers/ably/browser-login.js';
import { createBrowserPool, type BrowserPool } from '../../../consumers/ably/browser-pool.js';
import { waitFor } from '../../../lib/wait-for.js';
import { startTelemetry, type Telemetry } from '../../../otel/sdk.js';
import { startAblySimulator, type AblySimulator } from '../../../simulators/ably/simulator.js';

describe('ably browser login span (real Chromium)', function () {
  this.timeout(60_000);
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let sim: AblySimulator;
  let pool: BrowserPool;

  before(async () => {
    telemetry = startTelemetry({ serviceName: 'ably-login-span', exporter: 'none', spanExporter: spans });
    sim = await startAblySimulator({ seed: 9, sellers: [{ sellerId: 'span-chal', loginMode: 'challenge', goods: 1, historyDays: 1 }] });
    pool = createBrowserPool({ maxOpenPages: 1 });
  });
  after(async () => {
    await pool?.destroy();
    await sim?.stop();
    await telemetry?.shutdown();
  });

  async function loginInJob(password: string) {
    const [seller] = sim.sellers;
    const login = createBrowserLogin({ pool, webUrl: sim.webUrl, evidenceDir: join(tmpdir(), 'ably-login-span') });
    const job = trace.getTracer('test').startSpan('process sync.ably.high');
    const outcome = await context.with(trace.setSpan(context.active(), job), () =>
      login({ tenantId: 't-span', email: seller!.email, password, signal: new AbortController().signal })).then(() => 'ok', (error: Error) => error);
    job.end();
    await waitFor(() => spans.getFinishedSpans().some((s) => s.name === BROWSER_LOGIN_SPAN), { deadlineMs: 5_000, description: 'the login span' });
    const span = spans.getFinishedSpans().find((s) => s.name === BROWSER_LOGIN_SPAN)!;
    spans.reset();
    return { outcome, span, job };
  }

  it('a login that passes the challenge is a child of the job span, with the tenant', async () => {
    const { outcome, span, job } = await loginInJob(sim.sellers[0]!.password);
    assert.equal(outcome, 'ok');
    assert.equal(span.spanContext().traceId, job.spanContext().traceId);
    assert.equal(span.parentSpanContext?.spanId, job.spanContext().spanId);
    assert.equal(span.attributes['sellerstream.tenant.id'], 't-span');
    assert.equal(span.status.code, SpanStatusCode.UNSET);
  });

  it('a wrong password ends the span with an error status that holds no secret', async () => {
    const { outcome, span } = await loginInJob('not-the-password-42');
    assert.ok(outcome instanceof Error);
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.match(span.status.message ?? '', /wrong password/);
    assert.doesNotMatch(JSON.stringify(span.attributes) + (span.status.message ?? ''), /not-the-password-42/);
  });
});
