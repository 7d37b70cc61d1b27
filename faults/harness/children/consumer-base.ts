/**
 * What every platform's consumer child (faults/<platform>/consumer-child.ts) shares: its clients from the env the
 * stage gives it (KAFKA_BROKERS, TOPIC_PREFIX, INSTANCE_ID, SECRETS_KEYS, BUYER_HASH_SALT), the runner events the
 * faults time (`joined` on its group's assignment, `committed` per job, `state` per runner transition), and a
 * clean stop on SIGTERM.
 */
import type { EventEmitter } from 'node:events';
import { createKafka } from '../../../lib/kafka/client.js';
import { RUNNER_EVENTS, type RunnerEventMap } from '../../../lib/kafka/runner-options.js';
import { createLogger } from '../../../lib/logger.js';
import { createKeyring } from '../../../lib/secrets.js';

export function consumerBase(name: string) {
  const env = process.env;
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn', name, destination: process.stderr });
  return {
    kafka: createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: name, topicPrefix: env.TOPIC_PREFIX!, logger }),
    instanceId: env.INSTANCE_ID!,
    logger,
    keyring: createKeyring(env.SECRETS_KEYS!),
    buyerHashSalt: env.BUYER_HASH_SALT!,
  };
}

/** Relays the runner's events to the fault, and stops the consumer cleanly on SIGTERM (exit 0, or 1 if it fails). */
export function relayRunner(consumer: { events: EventEmitter<RunnerEventMap>; stop(): Promise<void> }, ipc: { emit(event: string, data?: unknown): void }): void {
  consumer.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => {
    if (reason === 'group join') ipc.emit('joined');
  });
  consumer.events.on(RUNNER_EVENTS.JOB_COMMITTED, ({ topic, outcome, key }) => ipc.emit('committed', { topic, outcome, key }));
  consumer.events.on(RUNNER_EVENTS.TRANSITION, ({ to }) => ipc.emit('state', { to }));
  process.on('SIGTERM', () => {
    void consumer.stop().then(() => process.exit(0), () => process.exit(1));
  });
}
