/** Entry point of an Ably consumer instance: `npm run ably` (scale by adding instances); `--help` says more. */
import { parseCommand } from '../../lib/cli/command.js';
import { exitOnShutdown } from '../../lib/cli/shutdown.js';
import { loadConfig } from '../../lib/config.js';
import { waitForBroker } from '../../lib/kafka/broker-check.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { syncConsumerOverrides } from '../../lib/sync/sync-consumer.js';
import { tierPolicies } from '../../lib/sync/tiers.js';
import { createKeyring } from '../../lib/secrets.js';
import { instrumentBreaker, instrumentBrowserPool, instrumentConnector, instrumentRateLimiter } from '../../otel/kernel-metrics.js';
import { createObservability, syncGroupOf } from '../../otel/observability.js';
import { startTelemetry } from '../../otel/sdk.js';
import { createAblyConsumer } from './ably-consumer.js';
import { groupRssMb } from './browser-pool.js';

parseCommand({
  usage: 'npm run ably',
  description: 'One Ably consumer instance (group ably): takes sync requests from sync.ably.high/.low/.retry, signs each\n'
    + 'seller in (cached session, API login, or a Chromium login when that is refused), reads the seller center\'s JSON API\n'
    + 'and commits the records, run event and cursor in one transaction. Scale by running more instances, each with\n'
    + 'its own stable INSTANCE_ID. SIGTERM drains in-flight jobs and closes the browser.',
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'INSTANCE_ID', 'SECRETS_KEYS', 'BUYER_HASH_SALT',
    'ABLY_API_BASE_URL', 'ABLY_WEB_URL', 'ABLY_HOST_RATE_PER_SEC', 'ABLY_ACCOUNT_RATE_PER_SEC', 'ABLY_LOOKBACK_DAYS', 'ABLY_INITIAL_DAYS',
    'ABLY_BROWSER_PAGES', 'ABLY_BROWSER_RETIRE_AFTER', 'ABLY_BROWSER_MAX_RSS_MB', 'ABLY_EVIDENCE_DIR', 'ABLY_PROXIES',
    ['BROWSER_EXECUTABLE', 'Chromium to log in with (default: the system\'s chromium, else the one packaged with the project)'],
    'RUNNER_CONCURRENCY', 'RUNNER_JOB_TIMEOUT_MS', 'RUNNER_DRAIN_TIMEOUT_MS', 'RUNNER_LOW_PRIORITY_SHARE', 'RUNNER_QUEUED_PER_PARTITION', 'SYNC_STEP_MAX_BYTES', 'KAFKA_TRANSACTION_TIMEOUT_MS', 'TIER_PAID_MAX_ATTEMPTS', 'TIER_FREE_MAX_ATTEMPTS',
    'OTEL_TRACES_EXPORTER', 'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL'],
});
const config = loadConfig();
// Sealed sessions need the key: without it, say so before anything starts.
const keyring = createKeyring(config.secrets.keys);
const telemetry = startTelemetry({ serviceName: `${config.otel.serviceName}-ably`, exporter: config.otel.exporter, endpoint: config.otel.endpoint });
const logger = createLogger({ level: config.log.level, name: 'ably' });
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-ably`, topicPrefix: config.kafka.topicPrefix, logger });
const observability = createObservability({ settings: config.metrics, kafka, brokers: config.kafka.brokers, logger, groups: [syncGroupOf('ably')] });
const consumer = createAblyConsumer({
  kafka, logger, instanceId: config.instanceId, keyring, ably: config.ably,
  buyerHashSalt: config.secrets.buyerHashSalt, ...syncConsumerOverrides(config), tierPolicies: tierPolicies(config.tiers),
  wrapConnector: (connector) => instrumentConnector(observability.metrics, connector),
});
instrumentBrowserPool(observability.metrics, consumer.stack.browsers, { rssMb: groupRssMb });
instrumentBreaker(observability.metrics, 'ably', consumer.stack.breaker);
instrumentRateLimiter(observability.metrics, 'ably', consumer.stack.pacer);

exitOnShutdown(logger, [() => consumer.stop(), () => observability.stop(), () => telemetry.shutdown()]);
await waitForBroker(config.kafka.brokers);
await consumer.start();
await observability.serve();
logger.info('ably consumer running');
