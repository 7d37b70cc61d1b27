/**
 * Where sellerstream puts its own code in kafkajs's place (native-crc32c.ts, encoder-buffers.ts): kafkajs binds its
 * modules with `require` when it loads, so a module placed in the CommonJS cache under a path kafkajs requires,
 * before kafkajs loads, is what kafkajs uses.
 */
import { createRequire, Module } from 'node:module';

const require = createRequire(import.meta.url);

/** The file of a kafkajs module, e.g. 'src/protocol/encoder.js'. */
export const kafkajsPath = (file: string): string => require.resolve(`kafkajs/${file}`);

/** Places `exports` under kafkajs's `path` unless that module has loaded already. */
export function placeKafkajsModule(path: string, exports: unknown): void {
  if (require.cache[path] !== undefined) return;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  require.cache[path] = module;
}

/** True when kafkajs's `path` resolves to `exports` in this process. */
export const isKafkajsModule = (path: string, exports: unknown): boolean => require.cache[path]?.exports === exports;
