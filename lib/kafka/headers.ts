/**
 * The headers every tenant-scoped message carries: who and which request, and the W3C trace context
 * (traceparent/tracestate), so a job's trace runs from the scheduler through the platform consumer to the sink.
 * Trace context goes through `@opentelemetry/api`'s globally registered propagator only (otel/sdk.ts registers
 * W3C; with no SDK the API's no-op propagator leaves headers as they are): the kernel never imports `otel/`.
 */
import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

export const HEADER = { TENANT_ID: 'tenantId', REQUEST_ID: 'requestId', CONTRACT: 'contract', TRACEPARENT: 'traceparent' } as const;

/**
 * kafkajs gives header values as Buffers (or arrays of them); the runner reads them once, as strings. `omit`
 * names a header left out unread (a large one the caller has no use for as text).
 */
export function readHeaders(headers: IHeaders | undefined, omit?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name === omit) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export function jobHeaders(tenantId: string, requestId: string, contract: string): Record<string, string> {
  return { [HEADER.TENANT_ID]: tenantId, [HEADER.REQUEST_ID]: requestId, [HEADER.CONTRACT]: contract };
}

type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const headerGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** Adds the active (or given) context's trace headers to `headers`. */
export function injectTraceHeaders<H extends Record<string, string | Buffer>>(headers: H, ctx: Context = context.active()): H {
  propagation.inject(ctx, headers);
  return headers;
}

/** The context a consumed message carries; the root context when it carries none. */
export function extractTraceContext(headers: KafkaHeaders | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

export function traceIdOf(ctx: Context = context.active()): string | undefined {
  const id = trace.getSpanContext(ctx)?.traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
