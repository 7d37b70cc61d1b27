import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { GRAFANA_ALERTING_FILE, renderGrafanaAlerting, RULES_FILE } from '../../../otel/alerter/grafana-rules.js';
import { loadAlertRules } from '../../../otel/alerter/rules.js';
import { METRICS } from '../../../otel/metric-names.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

interface GrafanaRule { title: string; data: { refId: string; model: { rawSql?: string; expr?: string } }[] }

describe('grafana alert provisioning', function () {
  this.timeout(60_000);
  const committed = readFileSync(GRAFANA_ALERTING_FILE, 'utf8');
  const doc = JSON.parse(committed) as { groups: { rules: GrafanaRule[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);
  let warehouse: Warehouse;
  before(async () => {
    warehouse = await testWarehouse();
    await migrate(warehouse);
  });
  after(() => disposeTestWarehouse(warehouse));

  it('is what deploy/alerts/rules.json makes (regenerate with tsx otel/alerter/grafana-rules.ts)', function () {
    assert.equal(committed, renderGrafanaAlerting());
    assert.deepEqual(rules.map((r) => r.title), loadAlertRules(RULES_FILE).rules.map((r) => r.id));
  });

  it('runs every ClickHouse rule\'s SQL, returning only its labels and one value', async function () {
    await warehouse.insert('sync_runs', [{
      tenant_id: 't', platform: 'cafe24', tier: 'paid', request_id: 'r', attempt: 1, status: 'needs_reauth', started_at: ((Date.now() - 60_000) / 1000).toFixed(3),
      duration_ms: 1, counts: {}, data_as_of: {}, error_class: 'CREDENTIALS_REJECTED', error_message: '', warnings: [], kafka_partition: 0, kafka_offset: 1,
    }]);
    await warehouse.insert('freshness', [{ tenant_id: 't', platform: 'cafe24', tier: 'paid', entity: 'orders', as_of: ((Date.now() - 1e7) / 1000).toFixed(3), request_id: 'r' }]);
    let ran = 0;
    for (const rule of rules) {
      const sql = rule.data.find((d) => d.refId === 'A')?.model.rawSql;
      if (!sql) continue;
      const rows = await warehouse.query(sql.replace(/HAVING attempts >= \d+/, 'HAVING attempts >= 1'));
      assert.ok(rows.length > 0, `${rule.title}: no rows`);
      const columns = Object.keys(rows[0] as object);
      assert.equal(columns.at(-1), 'value', `${rule.title}: ${columns.join(', ')}`);
      assert.equal(columns.length, 2, `${rule.title}: one label and the value`);
      ran += 1;
    }
    assert.equal(ran, 5);
  });

  it('names only registered metrics in its Prometheus rules', function () {
    const exprs = rules.map((r) => r.data.find((d) => d.refId === 'A')?.model.expr).filter((e): e is string => !!e);
    assert.equal(exprs.length, 3);
    for (const expr of exprs) for (const [name] of expr.matchAll(/sellerstream_[a-z_]+/g)) assert.ok(name in METRICS, name);
  });
});
