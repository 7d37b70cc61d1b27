/**
 * A request to sync one tenant on one platform. Produced by the scheduler and the manual/backfill producers,
 * re-published by the runner as a continuation (with the cursor it reached) or a retry (with a not-before time).
 * Key: tenantId. Topics: sync.<platform>.high (paid), sync.<platform>.low (free), sync.<platform>.retry.
 */
import { defineContract } from './codec.js';
import { entity, platform, requestId, tenantId, tier, type Platform, type Tier } from './fields.js';
import { array, integer, isoDateTime, literal, object, oneOf, optional, record, string, type Infer } from './schema.js';

export const SYNC_REASONS = ['scheduled', 'manual', 'backfill', 'continuation', 'retry'] as const;

/** One failed attempt of a request, as its retries carry them and its DLQ entry keeps them. */
export const attemptErrorV1 = object({
  attempt: integer({ min: 1, max: 100 }),
  errorClass: string({ max: 64 }),
  message: string({ max: 500 }),
  at: isoDateTime(),
});
export type AttemptError = Infer<typeof attemptErrorV1>;
/** The most attempt errors a request carries (the latest). */
export const MAX_ATTEMPT_ERRORS = 10;

export const syncRequestV1 = object({
  v: literal(1),
  requestId: requestId(),
  tenantId: tenantId(),
  platform: platform(),
  tier: tier(),
  reason: oneOf(SYNC_REASONS),
  /** 1 for the first try; a retry carries the attempt it is. */
  attempt: integer({ min: 1, max: 100 }),
  /** Entities to sync; absent means all the platform offers. */
  entities: optional(array(entity(), { max: 32 })),
  /** A backfill's range; absent means incremental from the stored cursor. */
  since: optional(isoDateTime()),
  until: optional(isoDateTime()),
  /** Where a continuation resumes, per entity (opaque to all but the platform's connector). */
  cursor: optional(record(string({ max: 2048 }))),
  /** A retry waits until this time; the partition is not blocked meanwhile (it sits on the retry topic). */
  notBefore: optional(isoDateTime()),
  /** A retry's earlier failed attempts, oldest first (the latest MAX_ATTEMPT_ERRORS). */
  errors: optional(array(attemptErrorV1, { max: MAX_ATTEMPT_ERRORS })),
  requestedAt: isoDateTime(),
});

export type SyncRequest = Infer<typeof syncRequestV1>;
export const SyncRequestContract = defineContract('SyncRequest', 1, syncRequestV1);

export type Priority = 'high' | 'low';
export const priorityOf = (t: Tier): Priority => (t === 'paid' ? 'high' : 'low');
export const syncTopic = (p: Platform, priority: Priority) => `sync.${p}.${priority}`;
export const retryTopic = (p: Platform) => `sync.${p}.retry`;

/**
 * The id of a request's continuation: `<first id>-c<step>`. A chain of steps (a backfill cut by the job budget)
 * is followed by its first request's id, and a step redone after a crash publishes the same continuation id.
 */
export function continuationId(requestId: string): string {
  const m = /^(.+)-c(\d{1,4})$/.exec(requestId);
  const suffix = `-c${m ? Number(m[2]) + 1 : 1}`;
  return (m ? m[1]! : requestId).slice(0, 64 - suffix.length) + suffix;
}

/** Whether `requestId` is `first` or one of its continuations. */
export const inChainOf = (requestId: string, first: string): boolean =>
  requestId === first || (requestId.startsWith(`${first}-c`) && /^\d{1,4}$/.test(requestId.slice(first.length + 2)));
