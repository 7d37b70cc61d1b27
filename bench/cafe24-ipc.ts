/**
 * The benchmarks' child processes (simulator, sink, baseline) and how their parents talk to them: the request and
 * event protocol of lib/testing/child-ipc.ts, plus what a bench needs of every child: its own CPU time and peak
 * RSS (`usage`), so the figures say which process spent what, and an `exit` command.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { serveParent, spawnIpcChild, type Handler, type IpcChild } from '../lib/testing/child-ipc.js';

export interface Usage {
  /** CPU time used since the process started, user + system, ms. */
  cpuMs: number;
  /** Peak resident set size, MB. */
  maxRssMb: number;
  /** Event-loop delay since the last `reset` (how long ready work waited for the thread), ms. */
  loopDelay: { meanMs: number; p99Ms: number; maxMs: number };
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

export const usage = ({ reset = false } = {}): Usage => {
  const u = process.resourceUsage();
  const result = {
    cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMb: u.maxRSS / 1024,
    loopDelay: { meanMs: loopDelay.mean / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 },
  };
  if (reset) loopDelay.reset();
  return result;
};

/** Child side: answers requests with the named handlers; `usage` and `exit` are built in. */
export function serve(handlers: Record<string, Handler>): { emit(event: string, data: unknown): void } {
  return serveParent({
    usage: (args?: { reset?: boolean }) => usage(args),
    exit: () => setImmediate(() => process.exit(0)),
    ...handlers,
  });
}

export type Child = Pick<IpcChild, 'process' | 'call' | 'on' | 'close'>;

/** Starts bench/<file> under tsx with an IPC channel; stdout and stderr go to ours. */
export function startChild(file: string, env: Record<string, string> = {}): Child {
  // CAFE24_PROFILE_DIR=<dir>: a V8 CPU profile of every child there (profiling only, not for the figures).
  const dir = process.env.CAFE24_PROFILE_DIR;
  const execArgv = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  return spawnIpcChild(`bench child ${file}`, fileURLToPath(new URL(`./${file}`, import.meta.url)), { env, execArgv });
}
