/**
 * Zstandard for kafkajs, which ships only gzip. Every producer of sellerstream compresses its batches with it
 * (PRODUCE_COMPRESSION in client.ts): a RawResult chunk of Cafe24 orders (~9.4 KB of JSON each) shrinks ~25× at
 * level 1, for ~17 µs of compression and ~14 µs of decompression per order, both in libuv's thread pool, not on the
 * event loop. What that saves is bytes: the producer's socket writes, the broker's log writes, validation and
 * fetches, and the sink's fetch parsing (bench/cafe24.ts: see the record-path section of the README).
 * Registered when this module loads, like native-crc32c.ts, so every process that builds a client can read and
 * write zstd batches; Kafka's own tools and kcat read them too.
 */
import { compress, decompress } from '@mongodb-js/zstd';
import { giveBackBuffer } from './encoder-buffers.js';
import { CompressionCodecs, CompressionTypes } from './kafkajs.js';

/** Level 1: at higher levels the size barely moves on this JSON while the CPU per order grows. */
const LEVEL = 1;

/**
 * kafkajs's codec contract: compress gets its encoder (`.buffer` holds the batch's records), decompress a buffer.
 * kafkajs drops the encoder once it is compressed, so its buffer goes back for the next batch's records.
 */
const zstdCodec = {
  compress: async (encoder: { buffer: Buffer; buf: Buffer }) => {
    try {
      return await compress(encoder.buffer, LEVEL);
    } finally {
      giveBackBuffer(encoder.buf);
    }
  },
  decompress: (buffer: Buffer) => decompress(buffer),
};

CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;

export const ZSTD = CompressionTypes.ZSTD;
