/**
 * A test run leaves nothing in the broker: the topics of every prefix it handed out are deleted by the root hook
 * (test/helpers/root-hooks.ts) at the end. Checked on a mocha run of its own, with the project's .mocharc.json.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createKafka } from '../../lib/kafka/client.js';
import { testBrokers } from '../helpers/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('a test run and the broker', function () {
  this.timeout(120_000);

  it('deletes the topics of every prefix the run handed out when it ends', async () => {
    const mocha = spawn(process.execPath, [`${root}node_modules/mocha/bin/mocha.js`, 'test/fixtures/creates-topics.spec.ts'], {
      cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    mocha.stdout.on('data', (chunk) => (out += chunk));
    mocha.stderr.on('data', (chunk) => (out += chunk));
    const code = await new Promise((resolve) => mocha.once('exit', resolve));
    assert.equal(code, 0, out);
    const prefixes = /PREFIXES (\S+) (\S+)/.exec(out)?.slice(1);
    assert.ok(prefixes, out);

    const admin = createKafka({ brokers: testBrokers(), clientId: 'test-cleanup-check' }).kafka.admin();
    await admin.connect();
    try {
      const left = (await admin.listTopics()).filter((name) => prefixes.some((p) => name.startsWith(p)));
      assert.deepEqual(left, [], 'no topic of the run is left');
    } finally {
      await admin.disconnect();
    }
  });
});
