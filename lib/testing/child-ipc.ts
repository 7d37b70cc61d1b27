/**
 * A parent and its child processes (a bench's simulator and sink, a fault's consumer and sink) talking over Node's
 * IPC channel: requests with an id, answered once; events the child pushes (`{ event, data }`), each stamped with
 * the time the parent received it. The benches (bench/cafe24-ipc.ts) and the fault suite (faults/harness/) both
 * run their children through here, so a fix to the protocol lands in both.
 * A child may be killed with SIGKILL at any moment: calls in flight are rejected, `exit.killedByUs` tells a kill
 * the parent asked for from a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { waitFor } from '../wait-for.js';

export type Handler = (args: any) => unknown;

interface Request { id: number; cmd: string; args: unknown }
interface Message { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string; data?: unknown }

/** Child side: answers requests with the named handlers; `emit` pushes an event to the parent. */
export function serveParent(handlers: Record<string, Handler>): { emit(event: string, data?: unknown): void } {
  process.on('message', (message: Request) => {
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
  // The parent went away (killed, or done): nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  return { emit: (event, data) => process.send?.({ event, data }) };
}

export interface ChildEvent {
  event: string;
  data: any;
  /** performance.now() in the parent when it arrived. */
  at: number;
}

export interface ChildExit { code: number | null; signal: NodeJS.Signals | null; killedByUs: boolean }

export interface IpcChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** performance.now() when it was spawned. */
  readonly startedAt: number;
  /** Every event so far (only with `keepEvents`; empty otherwise). */
  readonly events: ChildEvent[];
  /** Set once it has exited: how, and whether we killed or stopped it. */
  readonly exit: ChildExit | undefined;
  readonly exited: Promise<void>;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  on(event: string, listener: (data: any, at: number) => void): void;
  /** The first kept event of that name at or after `since` (performance.now()), waiting for it. */
  next(event: string, opts?: { since?: number; deadlineMs?: number; where?: (data: any) => boolean }): Promise<ChildEvent>;
  kill9(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Asks the child to exit (its `exit` command) and waits (SIGKILL after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Node flags before `--import tsx` (e.g. --cpu-prof). */
  execArgv?: string[];
  /** stdout and stderr appended to this file; without it they go to ours. */
  logFile?: string;
  /** Keep every event for `events` and `next` (the fault suite times them); a bench's stream of events is not kept. */
  keepEvents?: boolean;
}

/** Starts a TypeScript file under tsx with an IPC channel. */
export function spawnIpcChild(name: string, file: string, { env = {}, execArgv = [], logFile, keepEvents = false }: SpawnOptions = {}): IpcChild {
  const out = logFile ? openSync(logFile, 'a') : 'inherit';
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', file], {
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  const startedAt = performance.now();
  const events: ChildEvent[] = [];
  const listeners = new Map<string, ((data: any, at: number) => void)[]>();
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const where = logFile ? ` (log: ${logFile})` : '';
  let nextId = 1;
  let killing = false;
  let exit: ChildExit | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = { code, signal, killedByUs: killing };
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
    pending.clear();
    resolve();
  }));
  child.on('message', (m: Message) => {
    if (m.event) {
      const at = performance.now();
      if (keepEvents) events.push({ event: m.event, data: m.data, at });
      for (const l of listeners.get(m.event) ?? []) l(m.data, at);
      return;
    }
    const p = pending.get(m.id!);
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  const waitExit = async (graceMs: number) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const self: IpcChild = {
    name, process: child, startedAt, events, exited,
    get exit() { return exit; },
    call(cmd, args) {
      if (exit) return Promise.reject(new Error(`${name} has exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args } satisfies Request);
      });
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    next(event, { since = 0, deadlineMs = 120_000, where: matches = () => true } = {}) {
      if (!keepEvents) return Promise.reject(new Error(`${name}: next() needs keepEvents`));
      const find = () => events.find((e) => e.event === event && e.at >= since && matches(e.data));
      return new Promise<ChildEvent>((resolve, reject) => {
        waitFor(find, { deadlineMs, intervalMs: 20, description: `"${event}" from ${name}${where}` }).then(resolve, reject);
        // A child that exits will not send it: fail now rather than at the deadline (its last messages arrive first).
        void exited.then(() => setTimeout(() => {
          const found = find();
          if (found) resolve(found);
          else reject(new Error(`${name} exited (${exit?.code ?? exit?.signal}) before "${event}"${where}`));
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
      await waitExit(graceMs);
    },
    async close(graceMs = 30_000) {
      if (exit) return;
      killing = true;
      self.call('exit').catch(() => undefined);
      await waitExit(graceMs);
    },
  };
  return self;
}
