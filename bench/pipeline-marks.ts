/**
 * What the pipeline benchmarks (bench/cafe24.ts, bench/ably.ts) measure the same way: a reader of sync.runs, CPU
 * marks of this process, the sink and simulator children, the local broker and the whole machine, and a median.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Consumer } from 'kafkajs';
import { SyncRunContract, type SyncRun } from '../lib/contracts/sync-run.js';
import type { KafkaContext } from '../lib/kafka/client.js';
import { waitFor } from '../lib/wait-for.js';
import { usage, type Child, type Usage } from './cafe24-ipc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A read-committed reader of sync.runs from the beginning (the prefix is fresh, so that is this run's). */
export async function watchRuns(kafka: KafkaContext, onRun: (run: SyncRun) => void): Promise<Consumer> {
  const consumer = kafka.kafka.consumer({ groupId: kafka.topic(`bench-runs-${randomBytes(3).toString('hex')}`), maxWaitTimeInMs: 50 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic: kafka.topic('sync.runs'), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = SyncRunContract.decode(message.value);
      if (decoded.ok) onRun(decoded.value);
    },
  });
  await waitFor(() => joined, { deadlineMs: 60_000, description: 'the sync.runs reader to join' });
  return consumer;
}

export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};

export interface Marks { main: number; sink: number; sim: number; broker: number; brokerJit: number; machineBusy: number; mainUsage: Usage; sinkUsage: Usage }

/** CPU ms so far of this process, the sink and simulator processes, the broker, and the whole machine (busy). */
export async function cpuMarks(sim: Child, sink: Child): Promise<Marks> {
  const [simUsage, sinkUsage] = await Promise.all([sim.call<Usage>('usage', { reset: true }), sink.call<Usage>('usage', { reset: true })]);
  const mainUsage = usage({ reset: true });
  return { main: mainUsage.cpuMs, sink: sinkUsage.cpuMs, sim: simUsage.cpuMs, broker: brokerCpuMs(), brokerJit: brokerJitMs(), machineBusy: machineBusyMs(), mainUsage, sinkUsage };
}

export const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** The local broker's pid, undefined when it is not ours to see. */
function brokerPid(): string | undefined {
  const pidFile = join(process.env.KAFKA_LOCAL_DIR ?? join(ROOT, '.local/kafka'), 'broker.pid');
  return existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : undefined;
}

/** utime + stime of a /proc stat file, in ms. */
function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** The local broker's CPU time (its whole JVM), 0 when it is not ours to see. */
export function brokerCpuMs(): number {
  try {
    const pid = brokerPid();
    return pid === undefined ? 0 : statCpuMs(`/proc/${pid}/stat`);
  } catch {
    return 0;
  }
}

/**
 * The part of it spent by the JVM's JIT compiler threads: a broker compiles its hot paths once, in its first minutes
 * of real traffic (measured: C2 alone took 34 of 115 broker CPU s over two runs on a fresh broker), so this is a
 * warm-up cost a long-running broker does not pay per order. Reported apart, and included in the pipeline's CPU.
 */
function brokerJitMs(): number {
  try {
    const pid = brokerPid();
    if (pid === undefined) return 0;
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      if (/^C[12] CompilerThre/.test(readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8'))) total += statCpuMs(`/proc/${pid}/task/${task}/stat`);
    }
    return total;
  } catch {
    return 0;
  }
}

/** Busy CPU time of the whole machine (every process, ours or not), from /proc/stat. */
export function machineBusyMs(): number {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * TICK_MS;
  } catch {
    return 0;
  }
}
