/**
 * Starts OpenTelemetry for a sellerstream process: the NodeSDK (tracer provider, async context, W3C trace context,
 * which lib/kafka/headers.ts carries through Kafka headers), the kernel's spans (kernel-spans.ts, subscribed to its
 * instrumentation events), a span per source call (undici-spans.ts), and the exporter the config names.
 * Call it first in an entry point, and `shutdown()` on exit (it flushes spans).
 *
 * No OpenTelemetry instrumentation package is registered. The kernel's spans already cover messaging (the
 * kafkajs instrumentation only added its own send and receive spans beside them), the http instrumentation only traced
 * /metrics scrapes and our own ClickHouse calls, which the sink's `insert` spans cover, and constructing any of
 * them installs a require hook that made every kafkajs request cost a filename resolution (undici-spans.ts says
 * how much). bench/tracing.ts, 40 shops: with them, throughput on ÷ off 0.85 and 354 vs 291 CPU µs per order;
 * without, 1.04 and 312 vs 316 (the machine shared, so the ratio moves by a few hundredths from run to run).
 *
 * Only traces are configured, and only as the config says: the NodeSDK given no metric readers or log processors
 * builds OTLP ones from the OTEL_* environment (default localhost:4318) and sends to them on every export and at
 * shutdown, so both are passed empty. With `none`, the process makes no network attempt for telemetry at all
 * (test/otel/sdk.test.ts records its connections).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { context, propagation, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { startKernelSpans } from './kernel-spans.js';
import { startUndiciSpans } from './undici-spans.js';

export interface TelemetryOptions {
  serviceName: string;
  exporter: 'none' | 'console' | 'otlp';
  endpoint?: string;
  /** Tests pass an in-memory exporter; it is flushed span by span. */
  spanExporter?: SpanExporter;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

export function startTelemetry({ serviceName, exporter, endpoint, spanExporter }: TelemetryOptions): Telemetry {
  const processors: SpanProcessor[] = [];
  if (spanExporter) processors.push(new SimpleSpanProcessor(spanExporter));
  else if (exporter === 'console') processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  else if (exporter === 'otlp') processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint })));

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: processors,
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
  });
  sdk.start();
  const stopKernelSpans = startKernelSpans();
  const stopUndiciSpans = startUndiciSpans();
  return {
    async shutdown() {
      stopKernelSpans();
      stopUndiciSpans();
      await sdk.shutdown();
      // The SDK leaves its providers registered as the API's globals, so a later start (a test after another, a
      // process restarting telemetry) would silently keep the shut-down ones: unregister them.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
