/** Entry point of a Cafe24 consumer instance: `tsx consumers/cafe24/index.ts` (scale by adding instances). */
import { loadConfigOrExit } from '../../lib/config.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { createKeyring } from '../../lib/secrets.js';
import { startTelemetry } from '../../otel/sdk.js';
import { createCafe24Consumer } from './cafe24-consumer.js';

const config = loadConfigOrExit();
const telemetry = startTelemetry({ serviceName: `${config.otel.serviceName}-cafe24`, exporter: config.otel.exporter, endpoint: config.otel.endpoint });
const logger = createLogger({ level: config.log.level, name: 'cafe24' });
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-cafe24`, topicPrefix: config.kafka.topicPrefix, logger });
const consumer = createCafe24Consumer({
  kafka, logger, instanceId: config.instanceId, keyring: createKeyring(config.secrets.keys), cafe24: config.cafe24,
  buyerHashSalt: config.secrets.buyerHashSalt, concurrency: config.runner.concurrency, jobTimeoutMs: config.runner.jobTimeoutMs,
  lowShare: config.runner.lowPriorityShare, drainTimeoutMs: config.runner.drainTimeoutMs,
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    void consumer.stop().then(() => telemetry.shutdown()).then(() => process.exit(0), (error) => {
      logger.error({ err: error }, 'unclean stop');
      process.exit(1);
    });
  });
}
await consumer.start();
logger.info('cafe24 consumer running');
