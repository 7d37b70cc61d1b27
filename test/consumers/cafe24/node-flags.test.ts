import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CAFE24_NODE_FLAGS } from '../../../consumers/cafe24/node-flags.js';
import { nodeFlags } from '../../../bench/cafe24.js';

describe('Cafe24 consumer process flags', () => {
  it('npm run cafe24 starts the consumer with every flag the benchmark runs it with', () => {
    const { scripts } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const words = (scripts.cafe24 ?? '').split(/\s+/);
    assert.ok(CAFE24_NODE_FLAGS.length > 0);
    for (const flag of CAFE24_NODE_FLAGS) assert.ok(words.includes(flag), `npm run cafe24 lacks ${flag}: ${scripts.cafe24}`);
    assert.ok(words.indexOf(CAFE24_NODE_FLAGS[0]!) < words.indexOf('consumers/cafe24/index.ts'), 'flags go before the entry, to node');
    assert.deepEqual(nodeFlags, CAFE24_NODE_FLAGS);
  });
});
