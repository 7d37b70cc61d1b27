/**
 * The Cafe24 benchmark's simulator process (bench/cafe24.ts starts one per measured run, so each run meets fresh
 * buckets, tokens and caches). It plays Cafe24: in production those servers are not ours, so the simulator runs
 * apart from the pipeline, its page building never stalls the pipeline's event loop, and its CPU is counted apart.
 */
import { fleetSpecs, startCafe24Simulator, type Cafe24Simulator } from '../simulators/cafe24/index.js';
import { serve } from './cafe24-ipc.js';

let sim: Cafe24Simulator | undefined;

export interface SimStart {
  shops: number;
  seed: number;
  prefix: string;
  latencyMs: number;
  /** End of every mall's order history: the same for both runs, so they see the same orders. */
  dataAnchorMs: number;
  /** Memory for orders serialized before the clock starts (`prerenderOrders`); 0 builds every page on demand. */
  prerenderBytes: number;
  /** Orders placed before this instant are not prerendered (no run reads them). */
  prerenderSinceMs: number;
}

export interface SimInfo {
  apiBaseTemplate: string;
  clientId: string;
  clientSecret: string;
  mallIds: string[];
  prerendered: { orders: number; bytes: number; seconds: number };
}

/** What the benchmark keeps of a mall's MallStats. */
export interface MallCalls {
  mallId: string;
  calls: number;
  /** Admitted calls answered 200: the calls the sync needed. */
  ok: number;
  rateLimited: number;
  byEndpoint: Record<string, number>;
  refreshes: number;
}

serve({
  async start(o: SimStart): Promise<SimInfo> {
    sim = await startCafe24Simulator({
      seed: o.seed, shops: fleetSpecs({ count: o.shops, seed: o.seed, prefix: o.prefix }), latencyMs: o.latencyMs, dataAnchorMs: o.dataAnchorMs,
      ...(o.prerenderBytes > 0 ? { orderJsonCacheBytes: o.prerenderBytes } : {}),
    });
    const t0 = performance.now();
    const prerendered = { orders: 0, bytes: 0 };
    // The connector's order pages embed the items (consumers/cafe24/connector.ts).
    if (o.prerenderBytes > 0) {
      for (const mallId of sim.mallIds()) {
        const done = sim.prerenderOrders(mallId, { embed: ['items'], sinceMs: o.prerenderSinceMs });
        prerendered.orders += done.orders;
        prerendered.bytes += done.bytes;
      }
    }
    return {
      apiBaseTemplate: sim.apiBaseTemplate, clientId: sim.app.clientId, clientSecret: sim.app.clientSecret, mallIds: sim.mallIds(),
      prerendered: { ...prerendered, seconds: (performance.now() - t0) / 1000 },
    };
  },
  /** The token responses of the app's install on each mall (what the OAuth callback would receive). */
  async tokens({ mallIds }: { mallIds: string[] }): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const mallId of mallIds) out.push((await sim!.issueTokens(mallId)).response);
    return out;
  },
  stats(): MallCalls[] {
    return sim!.mallIds().map((mallId) => {
      const s = sim!.stats(mallId);
      return { mallId, calls: s.calls, ok: s.byStatus['200'] ?? 0, rateLimited: s.rateLimited, byEndpoint: s.byEndpoint, refreshes: s.refreshes };
    });
  },
  /** Ground truth per mall: orders placed in [since, until), and the catalog. */
  expected({ since, until }: { since: string; until?: number }) {
    return sim!.mallIds().map((mallId) => ({ mallId, ...sim!.expectedCounts(mallId, { since, until }) }));
  },
  async close() {
    await sim?.close();
  },
});
