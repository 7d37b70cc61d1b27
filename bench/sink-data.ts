/**
 * The sink benchmark's data set: what a day of incremental syncs of many Cafe24 shops puts on raw.results and
 * sync.runs. Per tenant (one shop): 150 orders with 1–3 items embedded (as `GET /orders?embed=items` lists them),
 * 100 products with variants, 20 categories, 300 hourly productsales report rows, each entity one RawResult chunk
 * (the connector emits ≤ 500 records per chunk), and one sync.runs event. Records are shaped as the Admin API
 * returns them (test/fixtures/sink-records.ts), deterministic per tenant.
 *
 * Rows per tenant (what the sink writes): orders 150 + order_items ~300 + products 100 + categories 20 +
 * raw_records 570 + sync_runs 1 + freshness 2 ≈ 1,143.
 */
import { SyncRunContract } from '../lib/contracts/sync-run.js';
import {
  cafe24Category, cafe24Order, cafe24Product, cafe24ProductSale, encodeRawResult, expectedCafe24Rows, rawResult,
} from '../test/fixtures/sink-records.js';

export const PER_TENANT = { orders: 150, products: 100, categories: 20, productsales: 300 } as const;

export interface TenantMessages {
  tenant: string;
  rawResults: Buffer[];
  syncRun: Buffer;
  /** Rows the sink writes for this tenant, per table. */
  rows: Record<string, number>;
}

export function tenantMessages(index: number): TenantMessages {
  const tenant = `bench-tenant-${index}`;
  const requestId = `bench-request-${index}`;
  // Recent: raw_records keeps 30 days (TTL); an older fetch time would be dropped at insert.
  const fetchedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();
  const base = index * 1_000;
  const orders = Array.from({ length: PER_TENANT.orders }, (_, i) => cafe24Order(base + i));
  const products = Array.from({ length: PER_TENANT.products }, (_, i) => cafe24Product(base + i + 1));
  const categories = Array.from({ length: PER_TENANT.categories }, (_, i) => cafe24Category(i + 2));
  const sales = Array.from({ length: PER_TENANT.productsales }, (_, i) => cafe24ProductSale(base + i));
  const chunk = (entity: string, records: unknown[]) => encodeRawResult(rawResult(tenant, entity, records, { requestId, fetchedAt }));
  const rows = expectedCafe24Rows({ orders, products, categories });
  rows.raw_records = (rows.raw_records ?? 0) + sales.length;
  rows.sync_runs = 1;
  rows.freshness = 2;
  return {
    tenant,
    rawResults: [chunk('orders', orders), chunk('products', products), chunk('categories', categories), chunk('productsales', sales)],
    syncRun: SyncRunContract.encode({
      v: 1, requestId, attempt: 1, tenantId: tenant, platform: 'cafe24', status: 'succeeded', startedAt: fetchedAt, durationMs: 8_000,
      counts: { orders: orders.length, products: products.length, categories: categories.length, productsales: sales.length },
      dataAsOf: { orders: '2026-11-30T09:59:00+09:00', products: '2026-11-30T09:59:00+09:00' },
    }),
    rows,
  };
}
