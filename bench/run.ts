/**
 * `npm run bench -- <name> [--json] [options]`: runs the benchmark in bench/<name>.ts. Each module exports
 * `run(args)` returning a BenchResult; its human-readable report goes to stdout as it runs, and with --json the
 * last line printed is the result as one JSON object (DESIGN "Benchmarks"). Benchmarks are not timed tests: they
 * measure ours against the baseline, both in the same run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from '../lib/cli/command.js';

export interface BenchResult {
  bench: string;
  metric: string;
  unit: string;
  value: number;
  baseline: number;
  /** How many times better ours is: baseline ÷ ours for times, ours ÷ baseline for rates. */
  ratio: number;
  [extra: string]: unknown;
}

export interface BenchArgs {
  json: boolean;
  /** The arguments after the bench name, --json removed. */
  argv: string[];
  /** A line of the human-readable report. */
  log(line: string): void;
}

export type BenchModule = { run(args: BenchArgs): Promise<BenchResult> };

/** The benchmarks, each named by the first line of its module's doc comment: `npm run bench -- NAME [options]`. */
const dir = fileURLToPath(new URL('.', import.meta.url));
const benches = Object.fromEntries(readdirSync(dir).flatMap((file) => {
  const usage = /^\/\*\*\n \* `npm run bench -- ([a-z0-9-]+)([^`]*)`/.exec(readFileSync(`${dir}${file}`, 'utf8'));
  return usage && usage[1] !== 'run' ? [[usage[1]!, `npm run bench -- ${usage[1]}${usage[2]}`]] : [];
}));
const [name, ...rest] = process.argv.slice(2);
// The options after the name are the bench's own: only the name (and --help) are read here.
parseCommand({
  usage: 'npm run bench -- NAME [--json] [options]',
  description: 'Runs one benchmark, ours against its baseline in the same run, and prints its report; with --json the last\n'
    + 'line is one JSON object (bench, metric, unit, value, baseline, ratio; bound and of_bound where a bound applies).\n'
    + 'Benchmarks that need Kafka use KAFKA_BROKERS, or start the local broker and stop it afterwards.',
  positionals: benches,
  options: { json: { type: 'boolean', description: 'end with the result as one JSON line (each bench\'s own options: above)' } },
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT'],
}, [...(name && !name.startsWith('-') ? [name] : []), ...process.argv.slice(2).filter((a) => a === '--help' || a === '-h')]);
if (!name) throw new UsageError(`give a benchmark: ${Object.keys(benches).join(', ')}`);
const json = rest.includes('--json');
const mod = (await import(`./${name}.js`)) as BenchModule;
const result = await mod.run({ json, argv: rest.filter((a) => a !== '--json'), log: (line) => process.stdout.write(`${line}\n`) });
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
