/**
 * The process's metrics: the OpenTelemetry metrics SDK with its Prometheus exporter, every instrument made once
 * from the table in metric-names.ts. Why this and not prom-client: it is already in the tree (the NodeSDK brings
 * both packages), so no second metrics library; the same instruments can be exported over OTLP to the collector
 * by adding a reader, without touching a call site; and the exporter serialises on scrape, so recording is an
 * in-memory add with no per-call formatting. The exporter's own server is never started: /metrics is served by
 * health-server.ts beside /healthz and /readyz, on one port.
 *
 * Gauges hold the last value set per label set and are read by the SDK at scrape time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { Counter, Histogram } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { METRICS, type MetricName } from './metric-names.js';

type NamesOf<K extends string> = { [N in MetricName]: (typeof METRICS)[N]['kind'] extends K ? N : never }[MetricName];
export type CounterName = NamesOf<'counter'>;
export type HistogramName = NamesOf<'histogram'>;
export type GaugeName = NamesOf<'gauge'>;
export type Labels = Record<string, string>;

const labelKey = (labels: Labels) => Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');

export function createMetrics() {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('sellerstream');
  const counters = new Map<string, Counter>();
  const histograms = new Map<string, Histogram>();
  const gauges = new Map<string, Map<string, { labels: Labels; value: number }>>();

  for (const [name, spec] of Object.entries(METRICS)) {
    if (spec.kind === 'counter') counters.set(name, meter.createCounter(name, { description: spec.help }));
    else if (spec.kind === 'histogram') histograms.set(name, meter.createHistogram(name, { description: spec.help, advice: { explicitBucketBoundaries: [...spec.buckets] } }));
    else {
      const values = new Map<string, { labels: Labels; value: number }>();
      gauges.set(name, values);
      meter.createObservableGauge(name, { description: spec.help }).addCallback((result) => {
        for (const { labels, value } of values.values()) result.observe(value, labels);
      });
    }
  }

  return {
    add(name: CounterName, labels: Labels = {}, value = 1): void {
      counters.get(name)?.add(value, labels);
    },
    record(name: HistogramName, value: number, labels: Labels = {}): void {
      histograms.get(name)?.record(value, labels);
    },
    set(name: GaugeName, labels: Labels, value: number): void {
      gauges.get(name)?.set(labelKey(labels), { labels, value });
    },
    /** Replaces every series of a gauge (a topic no longer assigned disappears instead of showing its last value). */
    replace(name: GaugeName, series: readonly { labels: Labels; value: number }[]): void {
      const values = gauges.get(name);
      values?.clear();
      for (const s of series) values?.set(labelKey(s.labels), s);
    },
    /** Serves the Prometheus text exposition. */
    handle(request: IncomingMessage, response: ServerResponse): void {
      exporter.getMetricsRequestHandler(request, response);
    },
    shutdown: () => provider.shutdown(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
