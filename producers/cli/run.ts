/**
 * `sellerstream run ROLE`: one process of a role, running the same entry point as its npm script, in this
 * process (its own signal handling, logging and exit codes).
 */
import { Argument, Command } from 'commander';
import { fileURLToPath } from 'node:url';

export const ROLES = {
  scheduler: '../scheduler/index.ts',
  cafe24: '../../consumers/cafe24/index.ts',
  ably: '../../consumers/ably/index.ts',
  sink: '../../consumers/sink/index.ts',
  alerter: '../../otel/alerter/index.ts',
} as const;

export function runCommand(): Command {
  return new Command('run').description('run one process of a role, as its npm script does (scale by running more)')
    .addArgument(new Argument('<role>', Object.keys(ROLES).join(', ')).choices(Object.keys(ROLES)))
    .action(async (role: keyof typeof ROLES) => {
      const entry = fileURLToPath(new URL(ROLES[role], import.meta.url));
      // The entry reads its own argv (`--help` and options): it sees none.
      process.argv = [process.argv[0]!, entry];
      await import(entry);
    });
}
