/** Entry point of an Ably consumer instance: `tsx consumers/ably/index.ts` (scale by adding instances). */
import { loadConfigOrExit } from '../../lib/config.js';
import { runnerOverrides } from '../../lib/kafka/runner-options.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { tierPolicies } from '../../lib/sync/tiers.js';
import { createKeyring } from '../../lib/secrets.js';
import { instrumentBreaker, instrumentBrowserPool, instrumentConnector } from '../../otel/kernel-metrics.js';
import { createObservability, syncGroupOf } from '../../otel/observability.js';
import { startTelemetry } from '../../otel/sdk.js';
import { createAblyConsumer } from './ably-consumer.js';
import { groupRssMb } from './browser-pool.js';

const config = loadConfigOrExit();
const telemetry = startTelemetry({ serviceName: `${config.otel.serviceName}-ably`, exporter: config.otel.exporter, endpoint: config.otel.endpoint });
const logger = createLogger({ level: config.log.level, name: 'ably' });
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-ably`, topicPrefix: config.kafka.topicPrefix, logger });
const observability = createObservability({ settings: config.metrics, kafka, brokers: config.kafka.brokers, logger, groups: [syncGroupOf('ably')] });
const consumer = createAblyConsumer({
  kafka, logger, instanceId: config.instanceId, keyring: createKeyring(config.secrets.keys), ably: config.ably,
  buyerHashSalt: config.secrets.buyerHashSalt, ...runnerOverrides(config), tierPolicies: tierPolicies(config.tiers),
  wrapConnector: (connector) => instrumentConnector(observability.metrics, connector),
});
instrumentBrowserPool(observability.metrics, consumer.stack.browsers, { rssMb: groupRssMb });
instrumentBreaker(observability.metrics, 'ably', consumer.stack.breaker);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    void consumer.stop().then(() => observability.stop()).then(() => telemetry.shutdown()).then(() => process.exit(0), (error) => {
      logger.error({ err: error }, 'unclean stop');
      process.exit(1);
    });
  });
}
await consumer.start();
await observability.serve();
logger.info('ably consumer running');
