import assert from 'node:assert/strict';
import { createAlertBook } from '../../../otel/alerter/book.js';
import { firingInstances, growthOver } from '../../../otel/alerter/evaluate.js';
import { formatNotification } from '../../../otel/alerter/message.js';
import { AlertRulesError, loadAlertRules, parseAlertRules, type AlertRule } from '../../../otel/alerter/rules.js';
import { maxBy, parsePrometheusText } from '../../../otel/alerter/sources.js';

const RULES_FILE = new URL('../../../deploy/alerts/rules.json', import.meta.url).pathname;
const successRule: AlertRule = { id: 'success-rate-low', kind: 'success_rate', severity: 'page', windowMinutes: 15, threshold: 0.9, minAttempts: 20 };
const MIN = 60_000;

describe('alert rules (pure)', function () {
  it('loads deploy/alerts/rules.json with a rule of every kind', function () {
    const rules = loadAlertRules(RULES_FILE);
    assert.deepEqual(new Set(rules.rules.map((r) => r.kind)), new Set(['success_rate', 'freshness_burn', 'freshness_breach', 'credential_parks', 'dlq_growth', 'lag_seconds', 'breaker_open']));
    assert.equal(rules.cooldownMinutes, 15);
  });

  it('refuses a bad rule with one line naming the rule and the field', function () {
    const doc = { defaults: { cooldownMinutes: 5, repeatMinutes: 60 }, rules: [{ ...successRule, threshold: 1.5 }] };
    assert.throws(() => parseAlertRules(doc), (e: Error) => e instanceof AlertRulesError && e.message === 'rule success-rate-low: threshold must be a number from 0 to 1');
    assert.throws(() => parseAlertRules({ ...doc, rules: [successRule, successRule] }), /duplicate id/);
    assert.throws(() => parseAlertRules({ ...doc, rules: [{ ...successRule, kind: 'nope' }] }), /kind must be one of/);
    assert.throws(() => parseAlertRules({ ...doc, rules: [{ id: 'b', kind: 'freshness_burn', severity: 'page', objective: 0.99, longMinutes: 5, shortMinutes: 60, burnRate: 14.4, minAttempts: 1 }] }), /shortMinutes must be shorter/);
  });

  it('fires the instances whose value crosses the threshold, the right way per kind', function () {
    const rows = [{ platform: 'cafe24', value: 0.5, examples: ['t1', 't2'] }, { platform: 'ably', value: 0.95 }];
    assert.deepEqual(firingInstances(successRule, rows), [{ labels: { platform: 'cafe24' }, value: 0.5, examples: ['t1', 't2'] }]);
    const lag: AlertRule = { id: 'lag', kind: 'lag_seconds', severity: 'page', threshold: 900 };
    assert.deepEqual(firingInstances(lag, [{ group: 'cafe24', topic: 'sync.cafe24.high', value: 901 }, { group: 'sink', topic: 'raw.results', value: 900 }]).map((i) => i.labels.topic), ['sync.cafe24.high']);
    const breaker: AlertRule = { id: 'breaker', kind: 'breaker_open', severity: 'page' };
    assert.deepEqual(firingInstances(breaker, [{ platform: 'ably', value: 2 }, { platform: 'cafe24', value: 1 }]).map((i) => i.labels.platform), ['ably']);
  });

  it('sends one firing message per alert, whatever the evaluations and instances, then one resolved', function () {
    const book = createAlertBook({ cooldownMs: 15 * MIN, repeatMs: 240 * MIN });
    const cafe24 = { labels: { platform: 'cafe24' }, value: 0.4, examples: [] };
    const ably = { labels: { platform: 'ably' }, value: 0.3, examples: [] };
    const first = book.update(successRule, [cafe24], 0);
    assert.deepEqual(first.map((n) => [n.status, n.reason]), [['firing', 'new']]);
    for (let t = 1; t < 10; t += 1) assert.deepEqual(book.update(successRule, [cafe24], t * MIN), [], 'de-duplicated');
    assert.deepEqual(book.update(successRule, [cafe24, ably], 10 * MIN), [], 'an instance joining inside the cooldown waits');
    assert.deepEqual(book.update(successRule, [cafe24, ably], 15 * MIN).map((n) => n.reason), ['update']);
    assert.deepEqual(book.update(successRule, [cafe24, ably], 200 * MIN), []);
    assert.deepEqual(book.update(successRule, [cafe24, ably], 255 * MIN).map((n) => n.reason), ['reminder']);
    const resolved = book.update(successRule, [], 256 * MIN);
    assert.deepEqual(resolved.map((n) => n.status), ['resolved']);
    assert.equal(resolved[0]?.since, 0);
    assert.deepEqual(book.update(successRule, [], 257 * MIN), []);
    assert.match(formatNotification(resolved[0] as never).subject, /^\[RESOLVED\] success-rate-low \(page\)$/);
  });

  it('holds a re-fire inside the cooldown, and stays silent about an alert that cleared before it was announced', function () {
    const book = createAlertBook({ cooldownMs: 15 * MIN, repeatMs: 240 * MIN });
    const i = { labels: { platform: 'cafe24' }, value: 0.4, examples: [] };
    book.update(successRule, [i], 0);
    book.update(successRule, [], 1 * MIN); // resolved goes at once
    assert.deepEqual(book.update(successRule, [i], 2 * MIN), [], 'flapping: held by the cooldown');
    assert.deepEqual(book.update(successRule, [], 3 * MIN), [], 'never announced: no resolved either');
    assert.deepEqual(book.update(successRule, [i], 10 * MIN), []);
    assert.deepEqual(book.update(successRule, [i], 16 * MIN).map((n) => n.reason), ['new']);
  });

  it('measures counter growth over a window from samples, across a reset', function () {
    const h = [{ at: 0, value: 100 }, { at: 5 * MIN, value: 103 }, { at: 10 * MIN, value: 110 }, { at: 15 * MIN, value: 4 }, { at: 20 * MIN, value: 9 }];
    assert.equal(growthOver(h, 20 * MIN, 10 * MIN), 4 + 5);
    assert.equal(growthOver(h, 10 * MIN, 10 * MIN), 10);
    assert.equal(growthOver(h.slice(0, 1), 0, 10 * MIN), 0);
  });

  it('reads Prometheus text and takes the max per label set', function () {
    const samples = parsePrometheusText([
      '# HELP sellerstream_consumer_lag_seconds x', '# TYPE sellerstream_consumer_lag_seconds gauge',
      'sellerstream_consumer_lag_seconds{group="cafe24",topic="sync.cafe24.high"} 12.5',
      'sellerstream_consumer_lag_seconds{group="cafe24",topic="sync.cafe24.high"} 30',
      'sellerstream_consumer_lag_seconds{group="sink",topic="raw.results"} 1e3',
      'garbage line',
    ].join('\n'));
    assert.equal(samples.length, 3);
    assert.deepEqual(maxBy(samples, 'sellerstream_consumer_lag_seconds', ['group', 'topic']), [
      { group: 'cafe24', topic: 'sync.cafe24.high', value: 30 }, { group: 'sink', topic: 'raw.results', value: 1000 },
    ]);
  });
});
