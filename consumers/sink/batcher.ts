/**
 * Batching of one partition: messages are translated into the open batch until it is sealed, then it waits for
 * the flusher, which inserts the sealed batches of many partitions together as one flush group (intent.ts).
 * Pure (no I/O, time passed in), so its rules are unit-tested without a broker.
 *
 * A batch seals itself when its rows (all tables together) reach `maxRows` or its input bytes `maxBytes`; the sink
 * also seals every open batch at once when their total is due or the oldest has waited `maxAgeMs` (sealNow).
 * One exception makes exactly-once work: after a restart the partition may carry an intent (intent.ts), its range
 * in a flush group that was being inserted when the previous owner died. Then the open batch is sealed exactly at
 * the intent's last offset, never earlier (size, age and sealNow are ignored) and never later, and it carries the
 * group, so the flusher repeats the group and its tokens.
 */
import { readHeaders } from '../../lib/kafka/headers.js';
import { ROWS_HEADER } from '../../lib/model/edge-rows.js';
import type { DlqItem, SourceMessage } from './dlq.js';
import { compareOffsets, rangeOf, type GroupIntent, type OffsetRange } from './intent.js';
import { RowBuffer } from '../../lib/model/row-buffer.js';
import type { Translator } from './translate.js';

export interface BatchLimits {
  /** Rows across all tables. */
  maxRows: number;
  /** Bytes of the consumed messages (their values). */
  maxBytes: number;
  maxAgeMs: number;
}

export interface BatchMessage {
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  /** Header values as strings (trace context, tenantId, requestId). */
  headers: Record<string, string>;
  /** Row counts per table (RowBuffer.mark) once this message's rows were added: its rows end there. */
  ends: readonly number[];
}

export interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly range: OffsetRange;
  readonly rows: RowBuffer;
  readonly dlq: DlqItem[];
  readonly messages: BatchMessage[];
  readonly bytes: number;
  /** Re-formed exactly from an intent: the group to flush it in (already recorded; flush it with its members). */
  readonly resumed: GroupIntent | undefined;
  readonly openedAt: number;
}

interface OpenBatch {
  first: string;
  last: string;
  rows: RowBuffer;
  dlq: DlqItem[];
  messages: BatchMessage[];
  bytes: number;
  openedAt: number;
}

const NONE: readonly Batch[] = Object.freeze([]);

/**
 * Whether the open batches of all partitions are due, together: their rows or bytes reached the limits, or the
 * oldest has waited maxAgeMs. Batchers re-forming an intent do not count (they seal at the intent's end).
 */
export function openBatchesDue(batchers: Iterable<PartitionBatcher>, limits: BatchLimits, now: number): boolean {
  let rows = 0;
  let bytes = 0;
  let oldest = now;
  for (const batcher of batchers) {
    if (!batcher.isOpen || batcher.resume) continue;
    rows += batcher.openRows;
    bytes += batcher.openBytes;
    oldest = Math.min(oldest, batcher.openedAt ?? now);
  }
  return rows >= limits.maxRows || bytes >= limits.maxBytes || (rows + bytes > 0 && now - oldest >= limits.maxAgeMs);
}

export class PartitionBatcher {
  #open: OpenBatch | undefined;
  #resume: OffsetRange | undefined;
  readonly #group: GroupIntent | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly limits: BatchLimits,
    /** A flush group this partition was a member of when its previous owner stopped (intent.ts). */
    intent?: GroupIntent,
  ) {
    this.#resume = intent && rangeOf(intent, topic, partition);
    this.#group = this.#resume && intent;
  }

  /** The intent's range still to be re-formed, if any. */
  get resume(): OffsetRange | undefined {
    return this.#resume;
  }

  /** Rows of the open batch, all tables together. */
  get openRows(): number {
    return this.#open?.rows.count ?? 0;
  }

  /** When the open batch got its first message. */
  get openedAt(): number | undefined {
    return this.#open?.openedAt;
  }

  /** Bytes held in the open batch. */
  get openBytes(): number {
    return this.#open?.bytes ?? 0;
  }

  /** A batch is open (it may hold no rows: only DLQ items, or messages a replay filtered out). */
  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  /**
   * Adds one message (translated by `translate`); returns the batches this sealed, oldest first: usually none,
   * one when the batch became due, two when a message past a broken intent closed it first.
   */
  add(message: SourceMessage, translate: Translator, now: number, include = true): readonly Batch[] {
    let sealed: readonly Batch[] = NONE;
    const resume = this.#resume;
    if (resume && compareOffsets(message.offset, resume.last) > 0) {
      // The intent's last message is gone (retention): seal what was re-formed and carry on without it.
      this.#resume = undefined;
      const batch = this.#seal(undefined);
      if (batch) sealed = [batch];
    }
    const open = (this.#open ??= {
      first: message.offset, last: message.offset, rows: new RowBuffer(), dlq: [], messages: [], bytes: 0, openedAt: now,
    });
    // The value is kafkajs's slice of its decompressed record batch (of the fetch response when uncompressed), and
    // the rows keep slices of it (raw_records.payload) until the batch is flushed. The batch holds every message
    // of the record batches it took, so they keep nearly nothing else alive: at most the start of a record batch
    // fetched from mid-batch, or its end when a seal falls inside it, until the next flush. Copying each value
    // instead cost the sink ~1 GB of new zeroed ArrayBuffers per 133k Cafe24 orders and 7-14 % of its CPU
    // (bench cafe24 at 100 shops, 3 alternating pairs), for a peak RSS ~10 % higher (1,934 MB at 1,000 shops, 1,753
    // before, in another session).
    // The DLQ and tracing keep the value too, with the headers as text, less the edge rows: as text they cost the
    // sink a second UTF-8 decode of as many bytes as the translator read (1.3 s of its 17 s on the JS thread).
    const { value } = message;
    if (include) translate(message, open.rows, open.dlq);
    open.last = message.offset;
    open.bytes += value?.length ?? 0;
    open.messages.push({ offset: message.offset, key: message.key, value, headers: readHeaders(message.headers, ROWS_HEADER), ends: open.rows.mark() });
    if (this.#resume) {
      if (compareOffsets(message.offset, this.#resume.last) >= 0) {
        const exact = open.first === this.#resume.first;
        this.#resume = undefined;
        sealed = [...sealed, this.#seal(exact ? this.#group : undefined)!];
      }
    } else if (open.rows.count >= this.limits.maxRows || open.bytes >= this.limits.maxBytes) {
      sealed = [...sealed, this.#seal(undefined)!];
    }
    return sealed;
  }

  /** Seals whatever is open (due as a whole, or shutdown). An unfinished intent stays unfinished: its range waits. */
  sealNow(): Batch | undefined {
    if (this.#resume) return undefined;
    return this.#seal(undefined);
  }

  #seal(resumed: GroupIntent | undefined): Batch | undefined {
    const open = this.#open;
    if (!open) return undefined;
    this.#open = undefined;
    return {
      topic: this.topic,
      partition: this.partition,
      range: { first: open.first, last: open.last },
      rows: open.rows,
      dlq: open.dlq,
      messages: open.messages,
      bytes: open.bytes,
      resumed,
      openedAt: open.openedAt,
    };
  }
}
