import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../lib/config.js';

describe('config', () => {
  it('has a default for every setting and splits the broker list', () => {
    const config = loadConfig({});
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:19092']);
    assert.deepEqual(loadConfig({ KAFKA_BROKERS: 'a:1, b:2' }).kafka.brokers, ['a:1', 'b:2']);
  });

  it('stops with one line naming the setting and its env var', () => {
    for (const [env, expected] of [
      [{ RUNNER_CONCURRENCY: '0' }, /^invalid configuration: runner\.concurrency: must be a positive integer.*RUNNER_CONCURRENCY\)$/],
      [{ CLICKHOUSE_DATABASE: 'x; DROP' }, /warehouse\.database.*CLICKHOUSE_DATABASE/],
      [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /otel\.exporter.*OTEL_TRACES_EXPORTER/],
    ] as const) {
      assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && expected.test(error.message) && !error.message.includes('\n'));
    }
  });

  it('never echoes a sensitive value in its error', () => {
    assert.throws(() => loadConfig({ SECRETS_KEYS: 'k1:c2VjcmV0LXZhbHVl' }), (error: Error) => !error.message.includes('c2VjcmV0LXZhbHVl'));
  });
});
