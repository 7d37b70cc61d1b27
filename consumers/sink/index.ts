/**
 * `tsx consumers/sink/index.ts`: the sink as a process. Reads config (lib/config.ts; the sink.* settings when the
 * schema has them, else the defaults in options.ts), opens and migrates the warehouse, starts the sink, and on
 * SIGTERM/SIGINT drains it (pending batches land and commit, or are left with their intent) and exits 0.
 * A crashed consumer exits 1, for the supervisor to restart.
 */
import { parseCommand } from '../../lib/cli/command.js';
import { loadConfig } from '../../lib/config.js';
import { exitOnShutdown } from '../../lib/cli/shutdown.js';
import { waitForBroker } from '../../lib/kafka/broker-check.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { migrate } from '../../lib/warehouse/migrate.js';
import { openWarehouse } from '../../lib/warehouse/open-warehouse.js';
import { RAW_RESULTS_TOPIC } from '../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC } from '../../lib/contracts/sync-run.js';
import { createObservability } from '../../otel/observability.js';
import { startTelemetry } from '../../otel/sdk.js';
import { platformModels } from '../platforms.js';
import { createSink, SINK_EVENTS } from './sink.js';

parseCommand({
  usage: 'npm run sink',
  description: 'One ClickHouse sink instance (group sink): consumes raw.results and sync.runs, maps records into the\n'
    + 'analytics tables and inserts them in batches; offsets commit only after ClickHouse took a batch, so a crash\n'
    + 'loses and duplicates nothing. Bad input goes to sink.dlq. SIGTERM lands or hands back pending batches.',
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'INSTANCE_ID', 'CLICKHOUSE_URL', 'CLICKHOUSE_DATABASE', 'CHDB_DATA_DIR',
    'BUYER_HASH_SALT', 'SINK_BATCH_ROWS', 'SINK_BATCH_BYTES', 'SINK_BATCH_AGE_MS', 'SINK_MAX_RECORD_BYTES', 'SINK_MAX_BUFFERED_BYTES',
    'SINK_DRAIN_TIMEOUT_MS', 'SINK_SESSION_TIMEOUT_MS', 'OTEL_TRACES_EXPORTER', 'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL'],
});
const config = loadConfig();
await waitForBroker(config.kafka.brokers);
const telemetry = startTelemetry({ serviceName: `${config.otel.serviceName}-sink`, exporter: config.otel.exporter, endpoint: config.otel.endpoint });
const logger = createLogger({ level: config.log.level, name: 'sink' }).child({ instanceId: config.instanceId });

if (!config.secrets.buyerHashSalt) {
  if (config.env === 'production') {
    process.stderr.write('invalid configuration: secrets.buyerHashSalt must be set in production (set by BUYER_HASH_SALT)\n');
    process.exit(1);
  }
  logger.warn('BUYER_HASH_SALT is empty: buyer hashes are unsalted (fine for development only)');
}

const warehouse = await openWarehouse({ ...config.warehouse, database: config.warehouse.database });
await migrate(warehouse);
const kafka = createKafka({
  brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-sink`, topicPrefix: config.kafka.topicPrefix, connectionTimeoutMs: config.kafka.connectionTimeoutMs, logger,
});
const observability = createObservability({
  settings: config.metrics, kafka, brokers: config.kafka.brokers, logger, groups: [{ group: 'sink', topics: [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC] }],
});
const sink = createSink({
  kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: config.secrets.buyerHashSalt, ...config.sink,
});
const shutdown = exitOnShutdown(logger, [() => sink.stop(), () => observability.stop(), () => warehouse.close(), () => telemetry.shutdown()]);
sink.events.on(SINK_EVENTS.TRANSITION, ({ to }) => {
  if (to === 'crashed') void shutdown(1);
});

await sink.start();
await observability.serve([{ name: 'warehouse taking inserts', check: () => observability.kernel.warehouseUp(kafka.topic('sink')) }]);
logger.info({ stats: sink.stats }, 'sink running');
