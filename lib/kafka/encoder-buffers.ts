/**
 * kafkajs encodes every request, record and batch into a growing buffer of its own (protocol/encoder.js), allocated
 * with Buffer.alloc: zero-filled, and each a new ArrayBuffer outside the pool. A produce of a RawResult chunk
 * (~0.5 MB) grows a record's buffer to 1 MB and the batch's by doubling again, all of it zeroed before kafkajs
 * writes over it; and those external bytes are what start V8's full collections (bench cafe24's consumer: 80
 * mark-compacts of a 28 MB heap in a minute, "GC in old space requested", ~1/5 of its CPU in the collector).
 * An encoder only ever writes from its offset on and hands out `buf.slice(0, offset)`, so its bytes need no
 * zeroing: this subclass allocates them with allocUnsafe (small ones from Node's pool). Like native-crc32c.ts, it
 * is placed in the CommonJS module cache under the path kafkajs requires, before kafkajs loads
 * (lib/kafka/client.ts imports it first).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const path = require.resolve('kafkajs/src/protocol/encoder.js');

interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
}
type EncoderClass = (new (initialSize?: number) => KafkajsEncoder) & { nextPowerOfTwo(value: number): number };

const cached = require.cache[path];
const Encoder = require(path) as EncoderClass;

class UnzeroedEncoder extends Encoder {
  constructor(initialSize = 511) {
    super(0);
    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize));
  }

  ensureAvailable(length: number): void {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }
}

if (cached === undefined) require.cache[path]!.exports = UnzeroedEncoder;

/** True when kafkajs in this process encodes into unzeroed buffers (false if kafkajs loaded before this module). */
export function usesUnzeroedEncoder(): boolean {
  return require.cache[path]?.exports === UnzeroedEncoder;
}
