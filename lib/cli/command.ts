/**
 * The command line of every entry point, in one place: parse argv (node:util parseArgs, strict), answer
 * `--help` from the same description the parser uses, and end a failed command with one line instead of a stack.
 * A help text cannot drift from the options it describes, and the environment variables it lists take their
 * meaning and default from the config schema (lib/config.ts), so no command keeps a copy of either.
 */
import { parseArgs } from 'node:util';
import { ConfigError, describeEnv } from '../config.js';
import { BrokerUnreachableError } from '../kafka/broker-check.js';
import { SecretsError } from '../secrets.js';

export interface CommandOption {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** The value's placeholder in --help (`--shops N`). */
  value?: string;
  description: string;
}

export interface CommandSpec<O extends Record<string, CommandOption>> {
  /** How it is run, with its arguments: `npm run topics -- apply | list`. */
  usage: string;
  /** What it does, a few lines. */
  description: string;
  options?: O;
  /** Positional arguments it takes (sub-commands), each with its meaning; none when absent. */
  positionals?: Record<string, string>;
  /** Environment variables it reads: names from the config schema, or [name, meaning] for others. */
  env?: readonly (string | readonly [string, string])[];
}

export type CommandValues<O extends Record<string, CommandOption>> = {
  [K in keyof O]: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { default: string } ? string : string | undefined;
};

/** A wrong invocation: an unknown option, a missing value, a value out of range. Printed as one line, exit 2. */
export class UsageError extends Error {}

/**
 * The entry point's first call. `--help`/`-h` prints the help on stdout and exits 0; a usage error prints one line
 * and exits 2. From here on, a failure the operator fixes (configuration, a missing secret, no broker, usage)
 * ends the process with its one line and exit 1; anything else is a bug and keeps its stack.
 */
export function parseCommand<const O extends Record<string, CommandOption>>(
  spec: CommandSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
): { values: CommandValues<O>; positionals: string[] } {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText(spec));
    process.exit(0);
  }
  // A top-level throw or rejected await of an ES module arrives here too.
  process.on('uncaughtException', (error) => commandFailed(spec, error));
  try {
    return parseOptions(spec, argv);
  } catch (error) {
    return commandFailed(spec, error);
  }
}

/** The parse alone (pure, for commands whose arguments are unit-tested): throws a UsageError. */
export function parseOptions<const O extends Record<string, CommandOption>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): { values: CommandValues<O>; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(spec.options ?? {}).map(([name, o]) => [
    name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) },
  ]));
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: spec.positionals !== undefined, strict: true });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
  const unexpected = parsed.positionals.find((p) => !(p in (spec.positionals ?? {})));
  if (unexpected !== undefined) throw new UsageError(`unexpected argument ${unexpected}`);
  return { values: parsed.values as CommandValues<O>, positionals: parsed.positionals };
}

/** node's parse errors, shortened to what the operator typed wrong. */
function usageMessage(error: Error & { code?: string }): string {
  const quoted = /'(-{0,2}[^' ]*)/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': return `${quoted} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument ${quoted}`;
    default: return error.message;
  }
}

/** Ends the command: one line for what the operator fixes (exit 2 for usage, 1 otherwise), the stack for a bug. */
export function commandFailed(spec: Pick<CommandSpec<never>, 'usage'>, error: unknown): never {
  const name = /^npm (?:run )?([\w-]+)/.exec(spec.usage)?.[1] ?? spec.usage.split(' ')[0];
  if (error instanceof UsageError) {
    process.stderr.write(`${name}: ${error.message} (see --help)\n`);
    process.exit(2);
  }
  const oneLine = error instanceof ConfigError || error instanceof SecretsError || error instanceof BrokerUnreachableError;
  process.stderr.write(oneLine ? `${name}: ${(error as Error).message}\n` : `${name} failed: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
}

export function helpText<O extends Record<string, CommandOption>>(spec: CommandSpec<O>): string {
  const lines = [`usage: ${spec.usage}`, '', spec.description.trim(), ''];
  const table = (rows: [string, string][]) => {
    const width = Math.max(...rows.map(([left]) => left.length));
    for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
    lines.push('');
  };
  if (spec.positionals && Object.keys(spec.positionals).length > 0) {
    lines.push('commands:');
    table(Object.entries(spec.positionals));
  }
  const options: [string, string][] = Object.entries(spec.options ?? {}).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    `${o.description}${o.default !== undefined && o.type === 'string' ? ` (default ${o.default})` : ''}`,
  ]);
  lines.push('options:');
  table([...options, ['-h, --help', 'print this help and exit']]);
  if (spec.env && spec.env.length > 0) {
    lines.push('environment:');
    table(spec.env.map((entry): [string, string] => {
      if (typeof entry !== 'string') return [entry[0], entry[1]];
      const described = describeEnv(entry);
      if (!described) throw new Error(`${entry} is not in the config schema: give its meaning as [name, meaning]`);
      // An undefined default: the component's defaults object applies (lib/config.ts).
      return [entry, `${described.doc}${described.default === '' ? '' : described.default === undefined ? ' (default: the component\'s)' : ` (default ${described.default})`}`];
    }));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
