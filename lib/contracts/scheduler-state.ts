/**
 * The scheduler's memory: the last slot it emitted per tenant × platform. Topic `scheduler.state` is compacted,
 * key `<tenantId>/<platform>`, and each value is written in the same Kafka transaction as the requests of its
 * slot, so a leader that dies mid-tick leaves either both or neither, and its successor neither skips nor
 * repeats a slot. Its own topic rather than a key space of `sync.state`: that one is written by the platform
 * consumers inside their job transactions and read by every job; the scheduler's keys would only be noise there.
 */
import { defineContract } from './codec.js';
import { platform, requestId, tenantId, type Platform } from './fields.js';
import { isoDateTime, literal, object, type Infer } from './schema.js';

export const schedulerStateV1 = object({
  v: literal(1),
  tenantId: tenantId(),
  platform: platform(),
  /** Start of the period frame whose slot was emitted (frames are epoch-aligned multiples of the period). */
  slotStart: isoDateTime(),
  /** The (first) request emitted for that slot. */
  requestId: requestId(),
  emittedAt: isoDateTime(),
});

export type SchedulerState = Infer<typeof schedulerStateV1>;
export const SchedulerStateContract = defineContract('SchedulerState', 1, schedulerStateV1);
export const SCHEDULER_STATE_TOPIC = 'scheduler.state';
export const schedulerStateKey = (tenant: string, p: Platform) => `${tenant}/${p}`;
