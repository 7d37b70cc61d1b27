/**
 * Entry point of a scheduler instance: `tsx producers/scheduler/index.ts` (`npm run scheduler`, `sellerstream run
 * scheduler`). Run two or more for failover: one leads (Kafka group `scheduler`), the others follow the tenant table
 * and take over within the session timeout. Each instance also runs the credential-health follower (group
 * `credential-health`), which turns run events into the link health the planner reads, so parked links stop being
 * scheduled however the scheduler is started.
 */
import { parseCommand } from '../../lib/cli/command.js';
import { exitOnShutdown } from '../../lib/cli/shutdown.js';
import { loadConfig } from '../../lib/config.js';
import { waitForBroker } from '../../lib/kafka/broker-check.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { createObservability } from '../../otel/observability.js';
import { createCredentialHealth } from './credential-health.js';
import { createScheduler } from './loop.js';
import { policyFromConfig } from './policy.js';

parseCommand({
  usage: 'npm run scheduler',
  description: 'One scheduler instance (group scheduler): the leader spreads every tenant\'s syncs over its tier\'s period and\n'
    + 'publishes them to sync.<platform>.high (paid) or .low (free); followers take over within the session timeout.\n'
    + 'Each instance also turns run events into the credential health that stops parked links from being scheduled.',
  env: [
    'KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'INSTANCE_ID', 'TIER_PAID_INTERVAL_MINUTES',
    'TIER_PAID_MAX_ATTEMPTS', 'TIER_FREE_INTERVAL_MINUTES', 'TIER_FREE_MAX_ATTEMPTS', 'SCHEDULER_TICK_MS',
    'SCHEDULER_ENTITIES', 'SCHEDULER_WINDOWS', 'SCHEDULER_CATCH_UP_SPREAD_MINUTES', 'SCHEDULER_ONBOARDING_DAYS',
    'SCHEDULER_ONBOARDING_STEP_DAYS', 'SCHEDULER_ONBOARDING_SPREAD_MINUTES',
    'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL',
  ],
});
const config = loadConfig();
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

exitOnShutdown(logger, [() => Promise.all([scheduler.stop(), health.stop()]), () => observability.stop()]);
await waitForBroker(config.kafka.brokers);
await scheduler.start();
await health.start();
await observability.serve();
logger.info('scheduler running');
