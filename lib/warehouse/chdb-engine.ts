/**
 * The process-wide embedded engine: one chDB Session bound to one data directory.
 * libchdb binds ONE data directory per process: a Session on another directory would close the first one's
 * connection under every warehouse using it. So every embedded warehouse of a process shares this Session
 * (ref-counted), a request for a second directory fails with one sentence, and warehouses are separated by
 * database instead (see chdb-warehouse.ts for how each query is pinned to its database).
 * When the last user releases the engine the Session closes, so a later open may pick another directory.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session, drainPending } from 'chdb';
import { NonRetriableError } from '../errors.js';

/** Engine arguments given at connect (they cannot be SET later). */
const CONNECTION_ARGS = [
  // Load every table before the Session answers, so the first query never races an attached-but-loading table.
  '--async_load_databases=0',
];

export class EmbeddedEngineConflictError extends NonRetriableError {
  override readonly code = 'EMBEDDED_ENGINE_CONFLICT';
}

interface Binding {
  readonly dataDir: string;
  readonly session: Session;
  users: number;
}

let binding: Binding | undefined;
/** A closing Session: the next open waits for it (chDB refuses a new directory until teardown lands). */
let closing: Promise<void> = Promise.resolve();

export interface EngineLease {
  readonly session: Session;
  readonly dataDir: string;
  /** Gives the lease back; the Session closes with the last one. Idempotent. */
  release(): Promise<void>;
}

/** Borrows the process's Session for `dataDir`, opening it if no warehouse holds one. */
export async function acquireEngine(dataDir: string): Promise<EngineLease> {
  const wanted = resolve(dataDir);
  if (binding === undefined) await closing;
  // Re-checked after the await: another caller may have opened it meanwhile.
  if (binding === undefined) {
    mkdirSync(wanted, { recursive: true });
    binding = { dataDir: wanted, session: new Session(wanted, { connectionArgs: CONNECTION_ARGS }), users: 0 };
  } else if (binding.dataDir !== wanted) {
    throw new EmbeddedEngineConflictError(
      `the embedded ClickHouse engine of this process is bound to ${binding.dataDir}, so it cannot open ` +
        `${wanted}: chDB allows one data directory per process; open every warehouse on ${binding.dataDir} ` +
        'and separate them by database.',
    );
  }
  const held = binding;
  held.users += 1;
  let released = false;
  return {
    session: held.session,
    dataDir: held.dataDir,
    release: async () => {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users > 0 || binding !== held) return;
      binding = undefined;
      held.session.close();
      closing = drainPending();
      await closing;
    },
  };
}

/** The directory the engine is bound to now, if any (diagnostics and tests). */
export function boundDataDir(): string | undefined {
  return binding?.dataDir;
}

/** Closes the Session at once, whoever holds it: for process exit only (synchronous, never throws). */
export function closeEngineAtExit(): void {
  const held = binding;
  binding = undefined;
  held?.session.close();
}
