/**
 * An Ably consumer instance (consumers/ably/ably-consumer.ts, with its browser pool, session pool and circuit
 * breaker) in its own process, so its Chromium is a grandchild of the runner as in production, and a crash of the
 * consumer is counted rather than taking the runner down. It tells the runner when its group assigned it
 * partitions (`joined`), each committed job (`committed`), its runner's state changes (`state`), each browser
 * launched, crashed, retired or closed (`browser`: { kind, pid }) and each change of the breaker's state
 * (`breaker`: { state, opened }). Request `stats` returns the pool's, the breaker's and the logins' counters.
 * Env: KAFKA_BROKERS, TOPIC_PREFIX, INSTANCE_ID, SECRETS_KEYS, BUYER_HASH_SALT, ABLY_API_BASE_URL, ABLY_WEB_URL,
 * ABLY_EVIDENCE_DIR, SIM_NOW_MS (the simulator's clock, which the faults keep still), FAULT_OPTIONS (JSON,
 * AblyChildOptions).
 */
import { createAblyConsumer } from '../../consumers/ably/ably-consumer.js';
import { serveParent } from '../../lib/testing/child-ipc.js';
import { TIER_POLICIES } from '../../lib/sync/tiers.js';
import { consumerBase, relayRunner } from '../harness/children/consumer-base.js';
import type { AblyChildOptions } from './options.js';

const env = process.env;
const options = JSON.parse(env.FAULT_OPTIONS ?? '{}') as AblyChildOptions;
const simNow = Number(env.SIM_NOW_MS);

const consumer = createAblyConsumer({
  ...consumerBase('fault-ably'),
  ably: {
    apiBaseUrl: env.ABLY_API_BASE_URL!, webUrl: env.ABLY_WEB_URL!, evidenceDir: env.ABLY_EVIDENCE_DIR!,
    hostRatePerSec: options.hostRatePerSec, accountRatePerSec: options.accountRatePerSec, lookbackDays: 7, initialDays: 90,
    browserPages: 4, browserRetireAfter: 100, browserMaxRssMb: 1024,
  },
  now: () => simNow,
  pacer: { jitterMs: 0 },
  api: options.api,
  breaker: options.breaker,
  tierPolicies: { paid: { ...TIER_POLICIES.paid, retry: options.paidRetry }, free: TIER_POLICIES.free },
});
const ipc = serveParent({
  stats: () => ({
    browsers: { ...consumer.stack.browsers.stats, pid: consumer.stack.browsers.currentPid() },
    breaker: { state: consumer.stack.breaker.state, opened: consumer.stack.breaker.opened },
    logins: { ...consumer.stack.sessions.counts },
  }),
});
relayRunner(consumer, ipc);
for (const kind of ['browserLaunched', 'browserCrashed', 'browserRetired', 'browserClosed'] as const) {
  consumer.stack.browsers.events.on(kind, (pid: number | undefined) => ipc.emit('browser', { kind, pid }));
}
// The breaker is a pure state machine with no events of its own (its open state ends by the clock alone), so
// its state is watched; a fault reads these to say when it opened and closed.
let breakerSeen = consumer.stack.breaker.state;
setInterval(() => {
  const { state, opened } = consumer.stack.breaker;
  if (state === breakerSeen) return;
  breakerSeen = state;
  ipc.emit('breaker', { state, opened });
}, 50).unref();

await consumer.start();
ipc.emit('ready');
