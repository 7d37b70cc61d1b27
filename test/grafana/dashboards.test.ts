/**
 * No dashboard ships broken: every ClickHouse panel's SQL is expanded as Grafana and the plugin would expand it
 * (macros, template variables) and executed against the embedded engine over seeded sync_runs, freshness and
 * orders rows, and must return rows with the columns the panel is built on; every Prometheus panel may only name
 * metrics (and labels) that otel/metric-names.ts registers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { migrate } from '../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { METRICS, type MetricSpec } from '../../otel/metric-names.js';
import { disposeTestWarehouse, testWarehouse } from '../helpers/warehouse.js';
import { expandGrafanaSql } from './macros.js';

const DIR = new URL('../../grafana/provisioning/dashboards/', import.meta.url);
const CLICKHOUSE_UID = 'clickhouse';
const PROMETHEUS_UID = 'prometheus';

interface Target { refId: string; datasource: { type: string; uid: string }; rawSql?: string; expr?: string; format?: number }
interface Panel { id: number; title: string; type: string; datasource: { type: string; uid: string }; targets: Target[] }
interface Variable { name: string; type: string; query: string; current?: { value?: string | string[] } }
interface Dashboard { uid: string; title: string; time: { from: string }; panels: Panel[]; templating: { list: Variable[] } }

const dashboards: Dashboard[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Dashboard);

/** The columns each ClickHouse panel's visualisation is built on (a new panel must be added here). */
const EXPECTED: Record<string, Record<string, string[]>> = {
  'sellerstream-fleet': {
    'Success rate': ['success_rate'],
    'Job attempts': ['attempts', 'failed', 'tenants'],
    'Success rate by platform': ['time', 'platform', 'success_rate'],
    'Errors by class (per minute)': ['time', 'class', 'errors_per_min'],
    'Job duration p50 / p95': ['time', 'platform', 'p50', 'p95'],
    Throughput: ['time', 'jobs_per_s', 'records_per_s'],
    'Top error classes': ['platform', 'error_class', 'attempts', 'tenants', 'example_tenant', 'example'],
  },
  'sellerstream-freshness': {
    'Within freshness SLO now': ['tier', 'within_slo'],
    'Minutes behind': ['tier', 'platform', 'pairs', 'p50_min', 'p95_min', 'max_min'],
    'SLO burn rate by tier': ['time', 'tier', 'burn_rate'],
    'Burn rate windows': ['tier', 'burn_5m', 'burn_30m', 'burn_1h', 'burn_6h'],
    'Stalest tenants (over SLO)': ['tenant_id', 'platform', 'tier', 'entity', 'as_of', 'minutes_behind', 'request_id'],
  },
  'sellerstream-tenant': {
    'Data as of': ['platform', 'entity', 'data_as_of', 'minutes_behind', 'last_sync_status', 'last_sync_at'],
    'Attempts by status': ['time', 'status', 'attempts'],
    'Job duration': ['time', 'platform', 'duration'],
    'Orders per day': ['time', 'platform', 'orders', 'paid'],
    Runs: ['started_at', 'platform', 'tier', 'status', 'attempt', 'duration_ms', 'counts', 'error_class', 'error_message', 'warnings', 'request_id'],
  },
};

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000);
const epoch = (d: Date) => (d.getTime() / 1000).toFixed(3);

async function seed(warehouse: Warehouse): Promise<void> {
  const runs = [];
  let offset = 0;
  for (const [tenant, platform, tier] of [['t-paid-1', 'cafe24', 'paid'], ['t-paid-2', 'ably', 'paid'], ['t-free-1', 'cafe24', 'free']] as const) {
    for (let i = 0; i < 12; i += 1) {
      const failed = i % 4 === 3;
      runs.push({
        tenant_id: tenant, platform, tier, request_id: `${tenant}-r${i}`, attempt: 1,
        status: failed ? (i === 11 ? 'dead' : 'retrying') : 'succeeded',
        started_at: epoch(ago(5 + i * 20)), duration_ms: 1_000 + i * 250,
        counts: failed ? {} : { orders: 10 + i, products: 2 },
        data_as_of: failed ? {} : { orders: epoch(ago(5 + i * 20)) },
        error_class: failed ? 'TRANSIENT_SOURCE' : '', error_message: failed ? 'HTTP 503 from the source' : '',
        warnings: i === 0 ? ['multi-shop discovery refused: shop 1 only'] : [],
        kafka_partition: 0, kafka_offset: (offset += 1),
      });
    }
  }
  await warehouse.insert('sync_runs', runs);
  await warehouse.insert('freshness', [
    { tenant_id: 't-paid-1', platform: 'cafe24', tier: 'paid', entity: 'orders', as_of: epoch(ago(5)), request_id: 't-paid-1-r0' },
    { tenant_id: 't-paid-1', platform: 'cafe24', tier: 'paid', entity: 'products', as_of: epoch(ago(5)), request_id: 't-paid-1-r0' },
    { tenant_id: 't-paid-2', platform: 'ably', tier: 'paid', entity: 'orders', as_of: epoch(ago(300)), request_id: 't-paid-2-r0' },
    { tenant_id: 't-free-1', platform: 'cafe24', tier: 'free', entity: 'orders', as_of: epoch(ago(30)), request_id: 't-free-1-r0' },
  ]);
  await warehouse.insert('orders', Array.from({ length: 12 }, (_, i) => ({
    tenant_id: ['t-paid-1', 't-free-1'][i % 2], platform: 'cafe24', shop_no: 1, order_id: `o-${i}`, ordered_at: epoch(ago(60 * 24 * i + 30)), paid_at: null,
    status: 'paid', source_status: 'N10', currency: 'KRW', item_count: 1, order_amount: '30000.00', discount_amount: '0.00',
    shipping_fee: '3000.00', payment_amount: '33000.00', refund_amount: '0.00', payment_method: 'card', sales_channel: 'self',
    buyer_hash: 'b', extra: '{}', source_updated_at: epoch(ago(30)), fetched_at: epoch(ago(20)), request_id: 't-paid-1-r0',
    kafka_partition: 0, kafka_offset: i,
  })));
}

/** The dashboard's default time range (`now-6h`, `now-7d`), as Grafana opens it. */
function scopeOf(dashboard: Dashboard, vars: Record<string, string | string[]>) {
  const match = /^now-(\d+)([mhd])$/.exec(dashboard.time.from);
  assert.ok(match, `${dashboard.uid}: time.from ${dashboard.time.from}`);
  const minutes = Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'];
  return { from: ago(minutes), to: new Date(NOW + 60_000), intervalS: Math.max(60, Math.round((minutes * 60) / 100)), vars };
}

/** Each variable's value as the dashboard opens: a custom/constant variable's current value, a query variable's first row. */
async function variablesOf(dashboard: Dashboard, warehouse: Warehouse): Promise<Record<string, string | string[]>> {
  const vars: Record<string, string | string[]> = {};
  for (const v of dashboard.templating.list) {
    if (v.type === 'query') {
      const rows = await warehouse.query(v.query);
      assert.ok(rows.length > 0, `variable ${v.name} of ${dashboard.uid} has no values`);
      vars[v.name] = String(Object.values(rows[0] as object)[0]);
    } else {
      vars[v.name] = v.current?.value ?? v.query;
    }
  }
  return vars;
}

function promMetricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(sellerstream_[a-z0-9_]+)/g)].map((m) => m[1] as string);
}

function specOf(series: string): { name: string; spec: MetricSpec } | undefined {
  const specs = METRICS as Record<string, MetricSpec>;
  if (specs[series]) return { name: series, spec: specs[series] };
  const base = series.replace(/_(bucket|sum|count)$/, '');
  return specs[base]?.kind === 'histogram' ? { name: base, spec: specs[base] } : undefined;
}

describe('grafana dashboards', function () {
  this.timeout(120_000);
  let warehouse: Warehouse;
  before(async () => {
    warehouse = await testWarehouse();
    await migrate(warehouse);
    await seed(warehouse);
  });
  after(() => disposeTestWarehouse(warehouse));

  it('are provisioned as four dashboards with unique uids, panel ids and the provisioned data sources', function () {
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), ['sellerstream-browsers-limits', 'sellerstream-fleet', 'sellerstream-freshness', 'sellerstream-tenant']);
    const datasources = readFileSync(new URL('../../grafana/provisioning/datasources/datasources.yaml', import.meta.url), 'utf8');
    for (const uid of [CLICKHOUSE_UID, PROMETHEUS_UID]) assert.match(datasources, new RegExp(`uid: ${uid}\\b`));
    for (const d of dashboards) {
      assert.equal(new Set(d.panels.map((p) => p.id)).size, d.panels.length, `${d.uid}: duplicate panel ids`);
      for (const p of d.panels) {
        assert.ok([CLICKHOUSE_UID, PROMETHEUS_UID].includes(p.datasource.uid), `${d.uid}/${p.title}: data source ${p.datasource.uid}`);
        assert.ok(p.targets.length > 0, `${d.uid}/${p.title}: no query`);
      }
    }
    const tenant = dashboards.find((d) => d.uid === 'sellerstream-tenant');
    assert.ok(tenant?.templating.list.some((v) => v.name === 'tenant'), 'the tenant dashboard has a $tenant variable');
  });

  for (const dashboard of dashboards) {
    const clickhousePanels = dashboard.panels.filter((p) => p.datasource.uid === CLICKHOUSE_UID);
    if (clickhousePanels.length === 0) continue;
    it(`${dashboard.uid}: every ClickHouse panel's SQL runs on seeded rows and returns its columns`, async function () {
      const scope = scopeOf(dashboard, await variablesOf(dashboard, warehouse));
      const expected = EXPECTED[dashboard.uid] ?? {};
      assert.deepEqual(clickhousePanels.map((p) => p.title).sort(), Object.keys(expected).sort(), 'panels and expected columns differ');
      for (const panel of clickhousePanels) {
        for (const target of panel.targets) {
          assert.ok(target.rawSql, `${panel.title}: no rawSql`);
          const sql = expandGrafanaSql(target.rawSql, scope);
          const rows = await warehouse.query(sql).catch((error: unknown) => {
            throw new Error(`${dashboard.uid} / ${panel.title} failed:\n${sql}`, { cause: error });
          });
          assert.ok(rows.length > 0, `${dashboard.uid} / ${panel.title}: no rows on the seeded data:\n${sql}`);
          assert.deepEqual(Object.keys(rows[0] as object), expected[panel.title], `${dashboard.uid} / ${panel.title}: columns`);
        }
      }
    });
  }

  it('the freshness dashboard lists exactly the tenant over its tier\'s SLO and measures burn per tier', async function () {
    const dashboard = dashboards.find((d) => d.uid === 'sellerstream-freshness') as Dashboard;
    const scope = scopeOf(dashboard, await variablesOf(dashboard, warehouse));
    const run = (title: string) => warehouse.query(expandGrafanaSql((dashboard.panels.find((p) => p.title === title) as Panel).targets[0]?.rawSql as string, scope));
    const stale = await run('Stalest tenants (over SLO)');
    assert.deepEqual(stale.map((r) => r.tenant_id), ['t-paid-2']); // 300 min behind a 120 min SLO; the free one is 30 of 720
    const windows = await run('Burn rate windows') as { tier: string; burn_6h: number }[];
    // 3 of 12 attempts per tenant failed over 6 h: a burn of 0.25 / 0.01 = 25.
    for (const w of windows) assert.ok(Math.abs(Number(w.burn_6h) - 25) < 0.5, `${w.tier}: ${w.burn_6h}`);
  });

  it('every Prometheus panel names only registered metrics, with their labels', function () {
    let checked = 0;
    for (const d of dashboards) {
      for (const p of d.panels.filter((panel) => panel.datasource.uid === PROMETHEUS_UID)) {
        for (const t of p.targets) {
          const names = promMetricNames(t.expr ?? '');
          assert.ok(names.length > 0, `${d.uid}/${p.title}: no sellerstream metric in ${t.expr}`);
          for (const series of names) {
            const found = specOf(series);
            assert.ok(found, `${d.uid}/${p.title}: ${series} is not a metric otel/metric-names.ts registers`);
            const usesBucket = series.endsWith('_bucket');
            for (const [, labels] of (t.expr ?? '').matchAll(/by \(([^)]*)\)/g)) {
              for (const label of (labels as string).split(',').map((l) => l.trim())) {
                if (label === 'instance' || (label === 'le' && usesBucket)) continue;
                assert.ok(found.spec.labels.includes(label as never) || names.some((n) => specOf(n)?.spec.labels.includes(label as never)),
                  `${d.uid}/${p.title}: label ${label} is not a label of ${found.name}`);
              }
            }
            checked += 1;
          }
        }
      }
    }
    assert.ok(checked >= 15, `checked ${checked}`);
  });
});
