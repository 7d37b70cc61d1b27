/**
 * The sink as production runs it (consumers/sink/index.ts: production batching, session and retry), on this
 * fault's own embedded engine directory, in its own process so a fault can kill -9 it. Merges are stopped, so a
 * duplicate insert stays visible to a plain count() instead of being merged away.
 * Events: `assigned`, `committed` (a flush group: rows by table), `state`, `warehouse` (unavailable/available),
 * `hung` (with HANG_AT=<stage>:<g> it stops at that stage of its g-th flush group and waits forever, for the fault to
 * kill it there: `intent-recorded` before any insert, `table-inserted` after the first table, `committed` after).
 * Requests: `outage` { ms } detaches every table for that long (inserts fail with a real engine error);
 * `reconcile` returns what ClickHouse holds per tenant (faults/harness/reconcile.ts).
 * Env: KAFKA_BROKERS, TOPIC_PREFIX, CHDB_DATA_DIR, DATABASE, BUYER_HASH_SALT, HANG_AT.
 */
import { createKafka } from '../../../lib/kafka/client.js';
import { createLogger } from '../../../lib/logger.js';
import { TABLES } from '../../../lib/model/tables.js';
import { openEmbeddedWarehouse } from '../../../lib/warehouse/chdb-warehouse.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import { platformModels } from '../../../consumers/platforms.js';
import type { SinkStage } from '../../../consumers/sink/options.js';
import { createSink, SINK_EVENTS } from '../../../consumers/sink/sink.js';
import { serveParent } from '../../../lib/testing/child-ipc.js';
import { warehouseHoldings, type HoldingTable } from '../reconcile.js';

const env = process.env;
const warehouse = await openEmbeddedWarehouse({ dataDir: env.CHDB_DATA_DIR!, database: env.DATABASE! });
await migrate(warehouse);
await warehouse.command('SYSTEM STOP MERGES');

const [hangStage, hangGroup] = (env.HANG_AT ?? '').split(':');
let groups = 0;
let hangingGroup: string | undefined;
const ipc = serveParent({
  async outage({ ms }: { ms: number }) {
    for (const table of TABLES) await warehouse.command(`DETACH TABLE ${table}`);
    ipc.emit('detached');
    setTimeout(() => {
      void (async () => {
        for (const table of TABLES) await warehouse.command(`ATTACH TABLE ${table}`);
        ipc.emit('attached');
      })();
    }, ms);
  },
  reconcile: ({ tables }: { tables: HoldingTable[] }) => warehouseHoldings(warehouse, tables),
});

async function onStage(event: SinkStage) {
  if (event.stage === 'intent-recorded' && String(++groups) === hangGroup) hangingGroup = event.group.intent.id;
  if (event.stage !== hangStage || event.group.intent.id !== hangingGroup) return;
  ipc.emit('hung', { stage: event.stage, group: groups });
  await new Promise(() => undefined);
}

const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn', name: 'fault-sink', destination: process.stderr });
const sink = createSink({
  kafka: createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'fault-sink', topicPrefix: env.TOPIC_PREFIX!, logger }),
  warehouse, logger, registry: platformModels(), buyerHashSalt: env.BUYER_HASH_SALT!, onStage,
});
sink.events.on(SINK_EVENTS.ASSIGNED, ({ partitions }) => ipc.emit('assigned', { partitions: partitions.length }));
sink.events.on(SINK_EVENTS.GROUP_COMMITTED, (g) => ipc.emit('committed', { rowsByTable: g.rowsByTable, dlq: g.dlq }));
sink.events.on(SINK_EVENTS.TRANSITION, ({ to }) => ipc.emit('state', { to }));
sink.events.on(SINK_EVENTS.WAREHOUSE_UNAVAILABLE, () => ipc.emit('warehouse', { available: false }));
sink.events.on(SINK_EVENTS.WAREHOUSE_AVAILABLE, () => ipc.emit('warehouse', { available: true }));

process.on('SIGTERM', () => {
  void sink.stop().then(() => warehouse.close()).then(() => process.exit(0), () => process.exit(1));
});
await sink.start();
ipc.emit('ready');
