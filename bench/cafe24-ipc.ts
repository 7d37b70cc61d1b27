/**
 * The Cafe24 benchmark's child processes (simulator, sink, baseline) and how bench/cafe24.ts talks to them:
 * requests with an id over Node's IPC channel, answered once; a child may also push events (`{ event, data }`).
 * Each child reports its own CPU time and peak RSS, so the figures say which process spent what.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

type Handler = (args: any) => unknown;

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
  const all: Record<string, Handler> = {
    usage: (args?: { reset?: boolean }) => usage(args),
    exit: () => setImmediate(() => process.exit(0)),
    ...handlers,
  };
  process.on('message', (message: { id: number; cmd: string; args: unknown }) => {
    void (async () => {
      try {
        const handler = all[message.cmd];
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        process.send!({ id: message.id, ok: true, value: await handler(message.args) });
      } catch (error) {
        process.send!({ id: message.id, ok: false, error: (error as Error)?.stack ?? String(error) });
      }
    })();
  });
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  return { emit: (event, data) => process.send!({ event, data }) };
}

export interface Child {
  readonly process: ChildProcess;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  on(event: string, listener: (data: any) => void): void;
  /** Asks the child to exit and waits for it (kills it after a grace period). */
  close(): Promise<void>;
}

/** Starts bench/<file> under tsx with an IPC channel; stdout and stderr go to ours. */
export function startChild(file: string, env: Record<string, string> = {}): Child {
  // CAFE24_PROFILE_DIR=<dir>: a V8 CPU profile of every child there (profiling only, not for the figures).
  const dir = process.env.CAFE24_PROFILE_DIR;
  const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(new URL(`./${file}`, import.meta.url))], {
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, ((data: any) => void)[]>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`bench child ${file} exited (${code ?? signal})`));
    pending.clear();
    resolve();
  }));
  child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string; data?: unknown }) => {
    if (m.event) {
      for (const l of listeners.get(m.event) ?? []) l(m.data);
      return;
    }
    const p = pending.get(m.id!);
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`bench child ${file}: ${m.error}`));
  });
  return {
    process: child,
    call(cmd, args) {
      if (exited) return Promise.reject(new Error(`bench child ${file} has exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    async close() {
      if (exited) return;
      this.call('exit').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
