/**
 * Trace context through Kafka headers (W3C traceparent/tracestate), so a job's trace runs from the scheduler
 * through the platform consumer to the sink. Uses the globally registered propagator (otel/sdk.ts sets W3C).
 */
import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';

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
export function injectTraceHeaders(headers: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
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
