/**
 * Why a source record cannot become rows. Each is non-retriable: the record itself is at fault, so it goes to
 * sink.dlq with the reason and its original bytes, and its siblings still land. `code` becomes the DLQ entry's
 * errorClass.
 */
import { NonRetriableError } from '../errors.js';

/** One source record a mapper cannot turn into rows (missing id, negative quantity, unparsable money, too big). */
export class RecordRejectedError extends NonRetriableError {
  override readonly code: string = 'RECORD_REJECTED';
}

/** A record too big to store (its JSON above maxRecordBytes): a human should see why a source sent it. */
export class RecordTooLargeError extends RecordRejectedError {
  override readonly code: string = 'RECORD_TOO_LARGE';
}
