/**
 * The alerter's loop: every `intervalMs`, each rule's rows from its source → firing instances (evaluate.ts) →
 * the alert book (book.ts) → messages to every notifier. A source that fails leaves its rules as they were (no
 * resolved message out of missing data) and is logged; a notifier that fails keeps the message and tries it
 * again on later ticks (up to `maxDeliveryAttempts`), so an outage of Slack does not lose a page.
 */
import type { Logger } from '../../lib/logger.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { METRICS } from '../metric-names.js';
import type { Metrics } from '../metrics.js';
import { createAlertBook, type Notification } from './book.js';
import { firingInstances, growthOver, type CounterSample, type SourceRow } from './evaluate.js';
import { formatNotification, type AlertMessage } from './message.js';
import type { Notifier } from './notifiers.js';
import { AlertRulesError, KIND, type AlertRule, type AlertRules } from './rules.js';
import { maxBy, queryRule, type DlqOffsets, type MetricSample, type MetricsScraper } from './sources.js';

export interface AlerterOptions {
  rules: AlertRules;
  notifiers: Notifier[];
  logger: Logger;
  warehouse?: Warehouse;
  metrics?: MetricsScraper;
  /** Where the alerter reports which alerts fire (sellerstream_alerts_firing). */
  ownMetrics?: Metrics;
  dlq?: DlqOffsets;
  /** @default 60_000 */ intervalMs?: number;
  /** @default 5 */ maxDeliveryAttempts?: number;
  now?: () => number;
}

interface Pending { notifier: Notifier; message: AlertMessage; attempts: number }

const METRIC_OF = { lag_seconds: 'sellerstream_consumer_lag_seconds', breaker_open: 'sellerstream_breaker_state' } as const satisfies Partial<Record<AlertRule['kind'], keyof typeof METRICS>>;

export function createAlerter({ rules, notifiers, logger, warehouse, metrics, ownMetrics, dlq, intervalMs = 60_000, maxDeliveryAttempts = 5, now = Date.now }: AlerterOptions) {
  for (const rule of rules.rules) {
    const source = KIND[rule.kind].source;
    const missing = source === 'clickhouse' ? !warehouse : source === 'metrics' ? !metrics : !dlq;
    const what = { clickhouse: 'ClickHouse', metrics: 'metrics: set ALERT_METRICS_TARGETS', broker: "the broker's DLQ offsets" }[source];
    if (missing) throw new AlertRulesError(`rule ${rule.id} reads ${what}, which this alerter was not given`);
  }
  const book = createAlertBook({ cooldownMs: rules.cooldownMinutes * 60_000, repeatMs: rules.repeatMinutes * 60_000 });
  const dlqHistory = new Map<string, CounterSample[]>();
  const outbox: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let evaluations = 0;

  async function rowsOf(rule: AlertRule, scrape: () => Promise<MetricSample[]>, at: number): Promise<SourceRow[]> {
    switch (rule.kind) {
      case 'lag_seconds':
      case 'breaker_open':
        return maxBy(await scrape(), METRIC_OF[rule.kind], KIND[rule.kind].labels);
      case 'dlq_growth': {
        const totals = await (dlq as DlqOffsets).endOffsets(rule.topics);
        const windowMs = rule.windowMinutes * 60_000;
        return rule.topics.map((topic) => {
          const history = dlqHistory.get(topic) ?? [];
          history.push({ at, value: totals[topic] ?? 0 });
          // Keep what the window needs plus the sample just before it.
          while (history.length > 2 && (history[1] as CounterSample).at <= at - windowMs) history.shift();
          dlqHistory.set(topic, history);
          return { topic, value: growthOver(history, at, windowMs) };
        });
      }
      default:
        return queryRule(warehouse as Warehouse, rule);
    }
  }

  async function deliver(): Promise<void> {
    for (const pending of outbox.splice(0)) {
      try {
        await pending.notifier.send(pending.message);
      } catch (error) {
        pending.attempts += 1;
        logger.error({ err: error, notifier: pending.notifier.name, subject: pending.message.subject, attempts: pending.attempts }, 'alert delivery failed');
        if (pending.attempts < maxDeliveryAttempts) outbox.push(pending);
      }
    }
  }

  /** One evaluation of every rule; resolves with the notifications it produced (after trying to deliver them). */
  async function evaluateOnce(): Promise<Notification[]> {
    const at = now();
    let scraped: Promise<MetricSample[]> | undefined;
    const scrape = () => (scraped ??= (metrics as MetricsScraper).scrape());
    const produced: Notification[] = [];
    for (const rule of rules.rules) {
      let rows: SourceRow[];
      try {
        rows = await rowsOf(rule, scrape, at);
      } catch (error) {
        logger.error({ err: error, rule: rule.id }, 'alert rule source failed; the rule keeps its state');
        continue;
      }
      const instances = firingInstances(rule, rows);
      produced.push(...book.update(rule, instances, at));
      ownMetrics?.set('sellerstream_alerts_firing', { rule: rule.id, severity: rule.severity }, instances.length > 0 ? 1 : 0);
    }
    for (const notification of produced) {
      const message = formatNotification(notification);
      logger.warn({ rule: notification.rule.id, status: notification.status, subject: message.subject }, 'alert');
      for (const notifier of notifiers) outbox.push({ notifier, message, attempts: 0 });
    }
    await deliver();
    evaluations += 1;
    return produced;
  }

  function tick() {
    running = evaluateOnce()
      .catch((error: unknown) => logger.error({ err: error }, 'alert evaluation failed'))
      .finally(() => {
        running = undefined;
        if (timer) timer = setTimeout(tick, intervalMs);
      });
  }

  return {
    evaluateOnce,
    start() {
      timer = setTimeout(tick, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      // An evaluation stuck on an unreachable source must not hold the process's exit.
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      for (const notifier of notifiers) notifier.close?.();
    },
    firing: () => book.firing(),
    get evaluations() {
      return evaluations;
    },
  };
}

export type Alerter = ReturnType<typeof createAlerter>;
