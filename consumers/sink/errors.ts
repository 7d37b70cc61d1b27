/**
 * Why the sink turns input away. Each is non-retriable: the input itself is at fault, so it goes to sink.dlq with
 * the reason and its original bytes, and the partition moves on. `code` becomes the DLQ entry's errorClass.
 */
import { NonRetriableError } from '../../lib/errors.js';

/** One source record a mapper cannot turn into rows (missing id, negative quantity, unparsable money, too big). */
export class RecordRejectedError extends NonRetriableError {
  override readonly code: string = 'RECORD_REJECTED';
}

/** A record too big to store (its JSON above maxRecordBytes): a human should see why a source sent it. */
export class RecordTooLargeError extends RecordRejectedError {
  override readonly code: string = 'RECORD_TOO_LARGE';
}

/** A whole message the sink cannot read: malformed JSON, wrong schema version, a contract violation. */
export class PoisonMessageError extends NonRetriableError {
  override readonly code: string = 'CONTRACT';
}

/** A RawResult of a platform without a registered mapper, or of an entity its mapper does not know. */
export class UnknownEntityError extends NonRetriableError {
  override readonly code: string = 'UNKNOWN_ENTITY';
}
