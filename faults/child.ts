/**
 * The fault suite's child processes (a consumer, a sink) and how the runner talks to them: requests with an id over
 * Node's IPC channel, answered once, and events the child pushes (`{ event, data }`), each stamped with the time
 * the runner received it. A child can be killed with SIGKILL at any moment; `killedByUs` tells a fault's kill from
 * a crash. Each child's stderr goes to its own log file in the fault's work directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../lib/wait-for.js';

type Handler = (args: any) => unknown;

/** Child side: answers the named requests; `emit` pushes an event to the runner. */
export function serveRunner(handlers: Record<string, Handler>): { emit(event: string, data?: unknown): void } {
  process.on('message', (message: { id: number; cmd: string; args: unknown }) => {
    void (async () => {
      try {
        const handler = handlers[message.cmd];
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        process.send!({ id: message.id, ok: true, value: await handler(message.args) });
      } catch (error) {
        process.send!({ id: message.id, ok: false, error: (error as Error)?.stack ?? String(error) });
      }
    })();
  });
  // The runner went away (killed, or done): nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  return { emit: (event, data) => process.send?.({ event, data }) };
}

export interface ChildEvent {
  event: string;
  data: any;
  /** performance.now() in the runner when it arrived. */
  at: number;
}

export interface FaultChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** performance.now() when it was spawned. */
  readonly startedAt: number;
  readonly events: ChildEvent[];
  /** Set once it has exited: how, and whether a fault killed it. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null; killedByUs: boolean } | undefined;
  readonly exited: Promise<void>;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  on(event: string, listener: (data: any, at: number) => void): void;
  /** The first event of that name at or after `since` (performance.now()), waiting for it. */
  next(event: string, opts?: { since?: number; deadlineMs?: number; where?: (data: any) => boolean }): Promise<ChildEvent>;
  kill9(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export function spawnChild(name: string, file: URL, env: Record<string, string>, logFile: string): FaultChild {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(file)], {
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  const startedAt = performance.now();
  const events: ChildEvent[] = [];
  const listeners = new Map<string, ((data: any, at: number) => void)[]>();
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let killing = false;
  let exit: FaultChild['exit'];
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = { code, signal, killedByUs: killing };
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
    pending.clear();
    resolve();
  }));
  child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string; data?: unknown }) => {
    if (m.event) {
      const at = performance.now();
      events.push({ event: m.event, data: m.data, at });
      for (const l of listeners.get(m.event) ?? []) l(m.data, at);
      return;
    }
    const p = pending.get(m.id!);
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  const self: FaultChild = {
    name, process: child, startedAt, events, exited,
    get exit() { return exit; },
    call(cmd, args) {
      if (exit) return Promise.reject(new Error(`${name} has exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    next(event, { since = 0, deadlineMs = 120_000, where = () => true } = {}) {
      const find = () => events.find((e) => e.event === event && e.at >= since && where(e.data));
      return new Promise<ChildEvent>((resolve, reject) => {
        waitFor(find, { deadlineMs, intervalMs: 20, description: `"${event}" from ${name} (log: ${logFile})` }).then(resolve, reject);
        // A child that exits will not send it: fail now rather than at the deadline (its last messages arrive first).
        void exited.then(() => setTimeout(() => {
          const found = find();
          if (found) resolve(found);
          else reject(new Error(`${name} exited (${exit?.code ?? exit?.signal}) before "${event}"; see ${logFile}`));
        }, 100));
      });
    },
    async kill9() {
      if (exit) return;
      killing = true;
      child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 60_000) {
      if (exit) return;
      killing = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return self;
}
