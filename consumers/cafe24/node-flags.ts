/**
 * V8 flags a Cafe24 consumer process starts with: `npm run cafe24` passes them on its command line, and the
 * benchmark that hosts the consumer in its own process (bench/cafe24.ts) re-executes itself with them, so both
 * run the same heap (test/consumers/cafe24/node-flags.test.ts checks the script). They must be on the command
 * line: V8 sizes the young generation when the isolate is created, so v8.setFlagsFromString at start is too late.
 *
 * A page of 1,000 orders is ~8 MB of text, parsed into ~15 MB of objects that live until the page's chunks are
 * encoded: with the default 16 MB semi-spaces each page outgrows the young generation, so scavenges copy it and
 * promote part of it to the old generation, whose collection costs more. 64 MB holds a few pages in flight
 * (bench/cafe24.ts, 100 shops: consumer 30.7 → 29.0 CPU s, 232 → 219 µs per order; peak RSS +90 MB).
 */
export const CAFE24_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
