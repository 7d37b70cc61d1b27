/** A child process whose stdout the test reads line by line, waiting for a line with a deadline. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../lib/wait-for.js';

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** The first line (from the start) matching `pattern`, waiting for it. */
  line(pattern: RegExp, deadlineMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript fixture under tsx with `env` added to this process's environment. */
export function startFixture(fixture: string, env: Record<string, string>): Child {
  const file = fileURLToPath(new URL(`../../fixtures/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (process.env.TEST_CHILD_STDERR) process.stderr.write(`[${fixture}] ${line}\n`);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  return {
    process: child,
    lines,
    exited,
    async line(pattern, deadlineMs = 60_000) {
      try {
        return await waitFor(() => {
          const found = lines.find((l) => pattern.test(l));
          if (!found && done) throw new Error(`${fixture} exited; stderr: ${stderr.slice(-10).join(' | ')}`);
          return found;
        }, { deadlineMs, intervalMs: 10, description: `a line ${pattern} from ${fixture}` });
      } catch (error) {
        throw new Error(`${(error as Error).message}; its last lines: ${lines.slice(-8).join(' | ')}`, { cause: error });
      }
    },
  };
}
