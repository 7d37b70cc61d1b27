/**
 * kafkajs as sellerstream runs it: its CRC32C native (native-crc32c.ts), its encoders unzeroed and sized
 * (encoder-buffers.ts). Both take the place of kafkajs modules in the CommonJS cache, which only works before
 * kafkajs loads: in a process whose first value import of kafkajs comes from anywhere else, kafkajs runs its own
 * (every CLI did, through broker-check.ts, and zeroed every buffer its encoders grew). So every value import of
 * kafkajs goes through this module (test/lib/kafka/kafkajs.test.ts holds the tree to that); a type import loads
 * nothing and may name kafkajs itself.
 */
import './native-crc32c.js';
import './encoder-buffers.js';
// After the two above, so this is kafkajs's first load. (Node's ESM loader sees only some of this CommonJS
// module's exports by name, `CompressionCodecs` and the error classes not among them: they are read off it here.)
import kafkajs from 'kafkajs';

export type * from 'kafkajs';

/** The values of kafkajs the code uses (its error classes for tests that build kafkajs's own errors). */
export const {
  Kafka, logLevel, Partitioners, CompressionTypes, CompressionCodecs,
  KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError,
} = kafkajs;
export type Kafka = InstanceType<typeof Kafka>;
