/**
 * A Cafe24 consumer instance as production runs it (consumers/cafe24/index.ts: the production defaults for session,
 * budgets and concurrency), in its own process so a fault can kill -9 it. It tells the runner when its group
 * assigned it partitions (`joined`), each committed job (`committed`), its runner's state changes (`state`), and
 * every outgoing TCP connection the process attempts (`connection`: `host:port`, from the `net.client.socket`
 * diagnostics channel), so a fault can prove where it connected.
 * Env: KAFKA_BROKERS, TOPIC_PREFIX, INSTANCE_ID, SECRETS_KEYS, CAFE24_API_BASE_TEMPLATE, CAFE24_CLIENT_ID,
 * CAFE24_CLIENT_SECRET, BUYER_HASH_SALT.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { createCafe24Consumer } from '../../consumers/cafe24/cafe24-consumer.js';
import { createKafka } from '../../lib/kafka/client.js';
import { RUNNER_EVENTS } from '../../lib/kafka/runner.js';
import { createLogger } from '../../lib/logger.js';
import { createKeyring } from '../../lib/secrets.js';
import { serveRunner } from '../child.js';

const env = process.env;
const ipc = serveRunner({});

subscribe('net.client.socket', (message) => {
  const { socket } = message as { socket: Socket };
  socket.once('lookup', (_error, _address, _family, host) => ipc.emit('connection', { kind: 'lookup', target: host }));
  socket.once('connect', () => ipc.emit('connection', { kind: 'connect', target: `${socket.remoteAddress}:${socket.remotePort}` }));
});

const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn', name: 'fault-consumer', destination: process.stderr });
const consumer = createCafe24Consumer({
  kafka: createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'fault-consumer', topicPrefix: env.TOPIC_PREFIX!, logger }),
  instanceId: env.INSTANCE_ID!,
  logger,
  keyring: createKeyring(env.SECRETS_KEYS!),
  cafe24: {
    apiBaseTemplate: env.CAFE24_API_BASE_TEMPLATE!, apiVersion: '2025-12-01', clientId: env.CAFE24_CLIENT_ID!,
    clientSecret: env.CAFE24_CLIENT_SECRET!, lookbackDays: 15, initialDays: 90,
  },
  buyerHashSalt: env.BUYER_HASH_SALT!,
});
consumer.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => {
  if (reason === 'group join') ipc.emit('joined');
});
consumer.events.on(RUNNER_EVENTS.JOB_COMMITTED, ({ topic, outcome, key }) => ipc.emit('committed', { topic, outcome, key }));
consumer.events.on(RUNNER_EVENTS.TRANSITION, ({ to }) => ipc.emit('state', { to }));

process.on('SIGTERM', () => {
  void consumer.stop().then(() => process.exit(0), () => process.exit(1));
});
await consumer.start();
ipc.emit('ready');
