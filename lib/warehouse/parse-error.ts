/**
 * Both engines' failures become one typed error, so callers decide retry by class, never by message text.
 *   - WarehouseRetriableError: the condition passes (merges catch up, a table re-attaches, the server restarts,
 *     the network comes back). Subclass of WarehouseUnavailableError, so `retriable` is true.
 *   - WarehouseRejectedError: ClickHouse refused the statement or its data (syntax, types, unparsable input,
 *     unknown setting, access). Retrying the same request cannot succeed: the job goes to the DLQ.
 * Both carry the ClickHouse exception code (`clickhouseCode`, 0 when the failure never reached ClickHouse) and
 * its name (`type`, e.g. UNKNOWN_TABLE, or ECONNREFUSED / TIMEOUT for transport failures). `code` stays the
 * SyncError code of lib/errors.ts (a stable string for sync_runs.error_class).
 */
import { NonRetriableError, WarehouseUnavailableError, type SyncErrorOptions } from '../errors.js';

export interface WarehouseErrorDetails {
  /** ClickHouse exception code (60 = UNKNOWN_TABLE …); 0 when the failure is not a ClickHouse exception. */
  clickhouseCode: number;
  /** ClickHouse exception name, or the transport failure's name (ECONNREFUSED, TIMEOUT, CLOSED, …). */
  type: string;
}

export class WarehouseRetriableError extends WarehouseUnavailableError implements WarehouseErrorDetails {
  readonly clickhouseCode: number;
  readonly type: string;
  constructor(message: string, details: WarehouseErrorDetails, options: SyncErrorOptions = {}) {
    super(message, options);
    this.clickhouseCode = details.clickhouseCode;
    this.type = details.type;
  }
}

export class WarehouseRejectedError extends NonRetriableError implements WarehouseErrorDetails {
  override readonly code: string = 'WAREHOUSE_REJECTED';
  readonly clickhouseCode: number;
  readonly type: string;
  constructor(message: string, details: WarehouseErrorDetails, options: SyncErrorOptions = {}) {
    super(message, options);
    this.clickhouseCode = details.clickhouseCode;
    this.type = details.type;
  }
}

export type WarehouseError = WarehouseRetriableError | WarehouseRejectedError;

export function isWarehouseError(error: unknown): error is WarehouseError {
  return error instanceof WarehouseRetriableError || error instanceof WarehouseRejectedError;
}

/**
 * ClickHouse codes worth another attempt, with their names (checked against system.errors of ClickHouse 26.7).
 * Everything else that ClickHouse raises is a rejection of the request itself.
 */
const RETRIABLE_CODES: ReadonlyMap<number, string> = new Map([
  [3, 'UNEXPECTED_END_OF_FILE'], // a response cut short
  [32, 'ATTEMPT_TO_READ_AFTER_EOF'],
  [60, 'UNKNOWN_TABLE'], // detached for maintenance, being re-created, or not migrated yet
  [81, 'UNKNOWN_DATABASE'], // same, one level up
  [159, 'TIMEOUT_EXCEEDED'],
  [160, 'TOO_SLOW'],
  [173, 'CANNOT_ALLOCATE_MEMORY'],
  [201, 'QUOTA_EXCEEDED'], // quotas reset with their interval
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  [203, 'NO_FREE_CONNECTION'],
  [209, 'SOCKET_TIMEOUT'],
  [210, 'NETWORK_ERROR'],
  [218, 'TABLE_IS_DROPPED'],
  [236, 'ABORTED'],
  [241, 'MEMORY_LIMIT_EXCEEDED'],
  [242, 'TABLE_IS_READ_ONLY'],
  [252, 'TOO_MANY_PARTS'], // inserts outran merges: back off and they catch up
  [279, 'ALL_CONNECTION_TRIES_FAILED'],
  [285, 'TOO_FEW_LIVE_REPLICAS'],
  [319, 'UNKNOWN_STATUS_OF_INSERT'], // retry with the same deduplication token is exactly what this needs
  [394, 'QUERY_WAS_CANCELLED'],
  [425, 'SYSTEM_ERROR'],
  [439, 'CANNOT_SCHEDULE_TASK'],
  [473, 'DEADLOCK_AVOIDED'],
  [999, 'KEEPER_EXCEPTION'],
  [1000, 'POCO_EXCEPTION'],
]);

/**
 * Names of common rejections, for messages that carry no `(TYPE)` marker (18.x servers print none).
 * A code missing from both tables is still classified correctly (rejected); only its name becomes CODE_<n>.
 */
const REJECTED_CODE_NAMES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [16, 'NO_SUCH_COLUMN_IN_TABLE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [36, 'BAD_ARGUMENTS'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [43, 'ILLEGAL_TYPE_OF_ARGUMENT'],
  [46, 'UNKNOWN_FUNCTION'],
  [47, 'UNKNOWN_IDENTIFIER'],
  [53, 'TYPE_MISMATCH'],
  [57, 'TABLE_ALREADY_EXISTS'],
  [62, 'SYNTAX_ERROR'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [82, 'DATABASE_ALREADY_EXISTS'],
  [115, 'UNKNOWN_SETTING'],
  [117, 'INCORRECT_DATA'],
  [164, 'READONLY'],
  [192, 'UNKNOWN_USER'],
  [193, 'WRONG_PASSWORD'],
  [291, 'DATABASE_ACCESS_DENIED'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [456, 'UNKNOWN_QUERY_PARAMETER'],
  [457, 'BAD_QUERY_PARAMETER'],
  [497, 'ACCESS_DENIED'],
  [516, 'AUTHENTICATION_FAILED'],
]);

/** Socket-level failures (Node errno codes, undici codes): the server may answer next time. */
const RETRIABLE_TRANSPORT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
]);

/**
 * One ClickHouse exception, in every shape our two engines print it:
 *   server ≥ 20 and chDB:  "Code: 60. DB::Exception: Table db.t does not exist. (UNKNOWN_TABLE) (version 25.8.1.1)"
 *   chDB's sync path:      "Query failed: Code: 60. DB::Exception: … (UNKNOWN_TABLE)"
 *   wrapped (chDB, cluster): "Code: 115. DB::Exception: Code: 115. DB::Exception: Unknown setting …. (UNKNOWN_SETTING)
 *                            (version 26.7.2.1). (UNKNOWN_SETTING)"
 *   server 18.x:           "Code: 60, e.displayText() = DB::Exception: Table default.t doesn't exist., e.what() = DB::Exception"
 * - code: the first `Code: N` followed by `.` (current) or `,` (18.x); wrappers repeat the same code.
 * - `.*Exception: ` is greedy, so the message starts after the LAST "Exception: ", i.e. the innermost exception.
 * - message is lazy and ends where the rest of the text is only a trailer: 18.x's ", e.what() = DB::Exception", or
 *   one or more " (TYPE)" markers, each optionally followed by " (version …)" (which may hold one nested
 *   "(official build)") and a dot. Because the trailer must
 *   reach the end of the text, a parenthesised word inside the message ("position 1 (SELEC): …") is never taken for
 *   the type. The trailer is optional, so any "Code: N … Exception: …" text matches.
 * - type: the last marker of the trailer; needs ≥ 3 capitals in a row, so "(2)" or "(at row 1)" never qualify.
 *   The capitals are checked by a lookahead, not by the match itself: `[A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*` could split
 *   "ABCD" two ways, and a text of many " (ABCD)" markers not ending the message backtracks exponentially.
 * Input is cut to MAX_PARSED_CHARS first so a huge message (a parse error quoting data) cannot make it slow.
 */
const EXCEPTION_RE =
  /Code: (?<code>\d+)[.,].*Exception: (?<message>.*?)(?:,? e\.what\(\) = DB::Exception|(?: \((?<type>(?=[A-Z0-9_]*[A-Z]{3})[A-Z0-9_]+)\)(?: \(version [^()]*(?:\([^()]*\))?\))?\.?)+)?\s*$/s;
const MAX_PARSED_CHARS = 8_192;

export interface ParsedClickHouseException {
  code: number;
  /** Undefined when the text has no `(TYPE)` marker (18.x servers). */
  type: string | undefined;
  message: string;
}

/** The ClickHouse exception in a text, or undefined when the text is not one. */
export function parseClickHouseException(text: string): ParsedClickHouseException | undefined {
  const groups = EXCEPTION_RE.exec(text.slice(0, MAX_PARSED_CHARS))?.groups;
  if (!groups?.code) return undefined;
  // chDB's insert errors repeat an inner "(TYPE) (version …)" mid-text; the type is already known, drop them.
  const message = (groups.message ?? '').replace(/ \([A-Z0-9_]{3,}\) \(version [^()]*(?:\([^()]*\))?\)/g, '').trim();
  return { code: Number(groups.code), type: groups.type, message };
}

/** Classifies a ClickHouse exception code: its name and whether another attempt may succeed. */
export function classifyCode(code: number, type?: string): { type: string; retriable: boolean } {
  const retriableName = RETRIABLE_CODES.get(code);
  if (retriableName !== undefined) return { type: type ?? retriableName, retriable: true };
  return { type: type ?? REJECTED_CODE_NAMES.get(code) ?? `CODE_${code}`, retriable: false };
}

export function warehouseError(
  message: string,
  details: WarehouseErrorDetails & { retriable: boolean },
  cause?: unknown,
): WarehouseError {
  const { retriable, ...fields } = details;
  const options = cause === undefined ? {} : { cause };
  return retriable
    ? new WarehouseRetriableError(message, fields, options)
    : new WarehouseRejectedError(message, fields, options);
}

/**
 * Turns whatever an adapter caught into a WarehouseError (an existing one is returned as is). In order:
 *   1. a ClickHouse exception in the message (both engines, every server version), else the code an engine
 *      already parsed (`clickhouseCode` on chDB errors, a numeric `code` on @clickhouse/client's ClickHouseError);
 *   2. transport failures: socket errno codes anywhere in the cause chain, @clickhouse/client's request timeout,
 *      chDB's timeout/abort/closed errors: retriable;
 *   3. chDB's bind and insert-building errors (bad identifier, unsafe integer): rejected;
 *   4. anything else is retriable, as lib/errors.ts counts errors that are not ours ("a bug fixed by deploy").
 */
export function parseError(error: unknown): WarehouseError {
  if (isWarehouseError(error)) return error;
  const text = error instanceof Error ? error.message : String(error);

  const parsed = parseClickHouseException(text);
  const engineCode = parsed?.code ?? engineParsedCode(error);
  if (engineCode !== undefined) {
    const { type, retriable } = classifyCode(engineCode, parsed?.type ?? engineParsedType(error));
    const message = parsed?.message || text;
    return warehouseError(message, { clickhouseCode: engineCode, type, retriable }, error);
  }

  const transport = transportFailure(error);
  if (transport !== undefined) {
    return warehouseError(text, { clickhouseCode: 0, type: transport, retriable: true }, error);
  }
  const chdbCode = (error as { code?: unknown } | null)?.code;
  if (chdbCode === 'CHDB_BIND' || chdbCode === 'CHDB_INSERT' || chdbCode === 'CHDB_COMPILE') {
    return warehouseError(text, { clickhouseCode: 0, type: 'BAD_REQUEST', retriable: false }, error);
  }
  const name = error instanceof Error ? error.name : 'UNKNOWN';
  return warehouseError(text, { clickhouseCode: 0, type: name, retriable: true }, error);
}

/** chDB errors carry `clickhouseCode`; @clickhouse/client's ClickHouseError carries `code` as a digit string. */
function engineParsedCode(error: unknown): number | undefined {
  const candidate = error as { clickhouseCode?: unknown; code?: unknown } | null;
  if (typeof candidate?.clickhouseCode === 'number') return candidate.clickhouseCode;
  if (typeof candidate?.code === 'string' && /^\d+$/.test(candidate.code) && 'type' in candidate) {
    return Number(candidate.code);
  }
  return undefined;
}

function engineParsedType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && /^[A-Z0-9_]+$/.test(type) ? type : undefined;
}

/** The name of a transport failure, searching the cause chain (fetch and undici nest the socket error). */
function transportFailure(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRIABLE_TRANSPORT_CODES.has(code)) return code;
    if (code === 'CHDB_TIMEOUT') return 'TIMEOUT';
    if (code === 'CHDB_ABORT') return 'ABORTED';
    if (code === 'CHDB_CLOSED' || code === 'CHDB_CONNECTION') return 'CLOSED';
    // @clickhouse/client's request_timeout rejects with this exact message and no code.
    if (current.message === 'Timeout error.') return 'TIMEOUT';
    if (/socket hang up/i.test(current.message)) return 'ECONNRESET';
    current = current.cause;
  }
  return undefined;
}
