/**
 * Alert rules as data (deploy/alerts/rules.json, ALERT_RULES_FILE): what each kind measures, where (ClickHouse,
 * a process's /metrics, the broker's DLQ offsets), and when it fires. One query per rule returns one row per
 * instance (its label columns and a numeric `value`, plus `examples` where a row can name tenants), so the same
 * text serves the alerter (rules bound as parameters) and the Grafana alert provisioning (grafana-rules.ts inlines
 * the validated numbers): the two cannot disagree on what a rule means.
 *
 * Kinds:
 *   success_rate      per platform, succeeded+continued attempts ÷ attempts over `window`, fires below `threshold`
 *                     (only with at least `minAttempts`, so three runs at night cannot page anyone).
 *   freshness_burn    per tier, the freshness SLO's error-budget burn (attempts that left data unrefreshed ÷
 *                     attempts, over 1 - `objective`) over a long and a short window; fires when both reach
 *                     `burnRate` (the multi-window rule of the SRE workbook: the long window proves it matters, the
 *                     short one that it is still happening, so it resolves soon after the cause is gone).
 *   freshness_breach  per tier, the share of tenant × platform pairs whose `entity` is older than the tier's SLO
 *                     (`sloMinutes`); fires above `threshold`.
 *   credential_parks  per platform, tenants parked for credentials (needs_reauth or one of `errorClasses`) over
 *                     `window`; fires at `threshold` tenants (one seller's expired password is the seller's news, many
 *                     at once is ours: a revoked app secret, a changed login challenge).
 *   dlq_growth        per DLQ topic, messages added over `window` (broker end offsets); fires at `threshold`.
 *   lag_seconds       per group × topic, sellerstream_consumer_lag_seconds; fires above `threshold`.
 *   breaker_open      per platform, sellerstream_breaker_state = 2 (open).
 */
import { readFileSync } from 'node:fs';
import { RUN_STATUSES } from '../../lib/contracts/sync-run.js';
import { TIERS } from '../../lib/contracts/fields.js';

export type Severity = 'page' | 'ticket';
export type Source = 'clickhouse' | 'metrics' | 'broker';

interface RuleBase {
  id: string;
  severity: Severity;
  /** Overrides the defaults' cooldown. */
  cooldownMinutes?: number;
}
export interface SuccessRateRule extends RuleBase { kind: 'success_rate'; windowMinutes: number; threshold: number; minAttempts: number }
export interface FreshnessBurnRule extends RuleBase { kind: 'freshness_burn'; objective: number; longMinutes: number; shortMinutes: number; burnRate: number; minAttempts: number }
export interface FreshnessBreachRule extends RuleBase { kind: 'freshness_breach'; entity: string; sloMinutes: Record<string, number>; threshold: number }
export interface CredentialParksRule extends RuleBase { kind: 'credential_parks'; windowMinutes: number; threshold: number; errorClasses: string[] }
export interface DlqGrowthRule extends RuleBase { kind: 'dlq_growth'; topics: string[]; windowMinutes: number; threshold: number }
export interface LagSecondsRule extends RuleBase { kind: 'lag_seconds'; threshold: number }
export interface BreakerOpenRule extends RuleBase { kind: 'breaker_open' }

export type AlertRule = SuccessRateRule | FreshnessBurnRule | FreshnessBreachRule | CredentialParksRule | DlqGrowthRule | LagSecondsRule | BreakerOpenRule;
export type RuleKind = AlertRule['kind'];

export interface AlertRules {
  /** Minimum time between two notifications of one alert (firing, update, reminder); resolved always goes. */
  cooldownMinutes: number;
  /** While an alert keeps firing, a reminder this often. */
  repeatMinutes: number;
  rules: AlertRule[];
}

export class AlertRulesError extends Error {}

/** How a kind reads its instances and which way its value crosses the threshold. */
export const KIND = {
  success_rate: { source: 'clickhouse', fires: 'below', labels: ['platform'] },
  freshness_burn: { source: 'clickhouse', fires: 'at_or_above', labels: ['tier'] },
  freshness_breach: { source: 'clickhouse', fires: 'above', labels: ['tier'] },
  credential_parks: { source: 'clickhouse', fires: 'at_or_above', labels: ['platform'] },
  dlq_growth: { source: 'broker', fires: 'at_or_above', labels: ['topic'] },
  lag_seconds: { source: 'metrics', fires: 'above', labels: ['group', 'topic'] },
  breaker_open: { source: 'metrics', fires: 'at_or_above', labels: ['platform'] },
} as const satisfies Record<RuleKind, { source: Source; fires: 'below' | 'above' | 'at_or_above'; labels: readonly string[] }>;

const FAILED = RUN_STATUSES.filter((s) => s === 'retrying' || s === 'dead' || s === 'needs_reauth').map((s) => `'${s}'`).join(', ');
const GOOD = `'succeeded', 'continued'`;

/** The rule's threshold as the value is compared against it. */
export function thresholdOf(rule: AlertRule): number {
  switch (rule.kind) {
    case 'freshness_burn': return rule.burnRate;
    case 'breaker_open': return 2;
    default: return rule.threshold;
  }
}

/** A ClickHouse rule's SQL and its bound parameters: label columns, `value`, `examples`. */
export function sqlOf(rule: AlertRule): { sql: string; params: Record<string, unknown> } {
  switch (rule.kind) {
    case 'success_rate':
      return {
        sql: `SELECT platform, countIf(status IN (${GOOD})) / count() AS value, count() AS attempts,
       arraySlice(groupUniqArrayIf(tenant_id, status IN (${FAILED})), 1, 5) AS examples
FROM sync_runs FINAL
WHERE started_at >= now64(3) - toIntervalMinute({windowMinutes:UInt32})
GROUP BY platform
HAVING attempts >= {minAttempts:UInt32}
ORDER BY platform`,
        params: { windowMinutes: rule.windowMinutes, minAttempts: rule.minAttempts },
      };
    case 'freshness_burn': {
      const burn = (w: string) => `countIf(status IN (${FAILED}) AND started_at >= now64(3) - toIntervalMinute({${w}:UInt32}))
         / greatest(countIf(started_at >= now64(3) - toIntervalMinute({${w}:UInt32})), 1) / (1 - {objective:Float64})`;
      return {
        sql: `SELECT tier, least(${burn('longMinutes')},
       ${burn('shortMinutes')}) AS value, count() AS attempts,
       arraySlice(groupUniqArrayIf(tenant_id, status IN (${FAILED})), 1, 5) AS examples
FROM sync_runs FINAL
WHERE started_at >= now64(3) - toIntervalMinute({longMinutes:UInt32}) AND tier != ''
GROUP BY tier
HAVING attempts >= {minAttempts:UInt32}
ORDER BY tier`,
        params: { objective: rule.objective, longMinutes: rule.longMinutes, shortMinutes: rule.shortMinutes, minAttempts: rule.minAttempts },
      };
    }
    case 'freshness_breach':
      return {
        sql: `SELECT tier, countIf(behind > slo) / count() AS value, count() AS pairs,
       arraySlice(arrayMap(x -> x.2, arrayReverseSort(x -> x.1, groupArrayIf((behind, concat(tenant_id, '/', platform)), behind > slo))), 1, 5) AS examples
FROM (
  SELECT tenant_id, platform, tier, dateDiff('minute', as_of, now64(3)) AS behind,
         if(tier = 'paid', {paidSloMinutes:UInt32}, {freeSloMinutes:UInt32}) AS slo
  FROM freshness FINAL
  WHERE entity = {entity:String} AND tier != ''
)
GROUP BY tier
ORDER BY tier`,
        params: { entity: rule.entity, paidSloMinutes: rule.sloMinutes.paid, freeSloMinutes: rule.sloMinutes.free },
      };
    case 'credential_parks':
      return {
        sql: `SELECT platform, uniqExact(tenant_id) AS value, arraySlice(groupUniqArray(tenant_id), 1, 5) AS examples
FROM sync_runs FINAL
WHERE started_at >= now64(3) - toIntervalMinute({windowMinutes:UInt32})
  AND (status = 'needs_reauth' OR has({errorClasses:Array(String)}, error_class))
GROUP BY platform
ORDER BY platform`,
        params: { windowMinutes: rule.windowMinutes, errorClasses: rule.errorClasses },
      };
    default:
      throw new AlertRulesError(`rule ${rule.id}: ${rule.kind} is not a ClickHouse rule`);
  }
}

/** A metrics (or DLQ) rule as PromQL, for Grafana; the alerter reads the same series from /metrics. */
export function promqlOf(rule: AlertRule): string {
  switch (rule.kind) {
    case 'lag_seconds': return 'max by (group, topic) (sellerstream_consumer_lag_seconds)';
    case 'breaker_open': return 'max by (platform) (sellerstream_breaker_state)';
    case 'dlq_growth': return `sum by (topic) (increase(sellerstream_dlq_messages_total[${rule.windowMinutes}m]))`;
    default: throw new AlertRulesError(`rule ${rule.id}: ${rule.kind} is a ClickHouse rule`);
  }
}

// ---- parsing: one line naming the rule and the field, like the config's errors.

type Json = Record<string, unknown>;

function num(rule: Json, key: string, { min = 0, max = Number.MAX_SAFE_INTEGER, int = false } = {}): number {
  const v = rule[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
    throw new AlertRulesError(`rule ${String(rule.id)}: ${key} must be a ${int ? 'whole ' : ''}number from ${min} to ${max}`);
  }
  return v;
}

function strings(rule: Json, key: string, pattern: RegExp): string[] {
  const v = rule[key];
  if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string' || !pattern.test(s))) {
    throw new AlertRulesError(`rule ${String(rule.id)}: ${key} must be a non-empty list matching ${pattern}`);
  }
  return v as string[];
}

function parseRule(raw: unknown): AlertRule {
  if (typeof raw !== 'object' || raw === null) throw new AlertRulesError('every rule must be an object');
  const r = raw as Json;
  if (typeof r.id !== 'string' || !/^[a-z0-9-]{1,64}$/.test(r.id)) throw new AlertRulesError(`rule ${String(r.id)}: id must be 1-64 of [a-z0-9-]`);
  if (r.severity !== 'page' && r.severity !== 'ticket') throw new AlertRulesError(`rule ${r.id}: severity must be page or ticket`);
  const base = { id: r.id, severity: r.severity as Severity, ...(r.cooldownMinutes === undefined ? {} : { cooldownMinutes: num(r, 'cooldownMinutes', { min: 0, max: 10_080 }) }) };
  const minutes = (key: string) => num(r, key, { min: 1, max: 43_200, int: true });
  switch (r.kind) {
    case 'success_rate':
      return { ...base, kind: r.kind, windowMinutes: minutes('windowMinutes'), threshold: num(r, 'threshold', { max: 1 }), minAttempts: num(r, 'minAttempts', { min: 1, int: true }) };
    case 'freshness_burn': {
      const rule = { ...base, kind: r.kind, objective: num(r, 'objective', { min: 0.5, max: 0.99999 }), longMinutes: minutes('longMinutes'), shortMinutes: minutes('shortMinutes'), burnRate: num(r, 'burnRate', { min: 0.1, max: 1_000 }), minAttempts: num(r, 'minAttempts', { min: 1, int: true }) };
      if (rule.shortMinutes >= rule.longMinutes) throw new AlertRulesError(`rule ${r.id}: shortMinutes must be shorter than longMinutes`);
      return rule;
    }
    case 'freshness_breach': {
      if (typeof r.entity !== 'string' || !/^[a-z_]{1,64}$/.test(r.entity)) throw new AlertRulesError(`rule ${r.id}: entity must be an entity name`);
      const slo = (r.sloMinutes ?? {}) as Json;
      const sloMinutes = Object.fromEntries(TIERS.map((t) => [t, num({ id: r.id, [`sloMinutes.${t}`]: slo[t] }, `sloMinutes.${t}`, { min: 1, max: 43_200, int: true })]));
      return { ...base, kind: r.kind, entity: r.entity, sloMinutes, threshold: num(r, 'threshold', { max: 1 }) };
    }
    case 'credential_parks':
      return { ...base, kind: r.kind, windowMinutes: minutes('windowMinutes'), threshold: num(r, 'threshold', { min: 1, int: true }), errorClasses: strings(r, 'errorClasses', /^[A-Z0-9_]{1,64}$/) };
    case 'dlq_growth':
      return { ...base, kind: r.kind, topics: strings(r, 'topics', /^[a-z0-9._-]{1,64}$/), windowMinutes: minutes('windowMinutes'), threshold: num(r, 'threshold', { min: 1, int: true }) };
    case 'lag_seconds':
      return { ...base, kind: r.kind, threshold: num(r, 'threshold', { min: 1 }) };
    case 'breaker_open':
      return { ...base, kind: r.kind };
    default:
      throw new AlertRulesError(`rule ${r.id}: kind must be one of ${Object.keys(KIND).join(', ')}`);
  }
}

export function parseAlertRules(raw: unknown): AlertRules {
  const doc = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
  const defaults = { id: 'defaults', ...((doc.defaults ?? {}) as Json) };
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new AlertRulesError('rules must be a non-empty list');
  const rules = doc.rules.map(parseRule);
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.id)) throw new AlertRulesError(`rule ${rule.id}: duplicate id`);
    seen.add(rule.id);
  }
  return {
    cooldownMinutes: num(defaults, 'cooldownMinutes', { max: 10_080 }),
    repeatMinutes: num(defaults, 'repeatMinutes', { min: 1, max: 10_080 }),
    rules,
  };
}

/** Reads and validates a rules file; any problem is one AlertRulesError line naming the file. */
export function loadAlertRules(path: string): AlertRules {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AlertRulesError(`alert rules ${path}: ${(error as Error).message}`);
  }
  try {
    return parseAlertRules(raw);
  } catch (error) {
    throw new AlertRulesError(`alert rules ${path}: ${(error as Error).message}`);
  }
}
