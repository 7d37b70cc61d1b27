/**
 * `npm test`: brings up what the suite needs, runs mocha, tears down what it started.
 * - Kafka: KAFKA_BROKERS when set; otherwise the local broker (scripts/kafka/local.sh), or with
 *   KAFKA_TESTCONTAINERS=1 and a Docker engine, a container (scripts/kafka/testcontainers.ts).
 * - ClickHouse: the embedded engine needs nothing; the server adapter's transport test starts Debian's
 *   clickhouse-server itself.
 * With CI=true a missing component fails the run instead of being skipped.
 * Extra arguments go to mocha (e.g. `npm test -- test/lib/kafka/runner.test.ts`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureLocalBroker } from './kafka/local-broker.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env };
const cleanups: (() => Promise<void> | void)[] = [];

if (!env.KAFKA_BROKERS && env.KAFKA_TESTCONTAINERS === '1') {
  const { startKafkaContainer } = await import('./kafka/testcontainers.js');
  const container = await startKafkaContainer();
  env.KAFKA_BROKERS = container.brokers;
  cleanups.push(() => container.stop());
} else {
  // A given KAFKA_BROKERS is checked too: no broker there fails the run in seconds, not test by test.
  try {
    const broker = await ensureLocalBroker();
    env.KAFKA_BROKERS = broker.brokers;
    cleanups.push(() => broker.stop());
  } catch (error) {
    process.stderr.write(`test: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

const args = process.argv.slice(2);
const specs = args.some((a) => a.endsWith('.ts')) ? args : [...args, 'test/**/*.test.ts'];
const mocha = spawn(process.execPath, [fileURLToPath(new URL('../node_modules/mocha/bin/mocha.js', import.meta.url)), ...specs], {
  cwd: root, env, stdio: 'inherit',
});
const forward = (signal: NodeJS.Signals) => mocha.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((resolve) => mocha.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
for (const cleanup of cleanups.reverse()) await cleanup();
process.exit(code);
