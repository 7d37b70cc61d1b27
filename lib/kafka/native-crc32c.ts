/**
 * kafkajs computes the CRC32C of every record batch it produces in JavaScript: 54 µs per 8 KB here against 1.7 µs
 * for @node-rs/crc32's SIMD one, about one order's JSON each (bench/cafe24.ts spends it on every order a consumer
 * emits). kafkajs binds its CRC function when its modules load (`const crc32C = require('../crc32C')`), so this
 * module must be evaluated before kafkajs is: it places the native function in the CommonJS module cache under the
 * path kafkajs requires. lib/kafka/kafkajs.ts, the one way in to kafkajs, imports it first. Only the produce path
 * computes CRCs: kafkajs does not check them on fetch.
 */
import { crc32c } from '@node-rs/crc32';
import { isKafkajsModule, kafkajsPath, placeKafkajsModule } from './kafkajs-module.js';

const path = kafkajsPath('src/protocol/recordBatch/crc32C/index.js');

/** kafkajs's contract: a Buffer in, the CRC32C as an unsigned 32-bit integer out. */
export const nativeCrc32c = (buffer: Buffer): number => crc32c(buffer) >>> 0;

placeKafkajsModule(path, nativeCrc32c);

/** True when kafkajs in this process produces with the native CRC (false if kafkajs loaded before this module). */
export function usesNativeCrc32c(): boolean {
  return isKafkajsModule(path, nativeCrc32c);
}
