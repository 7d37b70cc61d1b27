/**
 * The first run on a fresh machine: `npm run kafka -- up` on its own port and directory, then at once
 * `npm run topics -- apply` with only KAFKA_LOCAL_PORT set. The apply must reach that broker (the clients'
 * default follows KAFKA_LOCAL_PORT), ride out the answers of a broker that has just started
 * (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE) and complete: every topic of topics.json exists with its
 * partitions, and a second apply changes nothing. The port sits below Linux's ephemeral range.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafka } from '../../lib/kafka/client.js';
import { readTopicSpecs } from '../../lib/kafka/topics.js';
import { TOPICS_FILE } from '../helpers/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PORT = '28094';

describe('a fresh broker and the first topics apply', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'kafka-fresh-'));
  // Only the local port: no KAFKA_BROKERS, as on a machine where nobody set it.
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_LOCAL_DIR: dir, KAFKA_LOCAL_PORT: PORT, KAFKA_LOCAL_START_TIMEOUT: '150' };
  delete env.KAFKA_BROKERS;
  const npm = (args: string[]) => new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('npm', ['run', '-s', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => resolve({ code, out }));
  });
  after(() => {
    spawnSync('bash', [join(root, 'scripts/kafka/local.sh'), 'down'], { env });
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every topic on the broker of KAFKA_LOCAL_PORT right after it started; a second apply changes nothing', async () => {
    const up = await npm(['kafka', '--', 'up']);
    assert.equal(up.code, 0, up.out);
    const first = await npm(['topics', '--', 'apply']);
    assert.equal(first.code, 0, first.out);
    const specs = await readTopicSpecs(TOPICS_FILE);
    assert.match(first.out, new RegExp(`topics: ${specs.length} change\\(s\\)`));

    const admin = createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: 'fresh-broker-test' }).kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
      for (const spec of specs) {
        const partitions = topics.find((t) => t.name === spec.name)?.partitions ?? [];
        assert.equal(partitions.filter((p) => p.leader >= 0).length, spec.partitions, `${spec.name}: every partition led`);
      }
    } finally {
      await admin.disconnect();
    }
    const second = await npm(['topics', '--', 'apply']);
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /topics: up to date, nothing changed/);
  });
});
