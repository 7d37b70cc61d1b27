/** Entry point of a Cafe24 consumer instance: `npm run cafe24` (scale by adding instances); `--help` says more. */
import { parseCommand } from '../../lib/cli/command.js';
import { exitOnShutdown } from '../../lib/cli/shutdown.js';
import { loadConfig } from '../../lib/config.js';
import { waitForBroker } from '../../lib/kafka/broker-check.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { syncConsumerOverrides } from '../../lib/sync/sync-consumer.js';
import { tierPolicies } from '../../lib/sync/tiers.js';
import { createKeyring } from '../../lib/secrets.js';
import { instrumentConnector, instrumentRateLimiter } from '../../otel/kernel-metrics.js';
import { createObservability, syncGroupOf } from '../../otel/observability.js';
import { startTelemetry } from '../../otel/sdk.js';
import { createCafe24Consumer } from './cafe24-consumer.js';

parseCommand({
  usage: 'npm run cafe24',
  description: 'One Cafe24 consumer instance (group cafe24): takes sync requests from sync.cafe24.high/.low/.retry, syncs\n'
    + 'each tenant\'s mall through the Admin API and commits its records, run event and cursor in one transaction.\n'
    + 'Scale by running more instances, each with its own stable INSTANCE_ID. SIGTERM drains in-flight jobs.',
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'INSTANCE_ID', 'SECRETS_KEYS', 'BUYER_HASH_SALT',
    'CAFE24_API_BASE_TEMPLATE', 'CAFE24_CLIENT_ID', 'CAFE24_CLIENT_SECRET', 'CAFE24_API_VERSION', 'CAFE24_LOOKBACK_DAYS', 'CAFE24_INITIAL_DAYS',
    'RUNNER_CONCURRENCY', 'RUNNER_JOB_TIMEOUT_MS', 'RUNNER_DRAIN_TIMEOUT_MS', 'RUNNER_LOW_PRIORITY_SHARE', 'RUNNER_QUEUED_PER_PARTITION', 'SYNC_STEP_MAX_BYTES', 'SYNC_PAGE_THREADS',
    'KAFKA_TRANSACTION_TIMEOUT_MS', 'TIER_PAID_MAX_ATTEMPTS', 'TIER_FREE_MAX_ATTEMPTS', 'OTEL_TRACES_EXPORTER', 'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL'],
});
const config = loadConfig();
// Sealed OAuth tokens need the key: without it, say so before anything starts.
const keyring = createKeyring(config.secrets.keys);
const telemetry = startTelemetry({ serviceName: `${config.otel.serviceName}-cafe24`, exporter: config.otel.exporter, endpoint: config.otel.endpoint });
const logger = createLogger({ level: config.log.level, name: 'cafe24' });
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-cafe24`, topicPrefix: config.kafka.topicPrefix, logger });
const observability = createObservability({ settings: config.metrics, kafka, brokers: config.kafka.brokers, logger, groups: [syncGroupOf('cafe24')] });
const consumer = createCafe24Consumer({
  kafka, logger, instanceId: config.instanceId, keyring, cafe24: config.cafe24,
  buyerHashSalt: config.secrets.buyerHashSalt, ...syncConsumerOverrides(config), tierPolicies: tierPolicies(config.tiers),
  wrapConnector: (connector) => instrumentConnector(observability.metrics, connector),
});
instrumentRateLimiter(observability.metrics, 'cafe24', consumer.stack.limiter);

exitOnShutdown(logger, [() => consumer.stop(), () => observability.stop(), () => telemetry.shutdown()]);
await waitForBroker(config.kafka.brokers);
await consumer.start();
await observability.serve();
logger.info('cafe24 consumer running');
