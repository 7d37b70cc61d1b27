/**
 * scripts/kafka/local.sh on its own port and directory: up is idempotent, status tells, down stops. The port sits
 * below Linux's ephemeral range (32768+), where a busy machine's outgoing connections could already hold it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/kafka/local.sh', import.meta.url));

describe('the local Kafka broker script', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'kafka-local-'));
  const env = { ...process.env, KAFKA_LOCAL_DIR: dir, KAFKA_LOCAL_PORT: '28092', KAFKA_LOCAL_START_TIMEOUT: '150' };
  const run = (command: string) => spawnSync('bash', [script, command], { env, encoding: 'utf8' });
  after(() => {
    run('down');
    rmSync(dir, { recursive: true, force: true });
  });

  it('up twice leaves one broker; down stops it', () => {
    const first = run('up');
    assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
    const pid = readFileSync(join(dir, 'broker.pid'), 'utf8').trim();
    const second = run('up');
    assert.equal(second.status, 0);
    assert.match(second.stdout, /already running/);
    assert.equal(readFileSync(join(dir, 'broker.pid'), 'utf8').trim(), pid, 'the same broker');
    assert.equal(run('status').status, 0);
    assert.equal(run('down').status, 0);
    assert.notEqual(run('status').status, 0, 'status reports it stopped');
    assert.throws(() => process.kill(Number(pid), 0), 'the broker process is gone');
  });
});
