/**
 * Which sync requests a platform group already completed, so a second request with the same id is dropped
 * instead of run twice (issue 11, item 5). The scheduler derives a request id from tenant, platform, entity set
 * and slot (producers/scheduler/slots.ts), and a manual `sellerstream sync` takes its slot's id
 * (producers/cli/manual-sync.ts): a scheduled request emitted after a manual one for the same slot is the same work.
 *
 * Two sources, because either alone misses some:
 * - sync.state: each job's transaction writes the link's cursor with the request id that wrote it (across
 *   instances and restarts, but only the latest one, and the view follows the topic a moment behind);
 * - this instance's own commits, remembered per link (the last `perLink` ids, for at most `links` links, the
 *   least recently completed forgotten first): a duplicate right behind its twin is caught before the view has
 *   caught up.
 * A request is done when either names its id or one of its continuations (`<id>-c<step>`): a chain that has begun
 * covers the work. A retry keeps its id, so a retry whose twin succeeded meanwhile is dropped as well.
 */
import { inChainOf, type SyncRequest } from '../contracts/sync-request.js';

export interface CompletedRequestsOptions {
  /** Ids remembered per tenant × platform. @default 8 */
  perLink?: number;
  /** Links remembered. @default 100_000 */
  links?: number;
}

export interface CompletedRequests {
  add(tenantId: string, platform: string, requestId: string): void;
  /** Whether `request` (or its chain) already completed, by this memory or the link's last stored request id. */
  has(request: SyncRequest, storedRequestId?: string): boolean;
}

export function createCompletedRequests({ perLink = 8, links = 100_000 }: CompletedRequestsOptions = {}): CompletedRequests {
  const byLink = new Map<string, string[]>();
  return {
    add(tenantId, platform, requestId) {
      const key = `${tenantId}/${platform}`;
      const ids = byLink.get(key) ?? [];
      byLink.delete(key);
      ids.push(requestId);
      if (ids.length > perLink) ids.shift();
      byLink.set(key, ids);
      if (byLink.size > links) byLink.delete(byLink.keys().next().value!);
    },
    has(request, storedRequestId) {
      const done = (id: string) => inChainOf(id, request.requestId);
      return (storedRequestId !== undefined && done(storedRequestId)) || (byLink.get(`${request.tenantId}/${request.platform}`)?.some(done) ?? false);
    },
  };
}
