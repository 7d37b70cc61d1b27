/**
 * Turns a sync job's result or failure into the messages its transaction publishes. Pure: no I/O, so every
 * outcome (success, continuation, retry, dead, needs re-auth) is tested without a broker.
 */
import { RAW_RESULTS_TOPIC } from '../contracts/raw-result.js';
import { continuationId, MAX_ATTEMPT_ERRORS, priorityOf, retryTopic, syncTopic, SyncRequestContract, type AttemptError, type SyncRequest } from '../contracts/sync-request.js';
import { SYNC_RUNS_TOPIC, SyncRunContract, type RunStatus } from '../contracts/sync-run.js';
import { SYNC_STATE_TOPIC, SyncStateContract, syncStateKey } from '../contracts/sync-state.js';
import { dlqEntry, SYNC_DLQ_TOPIC } from '../contracts/dlq.js';
import { CredentialsRejectedError, errorCode, errorMessage, isRetriable, RateLimitedError } from '../errors.js';
import { jobHeaders } from '../kafka/headers.js';
import { ROWS_HEADER } from '../model/edge-rows.js';
import type { OutgoingMessage } from '../kafka/transaction.js';
import { backoff, hasAttemptsLeft, type RetryPolicy } from '../retry.js';
import type { ConnectorResult } from './connector.js';
import type { EntityChunks } from './fetched-chunks.js';
import { TIER_POLICIES } from './tiers.js';


export interface SuccessInput {
  request: SyncRequest;
  startedAt: Date;
  finishedAt: Date;
  /** The job's records, already in RawResult chunks (fetched-chunks.ts). */
  fetched: EntityChunks[];
  storedCursors: Readonly<Record<string, string>>;
  result: ConnectorResult;
}

const headersOf = (r: SyncRequest, contract: string) => jobHeaders(r.tenantId, r.requestId, contract);

function runEvent(request: SyncRequest, status: RunStatus, startedAt: Date, finishedAt: Date, counts: Record<string, number>, extra: { dataAsOf?: Record<string, string>; warnings?: string[]; error?: unknown } = {}): OutgoingMessage {
  return {
    topic: SYNC_RUNS_TOPIC,
    key: request.tenantId,
    headers: headersOf(request, 'SyncRun'),
    value: SyncRunContract.encode({
      v: 1,
      requestId: request.requestId,
      attempt: request.attempt,
      tenantId: request.tenantId,
      platform: request.platform,
      tier: request.tier,
      status,
      startedAt: startedAt.toISOString(),
      durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
      counts,
      ...(extra.dataAsOf ? { dataAsOf: extra.dataAsOf } : {}),
      ...(extra.warnings?.length ? { warnings: extra.warnings.slice(0, 20).map((w) => w.slice(0, 500)) } : {}),
      ...(extra.error === undefined ? {} : { errorClass: errorCode(extra.error).slice(0, 64), errorMessage: errorMessage(extra.error).slice(0, 2000) }),
    }),
  };
}

/** Records in RawResult chunks, the run event, the merged cursor, and a continuation when the job yielded. */
export function successMessages({ request, startedAt, finishedAt, fetched, storedCursors, result }: SuccessInput): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  const counts: Record<string, number> = {};
  const fetchedAt = finishedAt.toISOString();
  for (const { entity, chunks, count, oversize } of fetched) {
    counts[entity] = (counts[entity] ?? 0) + count;
    if (oversize > 0) counts[`${entity}_oversize`] = oversize;
    for (const { value, rows } of chunks) {
      const headers: Record<string, string | Buffer> = headersOf(request, 'RawResult');
      if (rows !== undefined) headers[ROWS_HEADER] = rows;
      messages.push({ topic: RAW_RESULTS_TOPIC, key: request.tenantId, headers, value });
    }
  }
  const cursors = { ...storedCursors, ...result.cursors };
  messages.push({
    topic: SYNC_STATE_TOPIC,
    key: syncStateKey(request.tenantId, request.platform),
    headers: headersOf(request, 'SyncState'),
    value: SyncStateContract.encode({ v: 1, tenantId: request.tenantId, platform: request.platform, cursors, requestId: request.requestId, updatedAt: fetchedAt }),
  });
  messages.push(runEvent(request, result.done ? 'succeeded' : 'continued', startedAt, finishedAt, counts, { dataAsOf: result.dataAsOf, warnings: result.warnings }));
  if (!result.done) {
    const continuation: SyncRequest = {
      ...request, requestId: continuationId(request.requestId), reason: 'continuation', attempt: 1, cursor: result.cursors, requestedAt: fetchedAt,
    };
    delete continuation.notBefore;
    delete continuation.errors;
    messages.push({
      topic: syncTopic(request.platform, priorityOf(request.tier)),
      key: request.tenantId,
      headers: headersOf(continuation, 'SyncRequest'),
      value: SyncRequestContract.encode(continuation),
    });
  }
  return messages;
}

/**
 * A request this group already completed (completed-requests.ts): the run event alone, `succeeded` with no
 * counts and no data time, and a warning that says so. No cursor, no records.
 */
export function duplicateMessages({ request, startedAt, finishedAt }: { request: SyncRequest; startedAt: Date; finishedAt: Date }): OutgoingMessage[] {
  return [runEvent(request, 'succeeded', startedAt, finishedAt, {}, { warnings: [`duplicate: request ${request.requestId} was already completed; skipped, nothing fetched`] })];
}

export interface FailureInput {
  request: SyncRequest;
  error: unknown;
  startedAt: Date;
  finishedAt: Date;
  /** Where the request was consumed from, for the DLQ entry. */
  source: { topic: string; partition: number; offset: string };
  /** @default TIER_POLICIES[tier].retry */
  policy?: RetryPolicy;
  random?: () => number;
}

/**
 * A retriable failure with attempts left: the request again on the retry topic with a not-before time (the
 * source's own Retry-After when it gave one). A job held back before it reached the source (RateLimitedError
 * with `spendsAttempt: false`, e.g. an open circuit breaker) goes the same way at its Retry-After, with the same
 * attempt number. Rejected credentials: needs_reauth, no retry. Otherwise: dead.
 */
export function failureMessages({ request, error, startedAt, finishedAt, source, policy = TIER_POLICIES[request.tier].retry, random }: FailureInput): OutgoingMessage[] {
  if (error instanceof CredentialsRejectedError) {
    return [runEvent(request, 'needs_reauth', startedAt, finishedAt, {}, { error })];
  }
  const heldBack = error instanceof RateLimitedError && !error.spendsAttempt;
  // A job held back never reached the source: not one of its attempts' errors.
  const errors: AttemptError[] = heldBack ? request.errors ?? [] : [
    ...(request.errors ?? []),
    { attempt: request.attempt, errorClass: errorCode(error).slice(0, 64), message: errorMessage(error).slice(0, 500), at: finishedAt.toISOString() },
  ].slice(-MAX_ATTEMPT_ERRORS);
  if (isRetriable(error) && (heldBack || hasAttemptsLeft(request.attempt, policy))) {
    const waitMs = heldBack ? error.retryAfterMs : Math.max(backoff(request.attempt, policy, random), error instanceof RateLimitedError ? error.retryAfterMs : 0);
    const retry: SyncRequest = {
      ...request, reason: 'retry', attempt: request.attempt + (heldBack ? 0 : 1), notBefore: new Date(finishedAt.getTime() + waitMs).toISOString(),
      ...(errors.length > 0 ? { errors } : {}),
    };
    return [
      runEvent(request, 'retrying', startedAt, finishedAt, {}, { error }),
      { topic: retryTopic(request.platform), key: request.tenantId, headers: headersOf(retry, 'SyncRequest'), value: SyncRequestContract.encode(retry) },
    ];
  }
  return [
    runEvent(request, 'dead', startedAt, finishedAt, {}, { error }),
    {
      topic: SYNC_DLQ_TOPIC,
      key: request.tenantId,
      headers: headersOf(request, 'DlqEntry'),
      value: dlqEntry({
        reason: errorMessage(error),
        errorClass: errorCode(error),
        source: { ...source, key: request.tenantId },
        value: SyncRequestContract.encode(request),
        tenantId: request.tenantId,
        errors,
        failedAt: finishedAt,
      }),
    },
  ];
}
