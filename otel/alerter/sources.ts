/**
 * Where the alerter reads its rules' rows: ClickHouse (the rule's own SQL), the processes' /metrics endpoints
 * (Prometheus text, scraped directly so alerting needs no Prometheus server), and the broker's end offsets of
 * the DLQ topics (the truth about DLQ growth, whatever process restarted and reset its counters).
 */
import type { Admin } from 'kafkajs';
import { request } from 'undici';
import type { KafkaContext } from '../../lib/kafka/client.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import type { SourceRow } from './evaluate.js';
import { sqlOf, type AlertRule } from './rules.js';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format → samples (comments and malformed lines skipped). */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[k as string] = (v as string).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** Rows of a ClickHouse rule. */
export function queryRule(warehouse: Warehouse, rule: AlertRule): Promise<SourceRow[]> {
  const { sql, params } = sqlOf(rule);
  return warehouse.query(sql, params);
}

export interface MetricsScraper {
  /** Every target's samples; a target that cannot be read fails the scrape (the rule keeps its last state). */
  scrape(): Promise<MetricSample[]>;
}

export function createMetricsScraper(targets: readonly string[], timeoutMs = 5_000): MetricsScraper {
  return {
    async scrape() {
      const texts = await Promise.all(targets.map(async (url) => {
        const response = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        const body = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
        return body;
      }));
      return texts.flatMap(parsePrometheusText);
    },
  };
}

/** Max of `name` grouped by `labels` over every sample: the rows of a metrics rule. */
export function maxBy(samples: readonly MetricSample[], name: string, labels: readonly string[]): SourceRow[] {
  const rows = new Map<string, SourceRow>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = labels.map((l) => s.labels[l] ?? '').join('\u0000');
    const row = rows.get(key);
    if (!row || (row.value as number) < s.value) rows.set(key, { ...Object.fromEntries(labels.map((l) => [l, s.labels[l] ?? ''])), value: s.value });
  }
  return [...rows.values()];
}

export interface DlqOffsets {
  /** Per base topic name, the sum of its partitions' end offsets. */
  endOffsets(topics: readonly string[]): Promise<Record<string, number>>;
}

export function createDlqOffsets(kafka: KafkaContext, admin: Admin): DlqOffsets {
  return {
    async endOffsets(topics) {
      const out: Record<string, number> = {};
      // A topic not created yet holds nothing (and asking kafkajs for its offsets would retry for a minute).
      const existing = new Set(await admin.listTopics());
      for (const topic of topics) {
        out[topic] = 0;
        if (!existing.has(kafka.topic(topic))) continue;
        const partitions = await admin.fetchTopicOffsets(kafka.topic(topic));
        out[topic] = partitions.reduce((sum, p) => sum + Number(p.high), 0);
      }
      return out;
    },
  };
}
