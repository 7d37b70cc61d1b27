/**
 * Pure rule evaluation: the rows a rule's source returned (label columns, a numeric `value`, maybe `examples`)
 * → the instances that fire. No I/O and no clock, so every rule is tested on plain rows.
 */
import { KIND, thresholdOf, type AlertRule } from './rules.js';

export type SourceRow = Record<string, unknown>;

export interface Instance {
  /** The rule's label values (platform, tier, topic, …): never a tenant id. */
  labels: Record<string, string>;
  value: number;
  /** A few tenants (or tenant/platform pairs) to look at first, where the rule can name them. */
  examples: string[];
}

export function instanceKey(instance: Pick<Instance, 'labels'>): string {
  return Object.entries(instance.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
}

function crosses(rule: AlertRule, value: number): boolean {
  const threshold = thresholdOf(rule);
  switch (KIND[rule.kind].fires) {
    case 'below': return value < threshold;
    case 'above': return value > threshold;
    case 'at_or_above': return value >= threshold;
  }
}

export function firingInstances(rule: AlertRule, rows: readonly SourceRow[]): Instance[] {
  const labelNames = KIND[rule.kind].labels;
  const firing: Instance[] = [];
  for (const row of rows) {
    const value = Number(row.value);
    if (!Number.isFinite(value) || !crosses(rule, value)) continue;
    const labels = Object.fromEntries(labelNames.map((l) => [l, String(row[l] ?? '')]));
    const examples = Array.isArray(row.examples) ? row.examples.map(String) : [];
    firing.push({ labels, value, examples });
  }
  return firing.sort((a, b) => instanceKey(a).localeCompare(instanceKey(b)));
}

export interface CounterSample { at: number; value: number }

/**
 * How much a monotonically growing total (a DLQ topic's end offsets) grew over the last `windowMs`: against the
 * newest sample at or before the window's start, or the oldest one kept when the history is shorter (a fresh
 * alerter under-reports until it has watched a whole window, never over-reports). A drop (a recreated topic)
 * counts from the drop.
 */
export function growthOver(history: readonly CounterSample[], now: number, windowMs: number): number {
  if (history.length === 0) return 0;
  const start = now - windowMs;
  let base = history[0] as CounterSample;
  for (const sample of history) if (sample.at <= start) base = sample;
  let growth = 0;
  let previous = base.value;
  for (const sample of history) {
    if (sample.at <= base.at) continue;
    if (sample.at > now) break;
    growth += sample.value >= previous ? sample.value - previous : sample.value;
    previous = sample.value;
  }
  return growth;
}
