/**
 * The trace a flush group joins: the first producing job's context (from the messages' W3C headers) is its
 * parent, so one trace runs from the scheduler through the platform consumer to the sink; every other producing
 * trace in the group becomes a link (the flush group's span, otel/kernel-spans.ts, carries them).
 */
import { context, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { extractTraceContext } from '../../lib/kafka/headers.js';
import type { FlushGroup } from './flusher.js';

/** Most span links a group span carries (one per distinct producing trace). */
export const MAX_SPAN_LINKS = 32;

export function traceOf(group: FlushGroup): { parent: Context; links: SpanContext[] } {
  let parent: Context | undefined;
  const links: SpanContext[] = [];
  const seen = new Set<string>();
  for (const batch of group.batches) {
    for (const message of batch.messages) {
      const ctx = extractTraceContext(message.headers);
      const spanContext = trace.getSpanContext(ctx);
      if (!spanContext || seen.has(spanContext.traceId)) continue;
      seen.add(spanContext.traceId);
      if (!parent) parent = ctx;
      else if (links.length < MAX_SPAN_LINKS) links.push(spanContext);
    }
  }
  return { parent: parent ?? context.active(), links };
}
