/** The native CRC32C kafkajs produces with: the same value as kafkajs's own, and really the one in use. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import '../../../lib/kafka/client.js';
import { nativeCrc32c, usesNativeCrc32c } from '../../../lib/kafka/native-crc32c.js';

const require = createRequire(import.meta.url);

describe('native CRC32C for kafkajs', () => {
  it('equals kafkajs\'s JavaScript CRC32C on random batches, and on the standard check value', () => {
    const javascript = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
    assert.equal(nativeCrc32c(Buffer.from('123456789')), 0xe3069283);
    for (let size = 0; size < 20_000; size += 997) {
      const bytes = randomBytes(size);
      assert.equal(nativeCrc32c(bytes), javascript(bytes) >>> 0, `${size} bytes`);
    }
  });

  it('is the function kafkajs\'s record batch encoder loads once lib/kafka/client.ts is imported', () => {
    assert.ok(usesNativeCrc32c());
    assert.equal(require('kafkajs/src/protocol/recordBatch/crc32C/index.js'), nativeCrc32c);
  });
});
