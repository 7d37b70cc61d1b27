/**
 * Every command as a new user meets it, through npm: `--help` answers, no broker means one line within 10 s,
 * `topics list` needs no broker, a missing SECRETS_KEYS says how to make one, and `secrets new-key` makes one.
 * The no-broker cases use a port nothing listens on. Their 10 s are the command's own (helpers/own-time.mjs): its
 * process from start to exit, less the time its main thread waited for a CPU. npm's and tsx's launchers are not the
 * command, and on a loaded 2-core machine the wait for a CPU alone pushed a sink that fails in 4 s past 10 s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config.js';
import { createKeyring } from '../../lib/secrets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const OWN_TIME = fileURLToPath(new URL('../helpers/own-time.mjs', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string }

function npm(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn('npm', ['run', '-s', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

interface OwnTime { entry: string; wallMs: number; waitMs: number }

/** `npm` with the command's own time measured (helpers/own-time.mjs). */
async function timedNpm(args: string[], env: NodeJS.ProcessEnv): Promise<Run & OwnTime> {
  const dir = mkdtempSync(join(tmpdir(), 'cli-own-time-'));
  try {
    const file = join(dir, 'times.jsonl');
    const run = await npm(args, { ...env, OWN_TIME_FILE: file, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${OWN_TIME}`.trim() });
    const times = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as OwnTime);
    assert.equal(times.length, 1, `one command process: ${JSON.stringify(times)}`);
    return { ...run, ...times[0]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the commands, as a new user runs them', function () {
  this.timeout(60_000);

  it('--help: every command says what it does, its options and its environment, and exits 0', async () => {
    const commands: [string, string[]][] = [
      ['start', []], ['replay', []], ['topics', []], ['cafe24', []], ['ably', []], ['scheduler', []], ['sink', []], ['bench', []], ['kafka', []],
      ['secrets', []],
    ];
    // Two at a time: each is a tsx start-up, and the machine has two cores.
    for (let i = 0; i < commands.length; i += 2) {
      const runs = await Promise.all(commands.slice(i, i + 2).map(([name]) => npm([name, '--', '--help'])));
      runs.forEach((run, j) => {
        const name = commands[i + j]![0];
        assert.equal(run.code, 0, `${name}: ${run.stderr}`);
        assert.match(run.stdout, new RegExp(`^usage: npm (run )?${name}`), name);
        assert.match(run.stdout, /\noptions:\n(.*\n)*\s+-h, --help/, `${name} lists its options`);
        if (name !== 'secrets') assert.match(run.stdout, /\nenvironment:\n\s+[A-Z_]+/, `${name} lists its environment`);
        assert.equal(run.stderr, '', name);
      });
    }
  });

  describe('with no broker reachable', () => {
    const cases: [string, string[], NodeJS.ProcessEnv][] = [
      ['npm start', ['start', '--', '--once'], {}],
      ['npm run topics -- apply', ['topics', '--', 'apply'], {}],
      ['npm run cafe24', ['cafe24'], { SECRETS_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
      ['npm run ably', ['ably'], { SECRETS_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
      ['npm run scheduler', ['scheduler'], {}],
      ['npm run sink', ['sink'], {}],
      ['npm run replay -- --from-dlq', ['replay', '--', '--from-dlq'], {}],
      ['npm run bench -- sink', ['bench', '--', 'sink'], {}],
    ];
    for (const [title, args, env] of cases) {
      it(`${title} fails within 10 s with one line naming the address and what to do`, async () => {
        const port = await unusedPort();
        const run = await timedNpm(args, { ...env, KAFKA_BROKERS: `127.0.0.1:${port}`, LOG_LEVEL: 'silent' });
        assert.notEqual(run.code, 0);
        const ownMs = run.wallMs - run.waitMs;
        assert.ok(ownMs < 10_000, `${run.entry} took ${ownMs.toFixed(0)} ms of its own (${run.wallMs.toFixed(0)} ms, ${run.waitMs.toFixed(0)} ms of it waiting for a CPU)`);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0]!, new RegExp(`no Kafka broker at 127\\.0\\.0\\.1:${port}\\b.*npm run kafka -- up.*KAFKA_BROKERS`));
        assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /, 'no stack trace');
      });
    }

    it('npm run topics -- list needs only topics.json', async () => {
      const run = await npm(['topics', '--', 'list'], { KAFKA_BROKERS: `127.0.0.1:${await unusedPort()}` });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^tenants\t\d+\t/m);
      assert.match(run.stdout, /^raw\.results\t\d+\t/m);
    });
  });

  for (const command of ['cafe24', 'ably']) {
    it(`npm run ${command} without SECRETS_KEYS: one line saying what is missing and the command that makes a key`, async () => {
      const run = await npm([command], { SECRETS_KEYS: '', LOG_LEVEL: 'silent' });
      assert.equal(run.code, 1);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /SECRETS_KEYS is not set.*`npm run secrets -- new-key`/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    });
  }

  it('npm run secrets -- new-key prints a key that SECRETS_KEYS takes and that seals and opens', async () => {
    const run = await npm(['secrets', '--', 'new-key', '--id', 'k2']);
    assert.equal(run.code, 0, run.stderr);
    const key = run.stdout.trim();
    assert.match(key, /^k2:[A-Za-z0-9+/]{43}=$/);
    assert.equal(loadConfig({ SECRETS_KEYS: key }).secrets.keys, key);
    const ring = createKeyring(key);
    assert.equal(ring.open(ring.seal('token')), 'token');
  });
});
