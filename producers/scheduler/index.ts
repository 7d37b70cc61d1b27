/**
 * Entry point of a scheduler instance: `tsx producers/scheduler/index.ts`. Run two or more for failover: one
 * leads (Kafka group `scheduler`), the others follow the tenant table and take over within the session timeout.
 */
import { loadConfigOrExit } from '../../lib/config.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
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
const scheduler = createScheduler({ kafka, logger, policy, instanceId: config.instanceId, tickMs: config.scheduler.tickMs });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void scheduler.stop().then(() => process.exit(0), (error) => {
      logger.error({ err: error }, 'unclean stop');
      process.exit(1);
    });
  });
}
await scheduler.start();
logger.info('scheduler running');
