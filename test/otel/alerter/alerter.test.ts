/**
 * The alerter end to end: rules over the embedded engine, a Slack incoming webhook (a node:http receiver on
 * loopback) and SMTP e-mail (an smtp-server on loopback). A burst of failed jobs fires one alert on each
 * channel, not one per job or per evaluation; recovery sends one resolved message on each.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../../../lib/logger.js';
import { waitFor } from '../../../lib/wait-for.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { createAlerter } from '../../../otel/alerter/alerter.js';
import { createEmailNotifier, createSlackNotifier } from '../../../otel/alerter/notifiers.js';
import { KIND, loadAlertRules, parseAlertRules } from '../../../otel/alerter/rules.js';
import { queryRule } from '../../../otel/alerter/sources.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

const RULES_FILE = new URL('../../../deploy/alerts/rules.json', import.meta.url).pathname;
const logger = createLogger({ level: 'silent' });

let offset = 0;
function runs(tenants: number, status: string, platform = 'cafe24', errorClass = '') {
  return Array.from({ length: tenants }, (_, i) => ({
    tenant_id: `tenant-${status}-${offset}-${i}`, platform, tier: i % 2 ? 'free' : 'paid', request_id: `r-${(offset += 1)}`, attempt: 1, status,
    started_at: ((Date.now() - 60_000) / 1000).toFixed(3), duration_ms: 1500, counts: {}, data_as_of: {},
    error_class: errorClass, error_message: errorClass ? 'HTTP 503' : '', warnings: [], kafka_partition: 0, kafka_offset: offset,
  }));
}

describe('alerter end to end (webhook and SMTP on loopback)', function () {
  this.timeout(60_000);
  let warehouse: Warehouse;
  let webhook: Server;
  let smtp: SMTPServer;
  const posts: { text: string }[] = [];
  const mails: string[] = [];

  before(async () => {
    warehouse = await testWarehouse();
    await migrate(warehouse);
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        posts.push(JSON.parse(body) as { text: string });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, _session, callback) {
        let text = '';
        stream.on('data', (c: Buffer) => (text += c.toString()));
        stream.on('end', () => {
          mails.push(text);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => webhook.close(resolve));
    await new Promise((resolve) => smtp.close(() => resolve(undefined)));
    await disposeTestWarehouse(warehouse);
  });

  it('every ClickHouse rule of deploy/alerts/rules.json runs on the engine and returns its labels and value', async function () {
    await warehouse.insert('sync_runs', [...runs(3, 'succeeded'), ...runs(2, 'needs_reauth', 'ably', 'CREDENTIALS_REJECTED')]);
    await warehouse.insert('freshness', [{ tenant_id: 'x', platform: 'ably', tier: 'paid', entity: 'orders', as_of: ((Date.now() - 3 * 3_600_000) / 1000).toFixed(3), request_id: 'r' }]);
    const rules = loadAlertRules(RULES_FILE).rules.filter((r) => KIND[r.kind].source === 'clickhouse');
    assert.equal(rules.length, 5);
    for (const rule of rules.map((r) => ({ ...r, minAttempts: 1 }))) {
      const rows = await queryRule(warehouse, rule as never);
      assert.ok(rows.length > 0, `${rule.id}: no rows`);
      for (const column of [...KIND[rule.kind].labels, 'value', 'examples']) assert.ok(column in (rows[0] as object), `${rule.id}: no ${column}`);
    }
    await warehouse.command('TRUNCATE TABLE sync_runs');
    await warehouse.command('TRUNCATE TABLE freshness');
  });

  it('a failure burst fires one alert per channel, and recovery one resolved message', async function () {
    await warehouse.insert('sync_runs', runs(40, 'succeeded'));
    const rules = parseAlertRules({
      defaults: { cooldownMinutes: 15, repeatMinutes: 240 },
      rules: [{ id: 'success-rate-low', kind: 'success_rate', severity: 'page', windowMinutes: 15, threshold: 0.8, minAttempts: 10 }],
    });
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const alerter = createAlerter({
      rules, logger, warehouse, intervalMs: 100,
      notifiers: [
        createSlackNotifier({ webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/services/T/B/X` }),
        createEmailNotifier({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'alerts@sellerstream.test', to: ['oncall@sellerstream.test'] }),
      ],
    });
    alerter.start();
    try {
      const healthyAfter = alerter.evaluations + 3;
      await waitFor(() => alerter.evaluations >= healthyAfter, { description: 'three healthy evaluations' });
      assert.equal(posts.length + mails.length, 0, 'nothing fires while jobs succeed');

      // The burst: 60 jobs of 60 tenants fail (retrying, then dead), one row each.
      await warehouse.insert('sync_runs', [...runs(45, 'retrying', 'cafe24', 'TRANSIENT_SOURCE'), ...runs(15, 'dead', 'cafe24', 'TRANSIENT_SOURCE')]);
      await waitFor(() => posts.length >= 1 && mails.length >= 1, { description: 'the firing alert on both channels' });
      const settled = alerter.evaluations + 5;
      await waitFor(() => alerter.evaluations >= settled, { description: 'five more evaluations' });
      assert.equal(posts.length, 1, `one Slack message, not one per job: ${JSON.stringify(posts)}`);
      assert.equal(mails.length, 1, 'one e-mail');
      assert.match(posts[0]?.text ?? '', /\[FIRING\] success-rate-low \(page\): cafe24/);
      assert.match(posts[0]?.text ?? '', /success 40\.0 %/);
      assert.match(mails[0] ?? '', /Subject: \[FIRING\] success-rate-low \(page\): cafe24/);
      assert.match(mails[0] ?? '', /To: oncall@sellerstream\.test/);

      // Recovery: jobs succeed again and lift the window's success rate over the threshold.
      await warehouse.insert('sync_runs', runs(300, 'succeeded'));
      await waitFor(() => posts.length >= 2 && mails.length >= 2, { description: 'the resolved message on both channels' });
      const after = alerter.evaluations + 5;
      await waitFor(() => alerter.evaluations >= after, { description: 'five more evaluations' });
      assert.equal(posts.length, 2);
      assert.equal(mails.length, 2);
      assert.match(posts[1]?.text ?? '', /\[RESOLVED\] success-rate-low \(page\)/);
      assert.match(mails[1] ?? '', /Subject: \[RESOLVED\] success-rate-low/);
      assert.deepEqual(alerter.firing(), []);
    } finally {
      await alerter.stop();
    }
  });

  it('keeps a message whose delivery failed and sends it on a later evaluation', async function () {
    let failing = true;
    const sent: string[] = [];
    const flaky = { name: 'flaky', async send(m: { subject: string }) { if (failing) throw new Error('webhook down'); sent.push(m.subject); } };
    const rules = parseAlertRules({
      defaults: { cooldownMinutes: 15, repeatMinutes: 240 },
      rules: [{ id: 'parks', kind: 'credential_parks', severity: 'ticket', windowMinutes: 60, threshold: 3, errorClasses: ['CHALLENGE_UNPASSED'] }],
    });
    await warehouse.insert('sync_runs', runs(4, 'dead', 'ably', 'CHALLENGE_UNPASSED'));
    const alerter = createAlerter({ rules, logger, warehouse, notifiers: [flaky] });
    assert.equal((await alerter.evaluateOnce()).length, 1);
    assert.deepEqual(sent, []);
    failing = false;
    assert.equal((await alerter.evaluateOnce()).length, 0, 'no second alert');
    assert.deepEqual(sent, ['[FIRING] parks (ticket): ably']);
  });

  it('refuses to start with a rule whose source it was not given', function () {
    assert.throws(() => createAlerter({ rules: loadAlertRules(RULES_FILE), logger, warehouse, notifiers: [] }), /rule dlq-growth reads the broker's DLQ offsets/);
    const noMetrics = { dlq: { endOffsets: async () => ({}) } };
    assert.throws(() => createAlerter({ rules: loadAlertRules(RULES_FILE), logger, warehouse, notifiers: [], ...noMetrics }), /rule consumer-lag reads metrics: set ALERT_METRICS_TARGETS/);
  });
});
