/**
 * `npm start` stopped the way a terminal or a supervisor stops it: SIGTERM to the npm process only. The demo
 * must stop what it started and exit 0, and no process of it (npm's children: the shell, tsx, node) may be left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../lib/wait-for.js';
import { testPrefix } from '../helpers/kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every process below `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the demo and signals (npm start)', function () {
  this.timeout(180_000);

  it('SIGTERM to the npm process stops the demo cleanly and leaves none of its processes running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sellerstream-demo-signals-'));
    const npm = spawn('npm', ['start', '--', '--shops', '2', '--interval', '3600'], {
      cwd: root, env: { ...process.env, CHDB_DATA_DIR: dataDir, LOG_LEVEL: 'error', KAFKA_TOPIC_PREFIX: testPrefix('demo-sig') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout!.on('data', (chunk) => (out += chunk));
    npm.stderr!.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let tree: number[] = [];
    try {
      await waitFor(() => /round 1: 2 shops/.test(out), { deadlineMs: 150_000, intervalMs: 100, description: `the demo's first round (${out})` });
      tree = descendants(npm.pid!);
      assert.ok(tree.length >= 2, 'npm runs the demo in child processes');
      npm.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      await waitFor(() => tree.every((pid) => !alive(pid)), { deadlineMs: 30_000, description: 'every process of the demo to exit' });
      assert.doesNotMatch(out, /\n\s+at |demo failed/, out);
    } finally {
      for (const pid of [npm.pid!, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
