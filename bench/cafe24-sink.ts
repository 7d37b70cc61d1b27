/**
 * The Cafe24 benchmark's sink process: the production sink (consumers/sink) on a fresh embedded engine directory,
 * as it is deployed (its own process, next to the consumer group). It tells bench/cafe24.ts what each flush group
 * landed as soon as it is committed (event `landed`), so the benchmark knows when every fetched record is in
 * ClickHouse without polling the warehouse; after the clock stops it counts the tables (FINAL) to check.
 */
import { loadConfig } from '../lib/config.js';
import { createKafka } from '../lib/kafka/client.js';
import { createLogger } from '../lib/logger.js';
import { openEmbeddedWarehouse } from '../lib/warehouse/chdb-warehouse.js';
import { migrate } from '../lib/warehouse/migrate.js';
import type { Warehouse } from '../lib/warehouse/warehouse.js';
import { waitFor } from '../lib/wait-for.js';
import { platformModels } from '../consumers/platforms.js';
import { createSink, SINK_EVENTS, type Sink } from '../consumers/sink/sink.js';
import { serve } from './cafe24-ipc.js';
import { finalCounts } from './final-counts.js';

/** The engine's counters the benchmark reports (system.events names). */
const ENGINE_EVENTS = {
  inserts: 'InsertQuery', inserted_rows: 'InsertedRows', parts_written: 'MergeTreeDataWriterBlocks',
  merges: 'Merge', merged_rows: 'MergedRows', files_opened: 'FileOpen',
} as const;
export type EngineWork = Record<keyof typeof ENGINE_EVENTS | 'active_parts', number>;

let warehouse: Warehouse | undefined;
let sink: Sink | undefined;

export interface SinkStart {
  brokers: string[];
  prefix: string;
  dataDir: string;
  salt: string;
}

const ipc = serve({
  async start(o: SinkStart) {
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'bench-sink', destination: process.stderr });
    warehouse = await openEmbeddedWarehouse({ dataDir: o.dataDir, database: 'bench' });
    await migrate(warehouse);
    const kafka = createKafka({ brokers: o.brokers, clientId: 'bench-cafe24-sink', topicPrefix: o.prefix, logger });
    // The sink.* settings as the sink process reads them (SINK_BATCH_BYTES, …): defaults unless the environment sets them.
    sink = createSink({ kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: o.salt, ...loadConfig().sink });
    let assigned = false;
    sink.events.on(SINK_EVENTS.ASSIGNED, ({ partitions }) => void (assigned ||= partitions.length > 0));
    sink.events.on(SINK_EVENTS.GROUP_COMMITTED, (g) => ipc.emit('landed', { at: Date.now(), rowsByTable: g.rowsByTable, durationMs: g.durationMs }));
    await sink.start();
    await waitFor(() => assigned, { deadlineMs: 60_000, description: 'the sink to get its partitions' });
  },
  /** Rows per table, FINAL (what a query sees), and raw records per entity. */
  async counts() {
    const tables = await finalCounts(warehouse!);
    const byEntity = Object.fromEntries((await warehouse!.query<{ entity: string; c: string }>(
      'SELECT entity, count() AS c FROM raw_records FINAL GROUP BY entity')).map((r) => [r.entity, Number(r.c)]));
    return { tables, rawByEntity: byEntity };
  },
  /** What the engine did so far: inserts, the parts they wrote, merges, files opened (system.events), parts now. */
  async engine(): Promise<EngineWork> {
    const events = new Map((await warehouse!.query<{ event: string; value: string }>(
      'SELECT event, value FROM system.events WHERE event IN {names:Array(String)}', { names: Object.values(ENGINE_EVENTS) })).map((r) => [r.event, Number(r.value)]));
    const [parts] = await warehouse!.query<{ n: string }>(
      'SELECT count() AS n FROM system.parts WHERE database = {database:String} AND active', { database: warehouse!.database });
    const work = Object.fromEntries(Object.entries(ENGINE_EVENTS).map(([key, event]) => [key, events.get(event) ?? 0])) as Record<keyof typeof ENGINE_EVENTS, number>;
    return { ...work, active_parts: Number(parts?.n ?? 0) };
  },
  async stop() {
    await sink?.stop();
    await warehouse?.close();
  },
});
