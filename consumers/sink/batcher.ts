/**
 * Batching of one partition: messages are translated into the open batch until it is due, then it is sealed and
 * handed to the flusher. Pure (no I/O, time passed in), so its rules are unit-tested without a broker.
 *
 * A batch is due when its rows (all tables together) reach `maxRows`, its input bytes reach `maxBytes`, or it has
 * been open `maxAgeMs`. One exception makes exactly-once work: after a restart the partition may carry an intent
 * (intent.ts), the range of a batch that was being inserted when the previous owner died. Then the open batch is
 * sealed exactly at the intent's last offset, never earlier (size and age are ignored) and never later, so its
 * inserts repeat the old tokens.
 */
import type { IHeaders } from 'kafkajs';
import type { DlqItem, SourceMessage } from './dlq.js';
import { compareOffsets, type OffsetRange } from './intent.js';
import { RowBuffer } from './row-buffer.js';
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
  headers: IHeaders | undefined;
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
  /** The range was re-formed from an intent: it is already recorded, the flusher must not record it again. */
  readonly resumed: boolean;
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

export class PartitionBatcher {
  #open: OpenBatch | undefined;
  #resume: OffsetRange | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly limits: BatchLimits,
    resume?: OffsetRange,
  ) {
    this.#resume = resume;
  }

  /** The intent still to be re-formed, if any. */
  get resume(): OffsetRange | undefined {
    return this.#resume;
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
      const batch = this.#seal(false);
      if (batch) sealed = [batch];
    }
    const open = (this.#open ??= {
      first: message.offset, last: message.offset, rows: new RowBuffer(), dlq: [], messages: [], bytes: 0, openedAt: now,
    });
    if (include) translate(message, open.rows, open.dlq);
    open.last = message.offset;
    open.bytes += message.value?.length ?? 0;
    open.messages.push({ offset: message.offset, key: message.key, value: message.value, headers: message.headers, ends: open.rows.mark() });
    if (this.#resume) {
      if (compareOffsets(message.offset, this.#resume.last) >= 0) {
        const exact = open.first === this.#resume.first;
        this.#resume = undefined;
        sealed = [...sealed, this.#seal(exact)!];
      }
    } else if (open.rows.count >= this.limits.maxRows || open.bytes >= this.limits.maxBytes) {
      sealed = [...sealed, this.#seal(false)!];
    }
    return sealed;
  }

  /** Seals the open batch when it has been open long enough (never while re-forming an intent). */
  sealIfDue(now: number): Batch | undefined {
    if (!this.#open || this.#resume) return undefined;
    return now - this.#open.openedAt >= this.limits.maxAgeMs ? this.#seal(false) : undefined;
  }

  /** Seals whatever is open (shutdown drain). An unfinished intent stays unfinished: its range is left for later. */
  sealNow(): Batch | undefined {
    if (this.#resume) return undefined;
    return this.#seal(false);
  }

  #seal(resumed: boolean): Batch | undefined {
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
