/**
 * One way in to kafkajs (lib/kafka/kafkajs.ts): its CRC32C and encoder modules are replaced before it loads, so
 * every value import of kafkajs in the tree goes through that module, and a process is checked from its first import.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ONE_WAY_IN = 'lib/kafka/kafkajs.ts';
/** This file: its samples below are statements, not imports. */
const SELF = relative(root, fileURLToPath(import.meta.url));

/** The TypeScript files of the tree (node_modules and dot folders aside), relative to its root. */
function sourceFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.m?ts$/.test(entry.name) ? [relative(root, path)] : [];
  });
}

/**
 * The import and export statements of `text` that load kafkajs for a value, not only types. (Tests of the
 * replaced modules require kafkajs's own files by path, after lib/kafka/client.ts has loaded it.)
 */
function valueImportsOfKafkajs(text: string): string[] {
  const statements = text.match(/^(?:import|export)\b[^;]*?\bfrom\s+['"]kafkajs['"]|\b(?:require|import)\(\s*['"]kafkajs['"]\s*\)/gm) ?? [];
  return statements.filter((statement) => {
    if (/^(?:import|export)\s+type\b/.test(statement)) return false;
    const names = statement.match(/^(?:import|export)\s*\{([^}]*)\}\s*from/);
    return !(names && names[1]!.split(',').every((name) => name.trim() === '' || /^type\s/.test(name.trim())));
  });
}

/** What a fresh process reports once `modules` are imported in order, the first of them before anything else. */
function patchesAfter(modules: string[]): { crc: boolean; encoders: boolean } {
  const script = [
    ...modules.map((module) => `await import(${JSON.stringify(join(root, module))});`),
    `const { usesNativeCrc32c } = await import(${JSON.stringify(join(root, 'lib/kafka/native-crc32c.ts'))});`,
    `const { usesUnzeroedEncoder } = await import(${JSON.stringify(join(root, 'lib/kafka/encoder-buffers.ts'))});`,
    'console.log(JSON.stringify({ crc: usesNativeCrc32c(), encoders: usesUnzeroedEncoder() }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { crc: boolean; encoders: boolean };
}

describe('kafkajs, one way in', function () {
  this.timeout(30_000);

  it('no file but lib/kafka/kafkajs.ts imports a value of kafkajs', () => {
    const offenders = sourceFiles()
      .filter((file) => file !== ONE_WAY_IN && file !== SELF)
      .flatMap((file) => valueImportsOfKafkajs(readFileSync(join(root, file), 'utf8')).map((statement) => `${file}: ${statement.replace(/\s+/g, ' ')}`));
    assert.deepEqual(offenders, []);
  });

  it('tells value imports from type imports', () => {
    assert.deepEqual(valueImportsOfKafkajs("import type { Admin } from 'kafkajs';\nimport { type Consumer, type Producer } from 'kafkajs';"), []);
    assert.equal(valueImportsOfKafkajs("import {\n  KafkaJSError, type Admin,\n} from 'kafkajs';").length, 1);
    assert.equal(valueImportsOfKafkajs("import kafkajs from 'kafkajs';").length, 1);
    assert.equal(valueImportsOfKafkajs("const { Kafka } = require('kafkajs');").length, 1);
  });

  it('a process that starts as every CLI does (lib/cli/command.ts first) runs kafkajs with the native CRC and unzeroed encoders', () => {
    assert.deepEqual(patchesAfter(['lib/cli/command.ts', 'lib/kafka/client.ts']), { crc: true, encoders: true });
  });

  it('so does one whose first import is the broker check', () => {
    assert.deepEqual(patchesAfter(['lib/kafka/broker-check.ts']), { crc: true, encoders: true });
  });
});
