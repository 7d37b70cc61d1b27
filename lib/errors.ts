/**
 * The error hierarchy of sellerstream. Retry is decided by class (the `retriable` flag), never by message text.
 * Every error keeps its `cause`, so the log shows the original failure under ours.
 */
export interface SyncErrorOptions {
  cause?: unknown;
  /** Context for logs and the DLQ entry (topic, partition, tenantId, status, …). */
  context?: Record<string, unknown>;
}

export class SyncError extends Error {
  readonly retriable: boolean = true;
  /** A stable, short name for dashboards and the DLQ (`sync_runs.error_class`). */
  readonly code: string = 'SYNC_ERROR';
  readonly context: Record<string, unknown>;

  constructor(message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** Not worth another attempt: the job goes to the DLQ straight away. */
export class NonRetriableError extends SyncError {
  override readonly retriable: boolean = false;
  override readonly code: string = 'NON_RETRIABLE';
}

/** A message that does not meet its contract: DLQ with the reason, the partition moves on. */
export class ContractError extends NonRetriableError {
  override readonly code: string = 'CONTRACT';
}

/** The source refused the tenant's credentials; retrying would only lock the account. */
export class CredentialsRejectedError extends NonRetriableError {
  override readonly code: string = 'CREDENTIALS_REJECTED';
}

/** The source blocked us (captcha wall, IP block): a human has to look. */
export class BlockedError extends NonRetriableError {
  override readonly code: string = 'BLOCKED';
}

export interface RateLimitedOptions extends SyncErrorOptions {
  /**
   * false when the job was held back before it reached the source (an open circuit breaker): handing it back
   * then uses up none of its attempts. @default true
   */
  spendsAttempt?: boolean;
}

/** The source asked us to slow down; `retryAfterMs` is its own word for how long. */
export class RateLimitedError extends SyncError {
  override readonly code: string = 'RATE_LIMITED';
  readonly spendsAttempt: boolean;
  constructor(message: string, readonly retryAfterMs: number, options: RateLimitedOptions = {}) {
    super(message, options);
    this.spendsAttempt = options.spendsAttempt ?? true;
  }
}

/** 5xx, timeouts, resets, truncated payloads: the source may answer next time. */
export class TransientSourceError extends SyncError {
  override readonly code: string = 'TRANSIENT_SOURCE';
}

/** The session (cookie/token) expired: log in again, then retry. */
export class SessionExpiredError extends SyncError {
  override readonly code: string = 'SESSION_EXPIRED';
}

/** ClickHouse is unreachable or refused for a reason that passes (merges behind, table detached, restart). */
export class WarehouseUnavailableError extends SyncError {
  override readonly code: string = 'WAREHOUSE_UNAVAILABLE';
}

/** The job ran past its time budget (its AbortSignal fired). */
export class DeadlineExceededError extends SyncError {
  override readonly code: string = 'DEADLINE_EXCEEDED';
}

/** Errors that are not ours (a TypeError, a library's error) count as retriable: a bug fixed by deploy. */
export function isRetriable(error: unknown): boolean {
  return error instanceof SyncError ? error.retriable : true;
}

export function errorCode(error: unknown): string {
  if (error instanceof SyncError) return error.code;
  if (error instanceof Error) return error.name;
  return 'UNKNOWN';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
