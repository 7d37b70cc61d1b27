/**
 * Entry point of a scheduler instance: `tsx producers/scheduler/index.ts` (`npm run scheduler`, `sellerstream run
 * scheduler`). Run two or more for failover: one leads (Kafka group `scheduler`), the others follow the tenant table
 * and take over within the session timeout. Each instance also runs the credential-health follower (group
 * `credential-health`), which turns run events into the link health the planner reads, so parked links stop being
 * scheduled however the scheduler is started.
 */
import { loadConfigOrExit } from '../../lib/config.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { createObservability } from '../../otel/observability.js';
import { createCredentialHealth } from './credential-health.js';
import { createScheduler } from './loop.js';
import { policyFromConfig } from './policy.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.log.level, name: 'scheduler' });
let policy;
try {
  policy = policyFromConfig(config);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-scheduler`, topicPrefix: config.kafka.topicPrefix, logger });
const observability = createObservability({ settings: config.metrics, kafka, brokers: config.kafka.brokers, logger });
const scheduler = createScheduler({ kafka, logger, policy, instanceId: config.instanceId, tickMs: config.scheduler.tickMs });
const health = createCredentialHealth({ kafka, logger, instanceId: config.instanceId });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void Promise.all([scheduler.stop(), health.stop()]).then(() => observability.stop()).then(() => process.exit(0), (error) => {
      logger.error({ err: error }, 'unclean stop');
      process.exit(1);
    });
  });
}
await scheduler.start();
await health.start();
await observability.serve();
logger.info('scheduler running');
