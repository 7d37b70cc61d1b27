/**
 * The local broker (scripts/kafka/local.sh) for the programs that need one: tests, benchmarks, the demo.
 * KAFKA_BROKERS, when set, wins and nothing is started. Otherwise the local broker (on KAFKA_LOCAL_PORT, default
 * 19092) is started unless it already runs, and `stop` stops it only if this call started it (a broker someone
 * else started keeps running). Either way it resolves once a broker serves metadata, or rejects within seconds
 * with one line naming the address (lib/kafka/broker-check.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitForBroker } from '../../lib/kafka/broker-check.js';

const SCRIPT = fileURLToPath(new URL('./local.sh', import.meta.url));

export interface LocalBroker {
  /** Bootstrap servers, comma-separated. */
  brokers: string;
  stop(): void;
}

export async function ensureLocalBroker(log: (line: string) => void = () => undefined): Promise<LocalBroker> {
  const given = process.env.KAFKA_BROKERS;
  if (given) {
    await waitForBroker(given.split(','));
    return { brokers: given, stop: () => undefined };
  }
  const running = localBroker('status') === 0;
  if (!running) {
    log('starting the local Kafka broker');
    if (localBroker('up') !== 0) throw new Error('could not start the local Kafka broker (see `npm run kafka -- logs`)');
  }
  const brokers = `127.0.0.1:${process.env.KAFKA_LOCAL_PORT ?? '19092'}`;
  await waitForBroker([brokers]);
  return { brokers, stop: running ? () => undefined : () => void localBroker('down') };
}

function localBroker(command: 'up' | 'down' | 'status'): number {
  return spawnSync('bash', [SCRIPT, command], { stdio: command === 'status' ? 'ignore' : ['ignore', 'inherit', 'inherit'] }).status ?? 1;
}
