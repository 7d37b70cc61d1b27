/**
 * Starts OpenTelemetry for a sellerstream process: the NodeSDK with kafkajs, undici and http instrumentation,
 * W3C trace context (lib/kafka/headers.ts carries it through Kafka headers), the kernel's spans (kernel-spans.ts,
 * subscribed to its instrumentation events), and the exporter the config names.
 * Call it first in an entry point, before kafkajs/undici are used, and `shutdown()` on exit (it flushes spans).
 *
 * Only traces are configured, and only as the config says: the NodeSDK given no metric readers or log processors
 * builds OTLP ones from the OTEL_* environment (default localhost:4318) and sends to them on every export and at
 * shutdown, so both are passed empty. With `none`, the process makes no network attempt for telemetry at all
 * (test/otel/sdk.test.ts records its connections).
 */
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { context, propagation, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { startKernelSpans } from './kernel-spans.js';

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
    instrumentations: [new KafkaJsInstrumentation(), new UndiciInstrumentation(), new HttpInstrumentation()],
  });
  sdk.start();
  const stopKernelSpans = startKernelSpans();
  return {
    async shutdown() {
      stopKernelSpans();
      await sdk.shutdown();
      // The SDK leaves its providers registered as the API's globals, so a later start (a test after another, a
      // process restarting telemetry) would silently keep the shut-down ones: unregister them.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
