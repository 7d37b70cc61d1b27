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
 * which knows its size before writing a byte.
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

const UnzeroedEncoder = extendKafkajsModule(path, (Encoder: EncoderClass) => class UnzeroedEncoder extends Encoder {
  constructor(initialSize = 511) {
    super(0);
    this.buf = Buffer.allocUnsafe(initialSize > EXACT_FROM ? initialSize : Encoder.nextPowerOfTwo(initialSize));
  }

  ensureAvailable(length: number): void {
    const need = this.offset + length;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(need > EXACT_FROM ? Math.max(need, 2 * this.buf.length) : Encoder.nextPowerOfTwo(need));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }

  writeEncoderArray(encoders: KafkajsEncoder[]): this {
    let total = 0;
    for (const encoder of encoders) {
      if (encoder == null || !Buffer.isBuffer(encoder.buf)) throw new Error('all values should be an instance of Encoder[]');
      total += encoder.offset;
    }
    this.ensureAvailable(total);
    for (const encoder of encoders) {
      this.offset += encoder.buf.copy(this.buf, this.offset, 0, encoder.offset);
    }
    return this;
  }
});

/** kafkajs's record (protocol/recordBatch/record/v0), one message of a batch. */
export interface KafkaRecord {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}

/**
 * A record in kafkajs's v2 record format, byte for byte what its own module writes, into one buffer of its exact
 * size: kafkajs's module measures the body too, but writes into a default-sized encoder that doubles as it goes,
 * and writes each header into an encoder of its own first.
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
  for (const header of list) body += E.sizeOfVarIntBytes(header.key) + E.sizeOfVarIntBytes(header.value);
  const encoder = new UnzeroedEncoder(E.sizeOfVarInt(body) + body)
    .writeVarInt(body)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarInt(list.length);
  for (const header of list) encoder.writeVarIntString(header.key).writeVarIntBytes(header.value);
  return encoder;
}

placeKafkajsModule(recordPath, encodeRecord);

/** True when kafkajs in this process encodes into unzeroed buffers (false if kafkajs loaded before this module). */
export function usesUnzeroedEncoder(): boolean {
  return isKafkajsModule(path, UnzeroedEncoder) && isKafkajsModule(recordPath, encodeRecord);
}
