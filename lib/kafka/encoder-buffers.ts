/**
 * kafkajs encodes every request, record and batch into a growing buffer of its own (protocol/encoder.js), allocated
 * with Buffer.alloc: zero-filled, and each a new ArrayBuffer outside the pool. A produce of a RawResult chunk
 * (~0.5 MB) grows a record's buffer to 1 MB and the batch's by doubling again, all of it zeroed before kafkajs
 * writes over it; and those external bytes are what start V8's full collections (bench cafe24's consumer: 80
 * mark-compacts of a 28 MB heap in a minute, "GC in old space requested", ~1/5 of its CPU in the collector).
 * An encoder only ever writes from its offset on and hands out `buf.slice(0, offset)`, so its bytes need no
 * zeroing: this subclass allocates them with allocUnsafe (small ones from Node's pool). Like native-crc32c.ts, it
 * is placed in the CommonJS module cache under the path kafkajs requires, before kafkajs loads
 * (lib/kafka/kafkajs.ts, the one way in to kafkajs, imports it first).
 *
 * Zeroing aside, the bytes themselves start collections: V8 scavenges whenever 32 MB of new ArrayBuffers have
 * been allocated, and marks the whole heap when older ones pile up ("external memory pressure" was the reason for
 * 317 of 436 scavenges and 60 of 72 markings in the consumer of one 100-shop run). kafkajs sizes its buffers by
 * doubling: a 612 KB record (a chunk and its rows header) grows into 1 MB, a header of ~100 KB into its own 128 KB
 * encoder before being copied in, and the batch of all records doubles up to the next power of two above their sum.
 * So a large write here grows a buffer to exactly what it needs (small ones still double, so appends stay linear),
 * an array of encoders is copied in after one allocation of their total, and a record is encoded by `encodeRecord`,
 * which knows its size before writing a byte. Even sized exactly, a chunk was copied twice, into its record and
 * then into the batch's records, which are garbage once compressed: so a record splices its large values rather
 * than copying them (`RecordEncoder`), and the compressed batch's buffer serves the next batch (`giveBackBuffer`).
 * (These changes only ever apply in a process where kafkajs loaded after this module: a warning at start said so
 * in every bench log and production process until lib/kafka/kafkajs.ts became the one way in.)
 */
import { extendKafkajsModule, isKafkajsModule, kafkajsPath, placeKafkajsModule } from './kafkajs-module.js';

const path = kafkajsPath('src/protocol/encoder.js');
const recordPath = kafkajsPath('src/protocol/recordBatch/record/v0/index.js');

type Bytes = Buffer | string | null | undefined;

interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  writeInt8(value: number): this;
  writeVarInt(value: number): this;
  writeVarLong(value: number): this;
  writeVarIntBytes(value: Bytes): this;
  writeVarIntString(value: string): this;
}
type EncoderClass = (new (initialSize?: number) => KafkajsEncoder) & {
  nextPowerOfTwo(value: number): number;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: number): number;
  sizeOfVarIntBytes(value: Bytes): number;
};

/** Below this, buffers keep kafkajs's powers of two, and the smallest come from Node's pool. */
const EXACT_FROM = 4096;

/**
 * One list of spares per process, whatever copies of this module its loaders evaluate (a process that both
 * requires and imports it, as mocha's test runner does, holds two: the codec of one gives back what the encoders
 * of the other take).
 */
const SPARES = Symbol.for('sellerstream.kafkajs.spareBuffers');

/**
 * Buffers of batches kafkajs has compressed, for the next batches' records. A batch's records are copied into one
 * buffer only to be compressed, and then it is garbage (protocol/recordBatch/v0 compressRecords): ~8 MB of new
 * ArrayBuffer bytes per 1,000 Cafe24 orders, each batch's. The codec gives the buffer back once the compression
 * has settled (zstd-codec.ts), and a large encoder takes one here before it allocates.
 */
const spare: Buffer[] = ((globalThis as { [SPARES]?: Buffer[] })[SPARES] ??= []);
const SPARE_BUFFERS = 4;
/** An encoder takes a spare only when it needs at least 1/SPARE_FIT of it. */
const SPARE_FIT = 4;

function takeBuffer(size: number): Buffer {
  let best = -1;
  for (let i = 0; i < spare.length; i++) {
    const length = spare[i]!.length;
    if (length >= size && length <= SPARE_FIT * size && (best < 0 || length < spare[best]!.length)) best = i;
  }
  return best < 0 ? Buffer.allocUnsafe(size) : spare.splice(best, 1)[0]!;
}

/**
 * Gives back the buffer of an encoder nothing reads any more (a batch's records, once compressed): the next
 * large encoder may write over it. Small and pooled buffers are left to the GC.
 */
export function giveBackBuffer(buffer: Buffer): void {
  if (buffer.length <= EXACT_FROM || buffer.byteOffset !== 0 || buffer.buffer.byteLength !== buffer.length) return;
  // The oldest goes: spares follow the sizes of the batches being sent now.
  if (spare.push(buffer) > SPARE_BUFFERS) spare.shift();
}

const UnzeroedEncoder = extendKafkajsModule(path, (Encoder: EncoderClass) => class UnzeroedEncoder extends Encoder {
  constructor(initialSize = 511) {
    super(0);
    this.buf = initialSize > EXACT_FROM ? takeBuffer(initialSize) : Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize));
  }

  ensureAvailable(length: number): void {
    const need = this.offset + length;
    if (need <= this.buf.length) return;
    const grown = need > EXACT_FROM ? takeBuffer(Math.max(need, 2 * this.buf.length)) : Buffer.allocUnsafe(Encoder.nextPowerOfTwo(need));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }

  writeEncoder(encoder: KafkajsEncoder): this {
    return this.writeEncoderArray([encoder]);
  }

  /**
   * kafkajs's, which copies every record of a batch into the batch's buffer: a spliced record (`RecordEncoder`)
   * copies its large values from where they lie.
   */
  writeEncoderArray(encoders: KafkajsEncoder[]): this {
    let total = 0;
    for (const encoder of encoders) {
      if (encoder == null || !Buffer.isBuffer(encoder.buf)) throw new Error('all values should be an instance of Encoder[]');
      total += encoder instanceof RecordEncoder ? encoder.byteLength : encoder.offset;
    }
    this.ensureAvailable(total);
    for (const encoder of encoders) {
      this.offset += encoder instanceof RecordEncoder ? encoder.copyInto(this.buf, this.offset) : encoder.buf.copy(this.buf, this.offset, 0, encoder.offset);
    }
    return this;
  }
});

/**
 * Values from this size on are spliced into a record, not copied: a RawResult chunk and its rows header are
 * copied once, into the batch, instead of into the record first and then into the batch (~7.5 MB of new
 * ArrayBuffer bytes per 1,000 Cafe24 orders fewer; with the spares below, the consumer of a 100-shop run
 * scavenged 197 times instead of 309, 89 of them for external memory instead of 207).
 */
const SPLICE_FROM = 1024;

const isSpliced = (value: Bytes): value is Buffer => Buffer.isBuffer(value) && value.length >= SPLICE_FROM;

/**
 * A record as kafkajs's record module writes it, less its large values: `buf` holds the rest, and each large value
 * stays in its own buffer until the record is copied into its batch (`copyInto`). Its `buffer`, for any other
 * reader, is the whole record in one buffer.
 */
class RecordEncoder extends UnzeroedEncoder {
  private readonly spliced: Buffer[] = [];
  /** Where in `buf`'s bytes each spliced value goes. */
  private readonly splicedAt: number[] = [];
  private splicedBytes = 0;

  get byteLength(): number {
    return this.offset + this.splicedBytes;
  }

  override get buffer(): Buffer {
    const whole = Buffer.allocUnsafe(this.byteLength);
    this.copyInto(whole, 0);
    return whole;
  }

  /** writeVarIntBytes, splicing a large buffer. */
  writeValue(value: Bytes): this {
    if (!isSpliced(value)) return this.writeVarIntBytes(value);
    this.writeVarInt(value.length);
    this.splicedAt.push(this.offset);
    this.spliced.push(value);
    this.splicedBytes += value.length;
    return this;
  }

  /** Copies the whole record to `target` at `at`; returns its length. */
  copyInto(target: Buffer, at: number): number {
    let to = at;
    let from = 0;
    for (let i = 0; i < this.spliced.length; i++) {
      const until = this.splicedAt[i]!;
      to += this.buf.copy(target, to, from, until);
      to += this.spliced[i]!.copy(target, to);
      from = until;
    }
    to += this.buf.copy(target, to, from, this.offset);
    return to - at;
  }
}

/** kafkajs's record (protocol/recordBatch/record/v0), one message of a batch. */
export interface KafkaRecord {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}

/**
 * A record in kafkajs's v2 record format, byte for byte what its own module writes, in one buffer of its exact
 * size less its large values, which are spliced (`RecordEncoder`): kafkajs's module measures the body too, but
 * writes into a default-sized encoder that doubles as it goes, and writes each header into an encoder of its own first.
 */
export function encodeRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: KafkaRecord): KafkajsEncoder {
  const list: { key: string; value: Bytes }[] = [];
  for (const name of Object.keys(headers)) {
    const entry = headers[name];
    if (Array.isArray(entry)) for (const item of entry) list.push({ key: name, value: item });
    else list.push({ key: name, value: entry });
  }
  // kafkajs's size functions are statics that call each other through `this`, so they stay called on the class.
  const E = UnzeroedEncoder;
  let body = 1 + E.sizeOfVarLong(timestampDelta) + E.sizeOfVarInt(offsetDelta) + E.sizeOfVarIntBytes(key) + E.sizeOfVarIntBytes(value) +
    E.sizeOfVarInt(list.length);
  let spliced = isSpliced(value) ? value.length : 0;
  for (const header of list) {
    body += E.sizeOfVarIntBytes(header.key) + E.sizeOfVarIntBytes(header.value);
    if (isSpliced(header.value)) spliced += header.value.length;
  }
  const encoder = new RecordEncoder(E.sizeOfVarInt(body) + body - spliced)
    .writeVarInt(body)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeValue(value)
    .writeVarInt(list.length);
  for (const header of list) encoder.writeVarIntString(header.key).writeValue(header.value);
  return encoder;
}

placeKafkajsModule(recordPath, encodeRecord);

/** True when kafkajs in this process encodes into unzeroed buffers (false if kafkajs loaded before this module). */
export function usesUnzeroedEncoder(): boolean {
  return isKafkajsModule(path, UnzeroedEncoder) && isKafkajsModule(recordPath, encodeRecord);
}
