/**
 * The alert rules as Grafana alert provisioning (grafana/provisioning/alerting/sellerstream.json), made from
 * deploy/alerts/rules.json and the very SQL and PromQL the alerter runs (rules.ts), so a team that alerts from
 * Grafana gets the same alerts. The alerter's grouping, cooldown and reminders map onto the notification policy
 * (group by rule, group_interval = cooldown, repeat_interval = repeat). Contact points read SLACK_WEBHOOK_URL and
 * ALERT_EMAIL_TO from Grafana's environment. A test checks the committed file is what this makes; after changing
 * the rules run `tsx otel/alerter/grafana-rules.ts` to write it again.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KIND, loadAlertRules, promqlOf, sqlOf, thresholdOf, type AlertRule, type AlertRules } from './rules.js';

export const GRAFANA_ALERTING_FILE = fileURLToPath(new URL('../../grafana/provisioning/alerting/sellerstream.json', import.meta.url));
export const RULES_FILE = fileURLToPath(new URL('../../deploy/alerts/rules.json', import.meta.url));

const CLICKHOUSE = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };
const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' };

/** Grafana has no bound parameters: the rule's validated numbers and names are written into the SQL. */
export function inlineParams(sql: string, params: Record<string, unknown>): string {
  return sql.replace(/\{(\w+):([^}]+)\}/g, (_m, name: string) => {
    const value = params[name];
    const literal = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
    if (value === undefined) throw new Error(`no value for {${name}}`);
    return Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : literal(value);
  });
}

function windowSecondsOf(rule: AlertRule): number {
  switch (rule.kind) {
    case 'success_rate': case 'credential_parks': case 'dlq_growth': return rule.windowMinutes * 60;
    case 'freshness_burn': return rule.longMinutes * 60;
    default: return 600;
  }
}

function queryOf(rule: AlertRule) {
  if (KIND[rule.kind].source === 'clickhouse') {
    const { sql, params } = sqlOf(rule);
    // Grafana makes one alert instance per row from the label columns and the single numeric column.
    const rawSql = `SELECT ${KIND[rule.kind].labels.join(', ')}, value FROM (\n${inlineParams(sql, params)}\n)`;
    return { datasourceUid: CLICKHOUSE.uid, model: { refId: 'A', datasource: CLICKHOUSE, editorType: 'sql', format: 1, queryType: 'table', rawSql } };
  }
  return { datasourceUid: PROMETHEUS.uid, model: { refId: 'A', datasource: PROMETHEUS, expr: promqlOf(rule), instant: true, range: false } };
}

function grafanaRule(rule: AlertRule) {
  const evaluator = { below: 'lt', above: 'gt', at_or_above: 'gt' }[KIND[rule.kind].fires];
  // Grafana's threshold has no ">="; a hair under the threshold makes "gt" mean "at or above".
  const threshold = KIND[rule.kind].fires === 'at_or_above' ? thresholdOf(rule) - 1e-9 : thresholdOf(rule);
  return {
    uid: `ss-${rule.id}`.slice(0, 40),
    title: rule.id,
    condition: 'C',
    data: [
      { refId: 'A', relativeTimeRange: { from: windowSecondsOf(rule), to: 0 }, ...queryOf(rule) },
      {
        refId: 'C', datasourceUid: '__expr__',
        model: { refId: 'C', type: 'threshold', expression: 'A', datasource: { type: '__expr__', uid: '__expr__' }, conditions: [{ evaluator: { type: evaluator, params: [threshold] } }] },
      },
    ],
    noDataState: 'OK',
    execErrState: 'Error',
    for: '0s',
    labels: { severity: rule.severity, rule: rule.id },
    annotations: {
      summary: `${rule.id} (${rule.kind}) on {{ $labels }}: {{ $values.A }}`,
      description: 'Same rule as the sellerstream alerter (deploy/alerts/rules.json). Dashboards: sellerstream: fleet health, freshness and SLO, one tenant.',
    },
  };
}

export function grafanaAlertProvisioning(rules: AlertRules) {
  return {
    apiVersion: 1,
    groups: [{ orgId: 1, name: 'sellerstream', folder: 'sellerstream', interval: '1m', rules: rules.rules.map(grafanaRule) }],
    contactPoints: [{
      orgId: 1,
      name: 'sellerstream-oncall',
      receivers: [
        { uid: 'ss-slack', type: 'slack', settings: { url: '$SLACK_WEBHOOK_URL' }, disableResolveMessage: false },
        { uid: 'ss-email', type: 'email', settings: { addresses: '$ALERT_EMAIL_TO', singleEmail: true }, disableResolveMessage: false },
      ],
    }],
    policies: [{
      orgId: 1,
      receiver: 'sellerstream-oncall',
      group_by: ['alertname', 'grafana_folder'],
      group_wait: '30s',
      group_interval: `${rules.cooldownMinutes}m`,
      repeat_interval: `${rules.repeatMinutes}m`,
    }],
  };
}

export function renderGrafanaAlerting(rulesFile = RULES_FILE): string {
  return `${JSON.stringify(grafanaAlertProvisioning(loadAlertRules(rulesFile)), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GRAFANA_ALERTING_FILE, renderGrafanaAlerting());
  process.stdout.write(`wrote ${GRAFANA_ALERTING_FILE}\n`);
}
