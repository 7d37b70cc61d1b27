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

const require = createRequire(import.meta.url);
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: object) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (batch: object) => Promise<{ buffer: Buffer }> };
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: { key: Buffer | null; value: Buffer; headers: Record<string, Buffer> }[] }>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

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

  it('encodes each record to the bytes kafkajs\'s record module writes, in a buffer of exactly their size', () => {
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
      assert.ok(ours.buffer.equals(original(record).buffer), `record ${i}`);
      assert.equal(ours.buf.length, ours.buffer.length > 4096 ? ours.buffer.length : ours.buf.length, `record ${i} is allocated at its size`);
    }
  });

  it('a record batch with small and 600 KB values and headers encodes to the same bytes over dirty memory, and decodes back', async () => {
    const messages = [0, 1, 300, 5000, 600_000, 70].map((size, i) => ({
      key: i % 2 ? Buffer.from(`key-${i}`) : null,
      value: randomBytes(size),
      headers: { rows: randomBytes(i * 100), trace: Buffer.from(`t${i}`) },
    }));
    const encode = async () => {
      dirtyMemory();
      const records = messages.map((m, i) => Record({ offsetDelta: i, timestampDelta: 0, key: m.key, value: m.value, headers: m.headers }));
      return Buffer.from((await RecordBatch({ records, firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: messages.length - 1 })).buffer);
    };
    const first = await encode();
    assert.ok(first.equals(await encode()), 'no byte of the batch depends on what the memory held');
    const { records } = await decodeBatch(new Decoder(first));
    assert.equal(records.length, messages.length);
    records.forEach((record, i) => {
      assert.ok(record.value.equals(messages[i]!.value), `value ${i}`);
      assert.deepEqual(record.key, messages[i]!.key);
      assert.ok(record.headers.rows!.equals(messages[i]!.headers.rows), `rows header ${i}`);
    });
  });
});
