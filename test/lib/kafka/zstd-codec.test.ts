/**
 * Zstandard batches: the codec kafkajs lacks, registered by lib/kafka/zstd-codec.ts (which lib/kafka/client.ts
 * imports) and used by every producer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { CompressionCodecs } from '../../../lib/kafka/kafkajs.js';
import { PRODUCE_COMPRESSION } from '../../../lib/kafka/client.js';
import { createPublisher } from '../../../lib/kafka/publisher.js';
import { ZSTD } from '../../../lib/kafka/zstd-codec.js';
import { testKafka, type TestKafka } from '../../helpers/kafka.js';

type KafkajsEncoder = { buf: Buffer; buffer: Buffer; writeBuffer(value: Buffer): KafkajsEncoder };
type Codec = { compress(encoder: KafkajsEncoder): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
/** What kafkajs hands a codec: the encoder a batch's records were written into (replaced by encoder-buffers.ts). */
const Encoder = createRequire(import.meta.url)('kafkajs/src/protocol/encoder.js') as new () => KafkajsEncoder;
const encoderOf = (bytes: Buffer) => new Encoder().writeBuffer(bytes);

describe('zstd codec for kafkajs', () => {
  it('round-trips batches and shrinks JSON-like records', async () => {
    const codec = CompressionCodecs[ZSTD]() as Codec;
    const json = Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ order_id: `20260913-${i}`, status: 'N40', name: '신용카드' }))));
    const packed = await codec.compress(encoderOf(json));
    assert.ok(packed.length * 10 < json.length, `${packed.length} of ${json.length} bytes`);
    assert.deepEqual(await codec.decompress(packed), json);
    const noise = randomBytes(70_000);
    assert.deepEqual(await codec.decompress(await codec.compress(encoderOf(noise))), noise);
  });

  describe('on the broker', function () {
    this.timeout(60_000);
    let kafka: TestKafka;
    before(async () => {
      kafka = await testKafka('zstd');
      await kafka.createTopics([{ name: 'zstd.test', partitions: 1 }]);
    });
    after(() => kafka.close());

    it('is what the publisher compresses with, and consumers read it back', async () => {
      assert.equal(PRODUCE_COMPRESSION, ZSTD);
      const registered = CompressionCodecs[ZSTD];
      let compressed = 0;
      CompressionCodecs[ZSTD] = () => {
        const codec = registered() as Codec;
        return { ...codec, compress: (encoder: KafkajsEncoder) => (compressed++, codec.compress(encoder)) };
      };
      const publisher = await createPublisher(kafka);
      try {
        const values = Array.from({ length: 20 }, (_, i) => Buffer.from(JSON.stringify({ i, text: '주문 '.repeat(100) })));
        await publisher.publish('zstd.test', values.map((value, i) => ({ key: `k${i}`, value })));
        assert.ok(compressed > 0, 'the publisher sent its batch through the zstd codec');
        const read = await kafka.readTopic('zstd.test', values.length);
        assert.deepEqual(read.map((m) => m.value), values);
      } finally {
        CompressionCodecs[ZSTD] = registered;
        await publisher.close();
      }
    });
  });
});
