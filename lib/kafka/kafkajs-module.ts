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

/**
 * Builds on kafkajs's own module at `path` (a subclass of its Encoder, say) and, unless kafkajs had that module
 * loaded already, puts what `extend` made in its place. Returns what `extend` made either way.
 */
export function extendKafkajsModule<T, U>(path: string, extend: (original: T) => U): U {
  const loaded = require.cache[path] !== undefined;
  const extended = extend(require(path) as T);
  if (!loaded) require.cache[path]!.exports = extended;
  return extended;
}

/** True when kafkajs's `path` resolves to `exports` in this process. */
export const isKafkajsModule = (path: string, exports: unknown): boolean => require.cache[path]?.exports === exports;
