/**
 * The kernel's spans, made from its instrumentation events (lib/kafka/instrumentation.ts): the kernel never
 * imports otel/, it announces its work and this subscriber traces it. Each `*.start` event opens a span under
 * the event's scope and puts the span into `scope.context`, so the kernel runs the work in it and its output's
 * headers carry it on; the matching end event (same scope) closes it. Names and attributes come from
 * attributes.ts: `send <topic>` (PRODUCER), `process <topic>` (CONSUMER: a job, or a sink flush group with links
 * to the other producing traces), `insert <table>` (a sink table insert).
 *
 * startTelemetry (sdk.ts) subscribes it for the process; tests that make spans without the SDK may call it too.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span } from '@opentelemetry/api';
import { errorMessage } from '../lib/errors.js';
import { INSTRUMENTATION_EVENTS, onInstrumentation, type TraceScope } from '../lib/kafka/instrumentation.js';
import { ATTR, SPAN, TRACER_NAME } from './attributes.js';

export function startKernelSpans(): () => void {
  const tracer = trace.getTracer(TRACER_NAME);
  const open = new WeakMap<TraceScope, Span>();

  function begin(scope: TraceScope, name: string, kind: SpanKind, attributes: Attributes, links: Link[] = []) {
    const span = tracer.startSpan(name, { kind, attributes, links }, scope.context);
    open.set(scope, span);
    scope.context = trace.setSpan(scope.context, span);
  }

  function finish(scope: TraceScope, error: unknown, { record = true, failed = error !== undefined } = {}) {
    const span = open.get(scope);
    if (!span) return;
    open.delete(scope);
    if (error !== undefined && record) span.recordException(error instanceof Error ? error : new Error(errorMessage(error)));
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    span.end();
  }

  const unsubscribe = [
    onInstrumentation(INSTRUMENTATION_EVENTS.PUBLISH_START, ({ scope, topic }) => begin(scope, SPAN.PRODUCE(topic), SpanKind.PRODUCER, {
      [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: topic,
    })),
    onInstrumentation(INSTRUMENTATION_EVENTS.PUBLISH, ({ scope, error }) => finish(scope, error)),

    // The request id is what a sync_runs row, a DLQ entry and a job's log lines name: searching spans by it finds the trace.
    onInstrumentation(INSTRUMENTATION_EVENTS.JOB_START, ({ scope, topic, partition, offset, groupId, tenantId, requestId }) => begin(scope, SPAN.PROCESS(topic), SpanKind.CONSUMER, {
      [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: topic, [ATTR.MESSAGING_PARTITION]: String(partition),
      [ATTR.MESSAGING_OFFSET]: offset, [ATTR.MESSAGING_GROUP]: groupId, [ATTR.TENANT_ID]: tenantId,
      ...(requestId === undefined ? {} : { [ATTR.REQUEST_ID]: requestId }),
    })),
    onInstrumentation(INSTRUMENTATION_EVENTS.JOB_END, ({ scope, outcome, error }) => {
      if (outcome !== 'abandoned') open.get(scope)?.setAttribute(ATTR.OUTCOME, outcome);
      // A failed job whose failure output committed is a handled error: recorded, the span itself is fine.
      finish(scope, error, { failed: outcome === 'abandoned' && error !== undefined });
    }),

    onInstrumentation(INSTRUMENTATION_EVENTS.BATCH_FLUSH_START, ({ scope, topic, groupId, messages, rows, links }) => begin(scope, SPAN.PROCESS(topic), SpanKind.CONSUMER, {
      [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: topic, [ATTR.MESSAGING_GROUP]: groupId,
      [ATTR.RECORDS]: messages, [ATTR.ROWS]: rows,
    }, links.map((context) => ({ context })))),
    onInstrumentation(INSTRUMENTATION_EVENTS.BATCH_FLUSH, ({ scope, error }) => finish(scope, error, { record: false })),

    onInstrumentation(INSTRUMENTATION_EVENTS.BATCH_INSERT_START, ({ scope, table, rows }) => begin(scope, SPAN.SINK_INSERT(table), SpanKind.INTERNAL, {
      [ATTR.TABLE]: table, [ATTR.ROWS]: rows,
    })),
    onInstrumentation(INSTRUMENTATION_EVENTS.BATCH_INSERT, ({ scope, error }) => finish(scope, error, { record: false })),
  ];
  return () => {
    for (const off of unsubscribe) off();
  };
}
