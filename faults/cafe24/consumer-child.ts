/**
 * A Cafe24 consumer instance as production runs it (consumers/cafe24/index.ts: the production defaults for session,
 * budgets and concurrency), in its own process so a fault can kill -9 it. It tells the runner when its group
 * assigned it partitions (`joined`), each committed job (`committed`), its runner's state changes (`state`), and
 * every outgoing TCP connection the process attempts (`connection`: `host:port`, from the `net.client.socket`
 * diagnostics channel), so a fault can prove where it connected.
 * Env: KAFKA_BROKERS, TOPIC_PREFIX, INSTANCE_ID, SECRETS_KEYS, CAFE24_API_BASE_TEMPLATE, CAFE24_CLIENT_ID,
 * CAFE24_CLIENT_SECRET, BUYER_HASH_SALT; PAGE_THREAD_DEATH_DIR has its page threads load a model that dies
 * (dying-page-model.ts).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { createCafe24Consumer } from '../../consumers/cafe24/cafe24-consumer.js';
import { serveParent } from '../../lib/testing/child-ipc.js';
import { consumerBase, relayRunner } from '../harness/children/consumer-base.js';

const env = process.env;
const ipc = serveParent({});

subscribe('net.client.socket', (message) => {
  const { socket } = message as { socket: Socket };
  socket.once('lookup', (_error, _address, _family, host) => ipc.emit('connection', { kind: 'lookup', target: host }));
  socket.once('connect', () => ipc.emit('connection', { kind: 'connect', target: `${socket.remoteAddress}:${socket.remotePort}` }));
});

const base = consumerBase('fault-consumer');
const dying = env.PAGE_THREAD_DEATH_DIR === undefined ? {} : {
  pageSource: { moduleUrl: new URL('./dying-page-model.ts', import.meta.url).href, exportName: 'dyingPageModel', buyerHashSalt: base.buyerHashSalt },
};
const consumer = createCafe24Consumer({
  ...base,
  ...dying,
  cafe24: {
    apiBaseTemplate: env.CAFE24_API_BASE_TEMPLATE!, apiVersion: '2025-12-01', clientId: env.CAFE24_CLIENT_ID!,
    clientSecret: env.CAFE24_CLIENT_SECRET!, lookbackDays: 15, initialDays: 90,
  },
});
relayRunner(consumer, ipc);
await consumer.start();
ipc.emit('ready');
