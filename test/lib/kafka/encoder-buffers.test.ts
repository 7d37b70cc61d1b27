/**
 * kafkajs's encoders in unzeroed buffers (lib/kafka/encoder-buffers.ts): really the class kafkajs builds its
 * requests with, and its output the bytes it would write anyway, whatever the memory held before.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import '../../../lib/kafka/client.js';
import { encodeRecord, usesUnzeroedEncoder, type KafkaRecord } from '../../../lib/kafka/encoder-buffers.js';
import { CompressionCodecs } from '../../../lib/kafka/kafkajs.js';
import { ZSTD } from '../../../lib/kafka/zstd-codec.js';

const require = createRequire(import.meta.url);
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: object) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (batch: object) => Promise<{ buffer: Buffer }> };
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: { key: Buffer | null; value: Buffer; headers: Record<string, Buffer> }[] }>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const Encoder = require('kafkajs/src/protocol/encoder.js') as new (size?: number) => { buf: Buffer; buffer: Buffer; writeBuffer(value: Buffer): { buf: Buffer; buffer: Buffer } };

/** kafkajs's own record module, compiled afresh from its file (the module cache holds encodeRecord under its path). */
function kafkajsRecord(): (record: KafkaRecord) => { buffer: Buffer; buf: Buffer } {
  const path = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
  const module = new Module(path) as Module & { _compile(source: string, file: string): void };
  module.filename = path;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(path));
  module._compile(readFileSync(path, 'utf8'), path);
  return module.exports as ReturnType<typeof kafkajsRecord>;
}

/** Leaves freed memory and Node's buffer pool full of 0xee, so bytes an encoder did not write would show. */
function dirtyMemory(): void {
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(i < 32 ? 4096 : 1 << 20).fill(0xee);
}

describe('kafkajs encoders in unzeroed buffers', () => {
  it('is the Encoder kafkajs\'s protocol modules load once lib/kafka/client.ts is imported', () => {
    assert.ok(usesUnzeroedEncoder());
  });

  it('encodes each record to the bytes kafkajs\'s record module writes, its large values spliced and the rest in a buffer of its size', () => {
    const original = kafkajsRecord();
    const records: KafkaRecord[] = [
      { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v'), headers: {} },
      { offsetDelta: 3, timestampDelta: 1234567, key: 'tenant-7', value: 'text ✓ 값', headers: { trace: 't1', rows: randomBytes(100_000) } },
      { offsetDelta: 200, timestampDelta: -5, key: Buffer.from([0, 1, 2]), value: null, headers: { many: ['a', Buffer.from('b'), 'ç'] } },
      { offsetDelta: 70_000, timestampDelta: 2 ** 40, key: 'k', value: randomBytes(600_000), headers: { 'clé': Buffer.alloc(0) } },
      { value: randomBytes(5000) },
    ];
    for (const [i, record] of records.entries()) {
      const ours = encodeRecord(record);
      const theirs = original(record).buffer;
      assert.ok(ours.buffer.equals(theirs), `record ${i}`);
      // Values of 1 KB and more stay in their own buffers until the record is copied into its batch.
      const values = [record.value, ...Object.values(record.headers ?? {}).flat()];
      const spliced = values.reduce((sum: number, value) => sum + (Buffer.isBuffer(value) && value.length >= 1024 ? value.length : 0), 0);
      assert.equal(ours.offset + spliced, theirs.length, `record ${i} holds its bytes less its large values`);
      if (ours.offset > 4096) assert.equal(ours.buf.length, ours.offset, `record ${i} is allocated at its size`);
    }
  });

  it('a record batch with small and 600 KB values and headers encodes to the same bytes over dirty memory, and decodes back', async () => {
    const messages = messagesOf([0, 1, 300, 5000, 600_000, 70]);
    const encode = async () => {
      dirtyMemory();
      const records = messages.map((m, i) => Record({ offsetDelta: i, timestampDelta: 0, key: m.key, value: m.value, headers: m.headers }));
      return Buffer.from((await RecordBatch({ records, firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: messages.length - 1 })).buffer);
    };
    const first = await encode();
    assert.ok(first.equals(await encode()), 'no byte of the batch depends on what the memory held');
    await assertDecodes(first, messages);
  });

  describe('compressed with zstd', () => {
    type Codec = { compress(encoder: { buf: Buffer; buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
    const codecs = CompressionCodecs as Record<number, () => Codec>;
    let zstd: (typeof codecs)[number];
    /** The ArrayBuffers of the records each compression was given, in order. */
    let compressed: ArrayBufferLike[];
    beforeEach(() => {
      zstd = codecs[ZSTD]!;
      compressed = [];
      codecs[ZSTD] = () => {
        const codec = zstd();
        return { compress: (encoder) => (compressed.push(encoder.buf.buffer), codec.compress(encoder)), decompress: (buffer) => codec.decompress(buffer) };
      };
    });
    afterEach(() => {
      codecs[ZSTD] = zstd;
    });

    const batchOf = async (messages: Message[]) => {
      dirtyMemory();
      const records = messages.map((m, i) => Record({ offsetDelta: i, timestampDelta: 0, key: m.key, value: m.value, headers: m.headers }));
      return Buffer.from((await RecordBatch({ compression: ZSTD, records, firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: messages.length - 1 })).buffer);
    };

    it('a batch of spliced records decodes back, and so does the next, written over the buffer the first gave back', async () => {
      const messages = messagesOf([600_000, 3000, 0, 70_000], jsonLike);
      const first = await batchOf(messages);
      const again = await batchOf(messages);
      await assertDecodes(first, messages);
      await assertDecodes(again, messages);
    });

    it('the codec gives a batch\'s records buffer back once compressed, and the next large encoder writes into it', async () => {
      const records = new Encoder().writeBuffer(jsonLike(300_000));
      await codecs[ZSTD]!().compress(records);
      // Of the spares that fit, the smallest: so an encoder of exactly its size takes it.
      const size = records.buf.length;
      assert.equal(new Encoder(size).buf, records.buf);
      assert.notEqual(new Encoder(size).buf, records.buf, 'a spare serves one encoder');
    });

    it('batches compressed at once each get a buffer of their own, and each decodes back', async () => {
      const sets = [messagesOf([400_000, 5000], jsonLike), messagesOf([300_000, 100_000], jsonLike), messagesOf([450_000], jsonLike)];
      const batches = await Promise.all(sets.map(batchOf));
      for (const [i, batch] of batches.entries()) await assertDecodes(batch, sets[i]!);
      assert.equal(new Set(compressed).size, 3);
    });
  });
});

interface Message {
  key: Buffer | null;
  value: Buffer;
  headers: { rows: Buffer; trace: Buffer };
}

/** Messages with values of `sizes` bytes (`bytesOf`, random by default), each with a rows header of its own size. */
const messagesOf = (sizes: number[], bytesOf: (size: number) => Buffer = randomBytes): Message[] => sizes.map((size, i) => ({
  key: i % 2 ? Buffer.from(`key-${i}`) : null,
  value: bytesOf(size),
  headers: { rows: bytesOf(i * 1500), trace: Buffer.from(`t${i}`) },
}));

/**
 * `size` bytes of JSON-like text, which shrinks as RawResult chunks do: a compressed batch of random bytes is as
 * large as its records, and would take the buffer they gave back for itself.
 */
const jsonLike = (size: number): Buffer => {
  const text = Array.from({ length: Math.ceil(size / 30) + 1 }, (_, i) => `{"order_id":"2026-${randomBytes(3).toString('hex')}","n":${i}},`).join('');
  return Buffer.from(text.slice(0, size));
};

async function assertDecodes(batch: Buffer, messages: Message[]): Promise<void> {
  const { records } = await decodeBatch(new Decoder(batch));
  assert.equal(records.length, messages.length);
  records.forEach((record, i) => {
    assert.ok(record.value.equals(messages[i]!.value), `value ${i}`);
    assert.deepEqual(record.key, messages[i]!.key);
    assert.ok(record.headers.rows!.equals(messages[i]!.headers.rows), `rows header ${i}`);
  });
}
