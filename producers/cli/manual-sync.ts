/**
 * Manual syncs and backfills (`sellerstream sync`, `sellerstream backfill`).
 *
 * A manual sync is the work of the tenant's current slot, asked for now: it gets the request id the scheduler
 * gives that slot (producers/scheduler/slots.ts derives ids from tenant, platform, entity set and slot), by
 * asking the planner itself for the slot of the current frame. So a manual sync and the scheduled request of the
 * same frame are one request id: whichever comes second is the same work, and consumers drop a request id they
 * already completed. With `--entities` the entity set differs and so does the id (other entities keep their
 * interval). Before publishing, the tenant's partition of the request topic is read from the frame's start: a
 * request with the same id already there (scheduled, or a manual sync a moment ago) is reported instead of
 * published again.
 *
 * A backfill is a one-off (its own id, `mb…`); the consumer cuts it into steps, whose continuations carry
 * `<id>-c<step>` (lib/contracts/sync-request.ts), so its progress is followed on sync.runs by that id.
 */
import { randomBytes } from 'node:crypto';
import { Partitioners } from '../../lib/kafka/kafkajs.js';
import type { Platform } from '../../lib/contracts/fields.js';
import { priorityOf, syncTopic, SyncRequestContract, type SyncRequest } from '../../lib/contracts/sync-request.js';
import type { Tenant } from '../../lib/contracts/tenant.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import { readRange } from '../../lib/kafka/read-range.js';
import type { SchedulerPolicy } from '../scheduler/policy.js';
import { compileTable, createSlotState, planTick } from '../scheduler/slots.js';

export interface ManualRequest {
  request: SyncRequest;
  topic: string;
  /** Start of the slot's frame (ms): where the coalescing check reads from. */
  slotStart: number;
}

/** A policy under which exactly `entities` are due in every slot, at their usual bits of the id's entity mask. */
function onlyEntities(policy: SchedulerPolicy, platform: Platform, entities: readonly string[]): SchedulerPolicy {
  const known = policy.entities[platform].map((e) => e.name);
  const unknown = entities.filter((e) => !known.includes(e));
  if (unknown.length > 0) throw new RangeError(`${platform} has no entity ${unknown.join(', ')} (it has ${known.join(', ')})`);
  return {
    ...policy,
    entities: { ...policy.entities, [platform]: policy.entities[platform].map((e) => ({ name: e.name, everyMs: entities.includes(e.name) ? 0 : Number.MAX_VALUE })) },
  };
}

/** The tenant's current-slot request for `platform`, as the scheduler would emit it (reason `manual`). */
export function manualSyncRequest(tenant: Tenant, platform: Platform, policy: SchedulerPolicy, now: number, entities?: readonly string[]): ManualRequest {
  const effective = entities ? onlyEntities(policy, platform, entities) : policy;
  const periodMs = tenant.syncIntervalMinutes === undefined ? policy.periodMs[tenant.tier] : tenant.syncIntervalMinutes * 60_000;
  const table = compileTable([{
    tenantId: tenant.tenantId, platform, tier: tenant.tier, since: 0, businessType: tenant.businessType,
    ...(tenant.syncIntervalMinutes === undefined ? {} : { periodMs }),
  }], effective);
  const frame = Math.floor(now / periodMs) * periodMs;
  const state = createSlotState(1);
  // As if the previous frame's slot was emitted: the entity set is then exactly this frame's.
  state.lastSlot[0] = frame - periodMs;
  const [planned] = planTick(table, state, frame + periodMs - 1, effective, { leaderSince: -Infinity });
  if (!planned) throw new RangeError(`no slot of ${tenant.tenantId}/${platform} falls in this period (its business type's windows avoid it)`);
  return { request: { ...planned.request, reason: 'manual', requestedAt: new Date(now).toISOString() }, topic: planned.topic, slotStart: planned.slotStart };
}

/** A backfill request from `since` (to `until`, or up to now). */
export function backfillRequest(tenant: Tenant, platform: Platform, since: Date, now: Date, until?: Date, entities?: readonly string[]): { request: SyncRequest; topic: string } {
  const request: SyncRequest = {
    v: 1, requestId: `mb${randomBytes(12).toString('hex')}`, tenantId: tenant.tenantId, platform, tier: tenant.tier, reason: 'backfill', attempt: 1,
    since: since.toISOString(), requestedAt: now.toISOString(),
    ...(until ? { until: until.toISOString() } : {}), ...(entities ? { entities: [...entities] } : {}),
  };
  return { request, topic: syncTopic(platform, priorityOf(tenant.tier)) };
}

/** The partition a message keyed `key` goes to (the producers' default partitioner). */
export async function partitionOf(kafka: KafkaContext, topic: string, key: string): Promise<number> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [kafka.topic(topic)] });
    const partitionMetadata = topics[0]!.partitions.map((p) => ({ partitionErrorCode: 0, partitionId: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }));
    return Partitioners.DefaultPartitioner()({ topic: kafka.topic(topic), partitionMetadata, message: { key, value: null } });
  } finally {
    await admin.disconnect();
  }
}

/** The request already on `topic` with this id since `sinceMs` (its tenant's partition only), if any. */
export async function findRequest(kafka: KafkaContext, topic: string, tenantId: string, requestId: string, sinceMs: number): Promise<SyncRequest | undefined> {
  const partition = await partitionOf(kafka, topic, tenantId);
  const messages = await readRange(kafka, { topic, from: new Date(sinceMs), partitions: [partition] });
  for (const m of messages) {
    if (m.key !== tenantId) continue;
    const decoded = SyncRequestContract.decode(m.value);
    if (decoded.ok && decoded.value.requestId === requestId) return decoded.value;
  }
  return undefined;
}
