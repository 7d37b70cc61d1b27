/** One notification as the words an operator reads: a subject line and a plain-text body (Slack and e-mail alike). */
import type { Notification } from './book.js';
import type { Instance } from './evaluate.js';
import { thresholdOf, type AlertRule } from './rules.js';

export interface AlertMessage {
  subject: string;
  text: string;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function measure(rule: AlertRule, value: number): string {
  switch (rule.kind) {
    case 'success_rate': return `success ${pct(value)} (threshold ${pct(rule.threshold)}, last ${rule.windowMinutes} min)`;
    case 'freshness_burn': return `burn rate ${value.toFixed(1)}× over ${rule.longMinutes} and ${rule.shortMinutes} min (threshold ${rule.burnRate}×, objective ${pct(rule.objective)})`;
    case 'freshness_breach': return `${pct(value)} of tenants' ${rule.entity} older than the SLO (threshold ${pct(rule.threshold)})`;
    case 'credential_parks': return `${value} tenants parked for credentials in ${rule.windowMinutes} min (threshold ${rule.threshold})`;
    case 'dlq_growth': return `${value} messages added in ${rule.windowMinutes} min (threshold ${rule.threshold})`;
    case 'lag_seconds': return `oldest uncommitted message ${Math.round(value)} s old (threshold ${thresholdOf(rule)} s)`;
    case 'breaker_open': return 'circuit breaker open';
  }
}

function line(rule: AlertRule, instance: Instance): string {
  const labels = Object.entries(instance.labels).map(([k, v]) => `${k}=${v}`).join(' ');
  const examples = instance.examples.length ? `; look at: ${instance.examples.join(', ')}` : '';
  return `• ${labels}: ${measure(rule, instance.value)}${examples}`;
}

export function formatNotification(n: Notification): AlertMessage {
  const { rule } = n;
  const since = new Date(n.since).toISOString();
  if (n.status === 'resolved') {
    return {
      subject: `[RESOLVED] ${rule.id} (${rule.severity})`,
      text: `${rule.id} is resolved: firing since ${since}, cleared at ${new Date(n.at).toISOString()}.`,
    };
  }
  const what = n.instances.map((i) => Object.values(i.labels).join('/')).join(', ');
  const prefix = n.reason === 'reminder' ? '[FIRING, still]' : '[FIRING]';
  return {
    subject: `${prefix} ${rule.id} (${rule.severity}): ${what}`,
    text: [`${rule.id} (${rule.kind}) firing since ${since}:`, ...n.instances.map((i) => line(rule, i)),
      'Dashboards: sellerstream: fleet health, freshness and SLO, one tenant.'].join('\n'),
  };
}
