/**
 * The sellers the simulator knows and their data, generated lazily on first touch from (seed, sellerId) and kept
 * in bounded LRUs: a seller costs a spec until something reads it, and regenerating gives identical data.
 */
import { LRUCache } from 'lru-cache';
import { DAY_MS } from '../cafe24/kst.js';
import { buildGoods, type Goods } from './goods.js';
import { OrderFlow, type OrderPlan } from './order-flow.js';
import { type AblySellerSpec, resolveSellerSpec, type ResolvedSellerSpec } from './seller-spec.js';

export interface SellerData {
  spec: ResolvedSellerSpec;
  goods: Goods[];
  goodsBySno: Map<number, Goods>;
  orders: OrderFlow;
}

export class SellerRegistry {
  private readonly specs = new Map<string, ResolvedSellerSpec>();
  private readonly byEmail = new Map<string, string>();
  private readonly data = new LRUCache<string, SellerData>({ max: 500 });
  private readonly orderCache = new LRUCache<string, OrderPlan>({ max: 200_000 });

  constructor(private readonly seed: number, readonly dataAnchorMs: number) {}

  add(spec: AblySellerSpec): ResolvedSellerSpec {
    if (this.specs.has(spec.sellerId)) throw new Error(`seller ${spec.sellerId} is already simulated`);
    const resolved = resolveSellerSpec(this.seed, spec, this.specs.size + 1);
    if (this.byEmail.has(resolved.email)) throw new Error(`e-mail ${resolved.email} is already taken`);
    this.specs.set(resolved.sellerId, resolved);
    this.byEmail.set(resolved.email.toLowerCase(), resolved.sellerId);
    return resolved;
  }

  all(): ResolvedSellerSpec[] {
    return [...this.specs.values()];
  }

  spec(sellerId: string): ResolvedSellerSpec | undefined {
    return this.specs.get(sellerId);
  }

  sellerIdByEmail(email: string): string | undefined {
    return this.byEmail.get(email.trim().toLowerCase());
  }

  /** The seller's data, generated on first use; undefined for an unknown seller. */
  seller(sellerId: string): SellerData | undefined {
    const cached = this.data.get(sellerId);
    if (cached) return cached;
    const spec = this.specs.get(sellerId);
    if (!spec) return undefined;
    const historyStartMs = this.dataAnchorMs - spec.historyDays * DAY_MS;
    const goods = buildGoods(this.seed, spec, historyStartMs);
    const built: SellerData = {
      spec, goods, goodsBySno: new Map(goods.map((g) => [g.sno, g])),
      orders: new OrderFlow(this.seed, spec, goods, historyStartMs, this.orderCache, spec.sellerId),
    };
    this.data.set(sellerId, built);
    return built;
  }

  require(sellerId: string): SellerData {
    const seller = this.seller(sellerId);
    if (!seller) throw new Error(`unknown seller ${sellerId}; known: ${[...this.specs.keys()].slice(0, 10).join(', ')}`);
    return seller;
  }
}
