/**
 * The Cafe24 benchmark's baseline process: what the old system did, on the same connector and mapping code.
 *
 * Fixed batches of `batchSize` shops (20). Every shop of a batch syncs at once (Promise.all) with the production
 * connector stack (consumers/cafe24/connector-stack.ts: Admin API over undici, rate limiter, token refresher), a full
 * first sync with no time budget (the old system had none, so no continuations); when the slowest shop of the
 * batch has finished, the batch's records are mapped with the sink's own mapping (mapRawResult, the same rows
 * ours lands: typed tables and raw_records) and inserted into ClickHouse (embedded engine, its own directory),
 * inserts of up to 5,000 rows per table per batch; then the next batch starts. No Kafka: the old system called its database
 * directly. Batched inserts are kinder than the old system's row-at-a-time inserts (bench/sink.ts
 * measures those), so this baseline is faster than the old system was, and the ratio errs against us.
 * With `land: false` the records are counted and dropped (fetch only). Tokens live in memory.
 * Per batch it reports the fetch phase and the landing phase apart, so one run gives both baselines.
 */
import { createCafe24ConnectorStack, type Cafe24Settings } from '../consumers/cafe24/connector-stack.js';
import { grantFromTokenResponse } from '../consumers/cafe24/token-refresher.js';
import { mapRawResult } from '../consumers/sink/map-raw-result.js';
import { platformModels } from '../consumers/platforms.js';
import { RowBuffer } from '../lib/model/row-buffer.js';
import { createBuyerHasher } from '../lib/buyer-hash.js';
import type { CredentialsStore } from '../lib/credentials/credentials-store.js';
import { createLogger } from '../lib/logger.js';
import { recordPages } from '../lib/sync/record-pages.js';
import { openEmbeddedWarehouse } from '../lib/warehouse/chdb-warehouse.js';
import { migrate } from '../lib/warehouse/migrate.js';
import type { Row, Warehouse } from '../lib/warehouse/warehouse.js';
import { serve } from './cafe24-ipc.js';
import { finalCounts } from './final-counts.js';

export interface BaselineRun {
  cafe24: Cafe24Settings;
  batchSize: number;
  salt: string;
  /** Map and insert each batch's records into ClickHouse (the old system's whole job); false: fetch only. */
  land: boolean;
  /** The embedded engine's directory (when landing). */
  dataDir: string;
  shops: { tenantId: string; mallId: string; tokenResponse: unknown }[];
  /** Where the orders begin (a first sync's window start, bench/cafe24.ts). */
  since: string;
}

export interface BaselineResult {
  wallMs: number;
  /** Per batch: until its slowest shop finished fetching; then mapping and inserting its records. */
  fetchMs: number[];
  landMs: number[];
  records: Record<string, number>;
  rowsByTable: Record<string, number>;
  failed: { tenantId: string; error: string }[];
}

/** In memory, like the old system's token table. */
function memoryCredentials(): CredentialsStore {
  const secrets = new Map<string, unknown>();
  return {
    async start() {},
    async get<T>(tenantId: string, platform: string) {
      return secrets.get(`${tenantId}/${platform}`) as T | undefined;
    },
    async put(tenantId, platform, secret) {
      secrets.set(`${tenantId}/${platform}`, structuredClone(secret));
    },
    async stop() {},
  };
}

let warehouse: Warehouse | undefined;
/** Rows per insert: large enough to amortise an insert (~10 ms), small enough that raw payloads (~7 KB) stay ~35 MB. */
const INSERT_ROWS = 5_000;

serve({
  /** Not timed: the engine and its schema. */
  async open({ dataDir }: { dataDir: string }) {
    warehouse = await openEmbeddedWarehouse({ dataDir, database: 'baseline' });
    await migrate(warehouse);
  },
  async run(o: BaselineRun): Promise<BaselineResult> {
    const credentials = memoryCredentials();
    for (const s of o.shops) await credentials.put(s.tenantId, 'cafe24', grantFromTokenResponse(s.mallId, s.tokenResponse));
    const { connector, close } = createCafe24ConnectorStack({ cafe24: o.cafe24, credentials });
    const log = createLogger({ level: 'warn', name: 'bench-baseline', destination: process.stderr });
    const registry = platformModels();
    const mapOptions = { hashBuyer: createBuyerHasher(o.salt), maxRecordBytes: 1024 * 1024 };
    const edge = { model: registry.get('cafe24')!, hashBuyer: mapOptions.hashBuyer };
    const records: Record<string, number> = {};
    const rowsByTable: Record<string, number> = {};
    const fetchMs: number[] = [];
    const landMs: number[] = [];
    const failed: BaselineResult['failed'] = [];

    const started = performance.now();
    for (let i = 0; i < o.shops.length; i += o.batchSize) {
      const batch = o.shops.slice(i, i + o.batchSize);
      const batchStarted = performance.now();
      const fetched = await Promise.all(batch.map(async (shop) => {
        const requestId = crypto.randomUUID();
        const byEntity = new Map<string, unknown[]>();
        const emit = (entity: string, list: readonly unknown[]) => {
          records[entity] = (records[entity] ?? 0) + list.length;
          if (!o.land) return;
          let kept = byEntity.get(entity);
          if (!kept) byEntity.set(entity, (kept = []));
          for (const record of list) kept.push(record);
        };
        try {
          await connector.sync({
            v: 1, requestId, tenantId: shop.tenantId, platform: 'cafe24', tier: 'paid', reason: 'scheduled', attempt: 1, requestedAt: new Date().toISOString(), since: o.since,
          }, {}, {
            signal: new AbortController().signal, log,
            emit,
            ...recordPages(edge, { platform: 'cafe24', tenantId: shop.tenantId }, emit),
            shouldYield: () => false,
          });
        } catch (error) {
          failed.push({ tenantId: shop.tenantId, error: String((error as Error)?.message ?? error) });
        }
        return { shop, requestId, byEntity };
      }));
      const fetchedAt = performance.now();
      fetchMs.push(fetchedAt - batchStarted);
      if (o.land) {
        const rows = new RowBuffer();
        const fetchedAtIso = new Date().toISOString();
        for (const { shop, requestId, byEntity } of fetched) {
          for (const [entity, list] of byEntity) {
            const outcome = mapRawResult(registry, {
              v: 1, requestId, tenantId: shop.tenantId, platform: 'cafe24', entity, chunk: 0, fetchedAt: fetchedAtIso, records: list,
            }, undefined, { topic: 'baseline', partition: 0, offset: String(i) }, mapOptions, rows);
            if (!outcome.ok || outcome.failures.length > 0) throw new Error(`baseline mapping failed for ${shop.tenantId} ${entity}`);
          }
        }
        for (const table of rows.tables()) {
          const all = rows.rowsOf(table) as Row[];
          for (let at = 0; at < all.length; at += INSERT_ROWS) await warehouse!.insert(table, all.slice(at, at + INSERT_ROWS));
          rowsByTable[table] = (rowsByTable[table] ?? 0) + all.length;
        }
      }
      landMs.push(performance.now() - fetchedAt);
    }
    const wallMs = performance.now() - started;
    await close();
    return { wallMs, fetchMs, landMs, records, rowsByTable, failed };
  },
  counts: () => finalCounts(warehouse!),
  async close() {
    await warehouse?.close();
  },
});
