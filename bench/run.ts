/**
 * `npm run bench -- <name> [--json] [options]`: runs the benchmark in bench/<name>.ts. Each module exports
 * `run(args)` returning a BenchResult; its human-readable report goes to stdout as it runs, and with --json the
 * last line printed is the result as one JSON object (DESIGN "Benchmarks"). Benchmarks are not timed tests: they
 * measure ours against the baseline, both in the same run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

const [name, ...rest] = process.argv.slice(2);
if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || name === 'run' || !existsSync(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)))) {
  process.stderr.write(`usage: npm run bench -- <name> [--json]   (name: a bench/<name>.ts module; got ${JSON.stringify(name ?? '')})\n`);
  process.exit(2);
}
const json = rest.includes('--json');
const mod = (await import(`./${name}.js`)) as BenchModule;
const result = await mod.run({ json, argv: rest.filter((a) => a !== '--json'), log: (line) => process.stdout.write(`${line}\n`) });
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
