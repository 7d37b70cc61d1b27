/**
 * `npm start`: the whole pipeline on this machine. Boots the local Kafka broker if none is configured, applies
 * topics, starts the Cafe24 simulator with demo shops and the Ably simulator with demo sellers (one of them needs
 * the browser login, so Chromium logs in once), both consumer groups and the sink on the embedded ClickHouse
 * engine, syncs every shop and seller, prints a summary per platform, and keeps syncing on an interval until
 * Ctrl-C (or SIGTERM: `npm start` execs tsx, so a signal to npm reaches this process, which stops everything it
 * started and exits 0).
 * Options: `npm start -- --help`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from '../lib/cli/command.js';
import { loadConfig } from '../lib/config.js';
import { createCredentialsStore } from '../lib/credentials/credentials-store.js';
import { createKafka } from '../lib/kafka/client.js';
import { createPublisher } from '../lib/kafka/publisher.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';
import { createLogger } from '../lib/logger.js';
import { createKeyring, generateKeySpec } from '../lib/secrets.js';
import { waitFor } from '../lib/wait-for.js';
import { migrate } from '../lib/warehouse/migrate.js';
import { openWarehouse } from '../lib/warehouse/open-warehouse.js';
import type { Warehouse } from '../lib/warehouse/warehouse.js';
import { createAblyConsumer } from '../consumers/ably/ably-consumer.js';
import type { AblySecret } from '../consumers/ably/login.js';
import { createCafe24Consumer } from '../consumers/cafe24/cafe24-consumer.js';
import { platformModels } from '../consumers/platforms.js';
import { createSink } from '../consumers/sink/sink.js';
import { startAblySimulator } from '../simulators/ably/index.js';
import { systemClock } from '../simulators/cafe24/clock.js';
import { DEFAULT_APP, startCafe24Simulator } from '../simulators/cafe24/simulator.js';
import { ensureLocalBroker } from '../scripts/kafka/local-broker.js';
import { fleetSpecs } from '../simulators/cafe24/shop-spec.js';
import { buildSyncRequest, publishSyncRequests } from './sync-requests.js';
import { connectCafe24, putTenant } from './tenant-admin.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseCommand({
  usage: 'npm start -- [--once] [--shops N] [--ably N] [--interval S]',
  description: 'The whole pipeline on this machine: starts the local Kafka broker unless KAFKA_BROKERS is set (and leaves it\n'
    + 'running), applies topics, starts the Cafe24 simulator with demo shops and the Ably simulator with demo sellers\n'
    + '(the first needs the browser login: Chromium logs it in once), both consumers and the sink on the embedded\n'
    + 'ClickHouse engine, then syncs every shop and seller in rounds, printing a summary per round, until Ctrl-C.\n'
    + 'Without SECRETS_KEYS it seals credentials with a development key kept in .local/demo-secrets-key. Against the\n'
    + 'simulators the Ably request rates are at least 40 per second and 5 per seller (ABLY_*_RATE_PER_SEC raise them).',
  options: {
    once: { type: 'boolean', default: false, description: 'run one round, then exit 0' },
    shops: { type: 'string', default: '20', value: 'N', description: 'demo Cafe24 shops, 1..5000' },
    ably: { type: 'string', default: '4', value: 'N', description: 'demo Ably sellers, 0..500 (the first needs the browser login)' },
    interval: { type: 'string', default: '60', value: 'S', description: 'seconds between rounds' },
  },
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'CHDB_DATA_DIR', 'CLICKHOUSE_URL', 'SECRETS_KEYS', 'BUYER_HASH_SALT',
    'RUNNER_CONCURRENCY', 'RUNNER_JOB_TIMEOUT_MS', ['LOG_LEVEL', 'pino log level of the pipeline (default error: the summary stays readable)']],
});
const shopCount = Number(args.shops);
const ablyCount = Number(args.ably);
const intervalMs = Number(args.interval) * 1000;
if (!Number.isInteger(shopCount) || shopCount < 1 || shopCount > 5000) throw new UsageError('--shops must be an integer from 1 to 5000');
if (!Number.isInteger(ablyCount) || ablyCount < 0 || ablyCount > 500) throw new UsageError('--ably must be an integer from 0 to 500');
if (!(intervalMs > 0)) throw new UsageError('--interval must be a positive number of seconds');

const config = loadConfig();
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', name: 'demo' });
const say = (line: string) => process.stdout.write(`${line}\n`);

// Left running after the demo: the next `npm start` finds it up.
await ensureLocalBroker((line) => say(`kafka: ${line}`));

// A development key, kept across runs so the sealed credentials written last time still open.
const keySpec = config.secrets.keys || (() => {
  const file = `${root}.local/demo-secrets-key`;
  mkdirSync(`${root}.local`, { recursive: true });
  const created = !existsSync(file);
  if (created) writeFileSync(file, generateKeySpec('demo'), { mode: 0o600 });
  say(`secrets: SECRETS_KEYS is not set; ${created ? 'created' : 'using'} the development key .local/demo-secrets-key (\`npm run secrets -- new-key\` makes one to set)`);
  return readFileSync(file, 'utf8').trim();
})();
const keyring = createKeyring(keySpec);
const salt = config.secrets.buyerHashSalt || 'demo-salt';

const kafka = createKafka({ brokers: config.kafka.brokers, clientId: 'sellerstream-demo', topicPrefix: config.kafka.topicPrefix, logger });
const admin = kafka.kafka.admin();
await admin.connect();
const changes = await applyTopics(admin, await readTopicSpecs(`${root}topics.json`), { prefix: config.kafka.topicPrefix });
await admin.disconnect();
say(`topics: ${changes.length === 0 ? 'up to date' : `${changes.length} change(s)`}`);

const sim = await startCafe24Simulator({ seed: 2026, shops: fleetSpecs({ count: shopCount, seed: 2026, prefix: 'demo' }), latencyMs: { minMs: 20, maxMs: 80 } });
say(`cafe24 simulator: ${shopCount} shops at ${sim.origin}`);
// On wall time (the consumer's clock): statuses move on between rounds. One egress IP for every seller, so the
// per-IP bucket is raised as for a fleet of sticky proxies.
const ablySim = await startAblySimulator({
  seed: 2026, clock: systemClock, limits: { perIp: [{ ratePerSec: 200, burst: 400 }] },
  sellers: Array.from({ length: ablyCount }, (_, i) => ({
    sellerId: `demo${String(i + 1).padStart(4, '0')}`, goods: 6, ordersPerDay: 4, historyDays: 30, loginMode: i === 0 ? 'challenge' as const : 'api' as const,
  })),
});
if (ablyCount > 0) say(`ably simulator: ${ablyCount} sellers (1 needs the browser login), web ${ablySim.webUrl}, API ${ablySim.apiUrl}`);

const warehouse: Warehouse = await openWarehouse({ ...config.warehouse, dataDir: config.warehouse.url ? undefined : resolve(root, config.warehouse.dataDir) });
await migrate(warehouse);

const sink = createSink({ kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: salt });
const cafe24 = createCafe24Consumer({
  kafka, logger, instanceId: 'demo-0', keyring, buyerHashSalt: salt,
  cafe24: { ...config.cafe24, apiBaseTemplate: sim.apiBaseTemplate, clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret },
  concurrency: Math.max(config.runner.concurrency ?? 0, 64), jobTimeoutMs: config.runner.jobTimeoutMs,
});
const ably = createAblyConsumer({
  kafka, logger, instanceId: 'demo-0', keyring, buyerHashSalt: salt,
  ably: {
    ...config.ably, apiBaseUrl: ablySim.apiUrl, webUrl: ablySim.webUrl,
    hostRatePerSec: Math.max(config.ably.hostRatePerSec, 40), accountRatePerSec: Math.max(config.ably.accountRatePerSec, 5),
    evidenceDir: resolve(root, config.ably.evidenceDir),
  },
  concurrency: Math.max(config.runner.concurrency ?? 0, 16), jobTimeoutMs: config.runner.jobTimeoutMs,
});
const publisher = await createPublisher(kafka);
await Promise.all([sink.start(), cafe24.start(), ably.start()]);

const tenants = sim.mallIds().map((mallId, i) => ({ tenantId: `demo-${mallId}`, mallId, tier: i % 3 === 0 ? 'free' as const : 'paid' as const }));
for (const t of tenants) {
  await putTenant(publisher, { tenantId: t.tenantId, tier: t.tier, status: 'active', cafe24: { mallId: t.mallId } });
  await connectCafe24(cafe24.credentials, t.tenantId, t.mallId, (await sim.issueTokens(t.mallId)).response);
}
const sellers = ablySim.sellers.map((s, i) => ({ tenantId: `demo-ably-${s.sellerId}`, account: s, tier: i % 3 === 2 ? 'free' as const : 'paid' as const }));
for (const t of sellers) {
  await putTenant(publisher, { tenantId: t.tenantId, tier: t.tier, status: 'active', ably: { sellerId: t.account.sellerId } });
  await ably.credentials.put(t.tenantId, 'ably', { email: t.account.email, password: t.account.password } satisfies AblySecret);
}

const PLATFORM_TABLES = {
  cafe24: ['orders', 'order_items', 'products', 'categories', 'raw_records', 'sync_runs'],
  ably: ['orders', 'order_items', 'order_claims', 'products', 'product_daily_stats', 'settlements', 'reviews', 'raw_records', 'sync_runs'],
} as const;
type DemoPlatform = keyof typeof PLATFORM_TABLES;

/** Done when every tenant's chain of jobs on `platform` ended, and every record those jobs fetched is in ClickHouse. */
async function landed(platform: DemoPlatform, expected: number, since: Date): Promise<boolean> {
  const params = { since, platform };
  const [ended] = await warehouse.query<{ n: string }>(
    `SELECT uniqExact(tenant_id) AS n FROM sync_runs FINAL WHERE platform = {platform:String} AND started_at >= {since:DateTime64(3)}
       AND status IN ('succeeded', 'dead', 'needs_reauth')`, params);
  if (Number(ended?.n) < expected) return false;
  const [rows] = await warehouse.query<{ fetched: string; stored: string }>(
    `SELECT
       (SELECT sum(arraySum(mapValues(counts))) FROM sync_runs FINAL WHERE platform = {platform:String} AND started_at >= {since:DateTime64(3)}) AS fetched,
       (SELECT count() FROM raw_records FINAL WHERE platform = {platform:String} AND request_id IN
          (SELECT request_id FROM sync_runs FINAL WHERE platform = {platform:String} AND started_at >= {since:DateTime64(3)})) AS stored`, params);
  return Number(rows?.stored) >= Number(rows?.fetched);
}

async function summary(platform: DemoPlatform, label: string, since: Date): Promise<void> {
  const params = { since, platform };
  const [stats] = await warehouse.query<{ jobs: string; p50: string; p95: string; failed: string }>(
    `SELECT count() AS jobs, quantileExact(0.5)(duration_ms) AS p50, quantileExact(0.95)(duration_ms) AS p95,
            countIf(status IN ('dead', 'needs_reauth', 'retrying')) AS failed
       FROM sync_runs FINAL WHERE platform = {platform:String} AND started_at >= {since:DateTime64(3)}`, params);
  const tables = PLATFORM_TABLES[platform];
  const counts = await Promise.all(tables.map(async (t) => (await warehouse.query<{ n: string }>(
    `SELECT count() AS n FROM ${t} FINAL WHERE platform = {platform:String}`, params))[0]?.n ?? '0'));
  say(`  ${label}: jobs ${stats?.jobs}, p50 ${stats?.p50} ms, p95 ${stats?.p95} ms, errors ${stats?.failed}`);
  say(`    rows: ${tables.map((t, i) => `${t} ${counts[i]}`).join(', ')}`);
}

async function round(n: number): Promise<void> {
  const started = Date.now();
  await publishSyncRequests(publisher, [
    ...tenants.map((t) => buildSyncRequest({ tenantId: t.tenantId, platform: 'cafe24', tier: t.tier }, 'scheduled')),
    ...sellers.map((t) => buildSyncRequest({ tenantId: t.tenantId, platform: 'ably', tier: t.tier }, 'scheduled')),
  ]);
  const since = new Date(started - 1000);
  await waitFor(async () => (await landed('cafe24', tenants.length, since)) && (sellers.length === 0 || (await landed('ably', sellers.length, since))),
    { intervalMs: 250, deadlineMs: 15 * 60_000, description: 'every shop and seller synced and landed' });
  const { counts } = ably.stack.sessions;
  say(`\nround ${n}: ${tenants.length} shops and ${sellers.length} Ably sellers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await summary('cafe24', 'cafe24', since);
  if (sellers.length > 0) {
    await summary('ably', 'ably', since);
    say(`    logins so far: ${counts.apiLogins} over the API, ${counts.browserLogins} in Chromium (${ably.stack.browsers.stats.launches} launch), ${counts.reused} sessions reused`);
  }
}

let stopping: Promise<never> | undefined;
/** Once, however many signals and failures ask for it: everything started here stops, then the process exits. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    await cafe24.stop().catch(() => undefined);
    await ably.stop().catch(() => undefined);
    await sink.stop().catch(() => undefined);
    await publisher.close().catch(() => undefined);
    await warehouse.close().catch(() => undefined);
    await sim.close().catch(() => undefined);
    await ablySim.stop().catch(() => undefined);
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
say(`syncing ${tenants.length} shops and ${sellers.length} Ably sellers${args.once ? ' once' : ` every ${intervalMs / 1000} s`} (Ctrl-C to stop)`);

try {
  for (let n = 1; !stopping; n++) {
    await round(n);
    if (args.once) break;
    say(`next round in ${intervalMs / 1000} s (Ctrl-C to stop)`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
} catch (error) {
  // A round cut short by the shutdown (its warehouse closed) is not a failure.
  if (!stopping) {
    logger.error({ err: error }, 'demo failed');
    process.stderr.write(`demo failed: ${(error as Error).message}\n`);
    await shutdown(1);
  }
}
await shutdown(0);
