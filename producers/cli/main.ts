/**
 * `sellerstream`: the operator's command line (bin/sellerstream.js runs this through tsx; `npm run cli -- …`).
 * One commander program; every command validates its arguments with one sentence (args.ts), answers `--help`,
 * prints a table or, with `--json`, one JSON document, and ends with a documented exit code (errors.ts) and, on
 * failure, one line on stderr.
 */
import '../../lib/kafka/native-crc32c.js';
import { Command, CommanderError } from 'commander';
import { ablyCommand, cafe24Command } from './credentials.js';
import { createCliContext, type WithContext } from './context.js';
import { dlqCommand } from './dlq.js';
import { EXIT_CODES_HELP, exitCodeOf, oneLine } from './errors.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { backfillCommand, syncCommand } from './sync.js';
import { tenantsCommand } from './tenants.js';

const NAME = 'sellerstream';

function fail(error: unknown): never {
  const code = exitCodeOf(error);
  if (!(error instanceof CommanderError)) {
    const debug = /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '');
    process.stderr.write(`${NAME}: ${debug ? (error as Error)?.stack ?? error : oneLine(error)}${code === 2 ? ' (see --help)' : ''}\n`);
  }
  process.exit(code);
}

export function buildProgram(): Command {
  const program = new Command(NAME);
  const withContext: WithContext = (run) => async (...args) => {
    const command = args[args.length - 1] as Command;
    const ctx = createCliContext({ json: Boolean(command.optsWithGlobals().json) });
    try {
      await run(ctx, ...args.slice(0, -1));
    } finally {
      await ctx.close();
    }
  };
  program
    .description('Operate sellerstream: tenants and their credentials, manual syncs and backfills, status, dead letters, processes.')
    .option('--json', 'print one JSON document (for scripts) instead of tables')
    .exitOverride()
    .configureOutput({
      // commander's own usage errors: one line, as ours.
      outputError: (text, write) => write(`${NAME}: ${text.replace(/^error: /, '').trim()} (see --help)\n`),
    })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\nconfiguration: environment variables, see README (KAFKA_BROKERS, SECRETS_KEYS, CLICKHOUSE_URL, …)`)
    .showSuggestionAfterError();
  for (const command of [tenantsCommand(withContext), cafe24Command(withContext), ablyCommand(withContext), syncCommand(withContext), backfillCommand(withContext),
    statusCommand(withContext), dlqCommand(withContext), runCommand()]) {
    program.addCommand(command);
  }
  // Settings a sub-command created on its own does not inherit from the program it is added to.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.copyInheritedSettings(cmd);
      sub.addHelpText('after', `\n${EXIT_CODES_HELP}`);
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

try {
  const program = buildProgram();
  await program.parseAsync(process.argv);
  // A role keeps running; any other command is done (a client's idle timer must not hold the shell).
  if (program.args[0] !== 'run') process.exit(0);
} catch (error) {
  fail(error);
}
