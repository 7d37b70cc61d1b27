/**
 * The malls the simulator knows, and their data, generated lazily on first touch and memoized. A thousand malls
 * cost a spec each until a connector calls them; orders are never materialized (see order-book.ts), and the
 * per-order memos are bounded LRUs shared by all malls.
 */
import { LRUCache } from 'lru-cache';
import { buildCatalog, type Catalog } from './catalog.js';
import { DAY_MS } from './kst.js';
import { shopsOf, type ShopInfo } from './multi-shop.js';
import { OrderBook } from './order-book.js';
import type { OrderCore, OrderSkeleton } from './order-core.js';
import { resolveShopSpec, type ResolvedShopSpec, type ShopSpec } from './shop-spec.js';

export interface MallData {
  spec: ResolvedShopSpec;
  shops: ShopInfo[];
  catalog: Catalog;
  orders: OrderBook;
}

export interface ShopRegistryOptions {
  seed: number;
  /** The instant the history window ends; orders keep arriving after it. */
  dataAnchorMs: number;
  /** @default 100_000 */
  skeletonCacheSize?: number;
  /** @default 10_000 */
  coreCacheSize?: number;
  /** Upper bound on cached order JSON, in bytes. @default 32 MiB */
  jsonCacheBytes?: number;
  /** Malls whose generated catalog stays in memory. @default 300 */
  mallCacheSize?: number;
}

export class ShopRegistry {
  private readonly specs = new Map<string, ResolvedShopSpec>();
  /** Generated malls; bounded, because a fleet's catalogs would not all fit. Regeneration gives identical data. */
  private readonly data: LRUCache<string, MallData>;
  /** Bumped on every resize so cached orders of the old size are never served. */
  private readonly generations = new Map<string, number>();
  private readonly skeletons: LRUCache<string, OrderSkeleton>;
  private readonly cores: LRUCache<string, OrderCore>;
  private readonly json: LRUCache<string, Buffer>;

  constructor(private readonly options: ShopRegistryOptions) {
    this.data = new LRUCache({ max: options.mallCacheSize ?? 300 });
    this.skeletons = new LRUCache({ max: options.skeletonCacheSize ?? 100_000 });
    this.cores = new LRUCache({ max: options.coreCacheSize ?? 10_000 });
    this.json = new LRUCache({
      maxSize: options.jsonCacheBytes ?? 32 * 1024 * 1024,
      sizeCalculation: (json) => Math.max(1, json.length),
    });
  }

  /** Bytes the order JSON memo can take before it evicts. */
  get jsonCacheRoom(): number {
    return this.json.maxSize - this.json.calculatedSize;
  }

  get dataAnchorMs(): number {
    return this.options.dataAnchorMs;
  }

  add(spec: ShopSpec): ResolvedShopSpec {
    const resolved = resolveShopSpec(spec);
    if (this.specs.has(resolved.mallId)) throw new Error(`mall ${resolved.mallId} is already simulated`);
    this.specs.set(resolved.mallId, resolved);
    return resolved;
  }

  /** Changes a mall's size; its data is regenerated (deterministically) on next use. */
  resize(mallId: string, patch: Partial<Omit<ShopSpec, 'mallId'>>): ResolvedShopSpec {
    const current = this.requireSpec(mallId);
    const resolved = resolveShopSpec({ ...current, ...patch, mallId });
    this.specs.set(mallId, resolved);
    this.data.delete(mallId);
    this.generations.set(mallId, (this.generations.get(mallId) ?? 0) + 1);
    return resolved;
  }

  has(mallId: string): boolean {
    return this.specs.has(mallId);
  }

  mallIds(): string[] {
    return [...this.specs.keys()];
  }

  spec(mallId: string): ResolvedShopSpec | undefined {
    return this.specs.get(mallId);
  }

  /** The mall's data, generated on first use; undefined for an unknown mall. */
  mall(mallId: string): MallData | undefined {
    const cached = this.data.get(mallId);
    if (cached) return cached;
    const spec = this.specs.get(mallId);
    if (!spec) return undefined;
    const historyStartMs = this.options.dataAnchorMs - spec.historyDays * DAY_MS;
    const catalog = buildCatalog(this.options.seed, mallId, spec.products, historyStartMs);
    const shops = shopsOf(mallId, spec.shopCount);
    const generation = this.generations.get(mallId) ?? 0;
    const orders = new OrderBook(
      this.options.seed, spec, this.options.dataAnchorMs, catalog, shops,
      { skeletons: this.skeletons, cores: this.cores, json: this.json }, `${mallId}#${generation}`,
    );
    const built: MallData = { spec, shops, catalog, orders };
    this.data.set(mallId, built);
    return built;
  }

  private requireSpec(mallId: string): ResolvedShopSpec {
    const spec = this.specs.get(mallId);
    if (!spec) throw new Error(`unknown mall ${mallId}`);
    return spec;
  }
}
