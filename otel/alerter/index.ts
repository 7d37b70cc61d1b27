/**
 * `tsx otel/alerter/index.ts`: the alerter role. Loads the rules (ALERT_RULES_FILE), reads ClickHouse (the
 * rules' SQL), the processes' /metrics (ALERT_METRICS_TARGETS) and the broker's DLQ offsets, and tells Slack
 * (SLACK_WEBHOOK_URL) and e-mail (SMTP_URL, ALERT_EMAIL_TO) once per alert. Run one: two would both notify.
 * A bad rules file stops start-up with one line naming the rule and field.
 */
import { parseCommand } from '../../lib/cli/command.js';
import { loadConfigOrExit } from '../../lib/config.js';
import { waitForBroker } from '../../lib/kafka/broker-check.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { openWarehouse } from '../../lib/warehouse/open-warehouse.js';
import { createObservability } from '../observability.js';
import { createAlerter, type Alerter } from './alerter.js';
import { createEmailNotifier, createSlackNotifier, type Notifier } from './notifiers.js';
import { AlertRulesError, loadAlertRules, type AlertRules } from './rules.js';
import { createDlqOffsets, createMetricsScraper } from './sources.js';

parseCommand({
  usage: 'tsx otel/alerter/index.ts',
  description: 'The alerter: evaluates the alert rules over ClickHouse, the processes\' /metrics and the DLQ topics\'\n'
    + 'offsets every ALERT_INTERVAL_MS, and notifies Slack and e-mail once per alert (grouped, de-duplicated, with a\n'
    + 'cooldown, reminders and a resolved message).',
  env: ['ALERT_RULES_FILE', 'ALERT_INTERVAL_MS', 'ALERT_METRICS_TARGETS', 'SLACK_WEBHOOK_URL', 'SMTP_URL', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO',
    'KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'CLICKHOUSE_URL', 'CLICKHOUSE_DATABASE', 'CHDB_DATA_DIR', 'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL'],
});
const config = loadConfigOrExit();
const logger = createLogger({ level: config.log.level, name: 'alerter' }).child({ instanceId: config.instanceId });

let rules: AlertRules;
try {
  rules = loadAlertRules(config.alerts.rulesFile);
} catch (error) {
  if (!(error instanceof AlertRulesError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const notifiers: Notifier[] = [];
if (config.alerts.slackWebhookUrl) notifiers.push(createSlackNotifier({ webhookUrl: config.alerts.slackWebhookUrl }));
const emailTo = config.alerts.emailTo.split(',').map((a) => a.trim()).filter(Boolean);
if (config.alerts.smtpUrl && emailTo.length) notifiers.push(createEmailNotifier({ smtpUrl: config.alerts.smtpUrl, from: config.alerts.emailFrom, to: emailTo }));
if (notifiers.length === 0) logger.warn('no notifier configured (SLACK_WEBHOOK_URL, SMTP_URL + ALERT_EMAIL_TO): alerts are only logged');

await waitForBroker(config.kafka.brokers);
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-alerter`, topicPrefix: config.kafka.topicPrefix, logger });
const admin = kafka.kafka.admin();
await admin.connect();
const warehouse = await openWarehouse({ ...config.warehouse });
const observability = createObservability({ settings: config.metrics, kafka, brokers: config.kafka.brokers, logger });
const targets = config.alerts.metricsTargets.split(',').map((t) => t.trim()).filter(Boolean);

let alerter: Alerter;
try {
  alerter = createAlerter({
    rules, notifiers, logger, warehouse, dlq: createDlqOffsets(kafka, admin), intervalMs: config.alerts.intervalMs, ownMetrics: observability.metrics,
    ...(targets.length ? { metrics: createMetricsScraper(targets) } : {}),
  });
} catch (error) {
  if (!(error instanceof AlertRulesError)) throw error;
  process.stderr.write(`invalid configuration: ${error.message}\n`);
  process.exit(1);
}

async function shutdown(): Promise<void> {
  await alerter.stop();
  await observability.stop();
  await admin.disconnect().catch(() => undefined);
  await warehouse.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
alerter.start();
await observability.serve([{ name: 'warehouse answering', check: () => warehouse.ping().then(() => true, () => false) }]);
logger.info({ rules: rules.rules.map((r) => r.id), notifiers: notifiers.map((n) => n.name), targets }, 'alerter running');
