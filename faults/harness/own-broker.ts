/**
 * A Kafka broker of the fault suite's own (scripts/kafka/local.sh on a free port, with its data in the fault's
 * work directory), so the broker-restart fault can stop and start it without touching a broker anyone else uses.
 * Calls are asynchronous: the runner keeps timing its children's events while the broker restarts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/kafka/local.sh', import.meta.url));

export interface OwnBroker {
  brokers: string[];
  /** Stops it (SIGTERM, as `down` does) and starts it again on the same data; resolves once it serves. */
  restart(): Promise<void>;
  /** The two halves of a restart, for a caller that acts while it is down: stop it; start it and wait until it serves. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnBroker(workDir: string): Promise<OwnBroker> {
  const port = await freePortPair();
  const env: NodeJS.ProcessEnv = {
    // The client compiler alone (C1): a broker serving a handful of test topics never needs C2's peak speed, and it
    // starts ~1.5 s sooner and restarts on its data ~2 s sooner (measured: 7.2 → 5.8 s, 4.6 → 2.6 s).
    KAFKA_HEAP_OPTS: '-Xms256m -Xmx768m -XX:TieredStopAtLevel=1',
    ...process.env, KAFKA_LOCAL_DIR: join(workDir, 'kafka'), KAFKA_LOCAL_PORT: String(port),
  };
  delete env.KAFKA_BROKERS;
  const script = (command: 'up' | 'down') => new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`local.sh ${command} on port ${port} failed (${code}): ${stderr.trim().slice(-500)}`))));
  });
  // The broker runs detached (setsid): an interrupted suite must still stop it.
  const onSignal = (signal: NodeJS.Signals) => {
    spawnSync('bash', [SCRIPT, 'down'], { env, stdio: 'ignore' });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  await script('up');
  return {
    brokers: [`127.0.0.1:${port}`],
    async restart() {
      await script('down');
      await script('up');
    },
    down: () => script('down'),
    up: () => script('up'),
    async stop() {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await script('down');
    },
  };
}

/** A port that is free, with the next one free too (local.sh puts the controller there). */
async function freePortPair(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    // Below Linux's ephemeral range (32768-60999 by default): a port in it that is free now can be taken by any
    // process's outgoing connection before the broker binds it.
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await isFree(port)) && (await isFree(port + 1))) return port;
  }
  throw new Error('no free port pair for a broker of our own');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false)).once('listening', () => server.close(() => resolve(true)));
    server.listen(port, '127.0.0.1');
  });
}
