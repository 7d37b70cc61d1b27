/**
 * A CLIENT span for each HTTP call a job makes through undici (the Cafe24 Admin API, Ably's JSON API): the
 * source-call spans of a sync's trace, from undici's own diagnostics channels.
 *
 * Why not @opentelemetry/instrumentation-undici: constructing any OpenTelemetry `InstrumentationBase` installs
 * require-in-the-middle's hook on every `require()` of the process (RequireInTheMiddleSingleton), for good. kafkajs
 * calls `require('./vN/request')` on each protocol request (fetch, produce, metadata…), and each of those
 * then resolves its filename again, through tsx's resolver, which builds an Error stack with source maps. In the
 * tracing bench that was 3.0 of 28 busy CPU seconds of the consumer (bench/tracing.ts, CPU profile), the largest
 * part of what tracing cost. Listening to the channels needs no require hook.
 *
 * Only calls made inside a trace get a span (a job's): a call outside one (the alerter reading /metrics, a Slack
 * webhook) would otherwise start a trace of its own for each call. No trace headers are added to the request: the
 * hosts are third parties that do not take part in our traces.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { TRACER_NAME } from './attributes.js';

/** The parts of undici's diagnostics-channel payloads read here (undici 7: lib/core/diagnostics.js). */
interface UndiciRequest {
  origin?: string | URL;
  method: string;
  path: string;
}
interface RequestMessage {
  request: UndiciRequest;
}
interface HeadersMessage extends RequestMessage {
  response: { statusCode: number };
}
interface ErrorMessage extends RequestMessage {
  error: Error & { code?: string };
}

const SCHEME_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

export function startUndiciSpans(): () => void {
  const tracer = trace.getTracer(TRACER_NAME);
  const open = new WeakMap<UndiciRequest, Span>();
  // A job calls one or two origins many times: parse each once, not per call.
  const servers = new Map<string, { address: string; port: number }>();

  const serverOf = (origin: string) => {
    let server = servers.get(origin);
    if (!server) {
      const url = new URL(origin);
      server = { address: url.hostname, port: Number(url.port) || SCHEME_PORT[url.protocol] || 0 };
      if (servers.size < 1_000) servers.set(origin, server);
    }
    return server;
  };

  const onCreate = (message: unknown) => {
    const { request } = message as RequestMessage;
    const parent = context.active();
    if (request.method === 'CONNECT' || !trace.getSpanContext(parent) || request.origin === undefined) return;
    const origin = String(request.origin).replace(/\/$/, '');
    const server = serverOf(origin);
    open.set(request, tracer.startSpan(request.method, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': request.method, 'server.address': server.address, 'server.port': server.port, 'url.full': origin + request.path,
      },
    }, parent));
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as HeadersMessage;
    const span = open.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 400) {
      span.setAttribute('error.type', String(response.statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  };
  const onDone = (message: unknown) => {
    const { request } = message as RequestMessage;
    open.get(request)?.end();
    open.delete(request);
  };
  const onError = (message: unknown) => {
    const { request, error } = message as ErrorMessage;
    const span = open.get(request);
    if (!span) return;
    open.delete(request);
    // A call its job aborted (deadline, rebalance) is not the source's failure.
    if (error.name !== 'AbortError') {
      span.setAttribute('error.type', error.code ?? error.name ?? 'Error');
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  };

  const channels: [string, (message: unknown) => void][] = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onDone],
    ['undici:request:error', onError],
  ];
  for (const [name, listener] of channels) subscribe(name, listener);
  return () => {
    for (const [name, listener] of channels) unsubscribe(name, listener);
  };
}
