/**
 * Sync requests as producers publish them: one per tenant × platform, keyed by tenantId, on the topic of the
 * tenant's tier (paid → high, free → low). Used by the scheduler, manual syncs, backfills and the demo.
 */
import { randomUUID } from 'node:crypto';
import type { Platform, Tier } from '../lib/contracts/fields.js';
import { priorityOf, syncTopic, SyncRequestContract, type SyncRequest } from '../lib/contracts/sync-request.js';
import { jobHeaders } from '../lib/kafka/headers.js';
import type { Publisher } from '../lib/kafka/publisher.js';

export interface SyncTarget {
  tenantId: string;
  platform: Platform;
  tier: Tier;
}

export function buildSyncRequest(target: SyncTarget, reason: SyncRequest['reason'], extra: Partial<SyncRequest> = {}): SyncRequest {
  return {
    v: 1, requestId: randomUUID(), tenantId: target.tenantId, platform: target.platform, tier: target.tier, reason, attempt: 1,
    requestedAt: new Date().toISOString(), ...extra,
  };
}

/** Publishes one request per target, grouped by topic; resolves when the broker acknowledged them all. */
export async function publishSyncRequests(publisher: Publisher, requests: SyncRequest[]): Promise<void> {
  const byTopic = new Map<string, SyncRequest[]>();
  for (const r of requests) {
    const topic = syncTopic(r.platform, priorityOf(r.tier));
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), r]);
  }
  for (const [topic, list] of byTopic) {
    await publisher.publish(topic, list.map((r) => ({
      key: r.tenantId, value: SyncRequestContract.encode(r), headers: jobHeaders(r.tenantId, r.requestId, 'SyncRequest'),
    })));
  }
}
