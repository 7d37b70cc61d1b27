/**
 * `npm run faults [-- --reduced] [--seed N] [--only a,b] [--keep]`: the fault suite. Each fault (faults/cafe24/,
 * faults/ably/: each platform's list joins FAULTS here, and only here) runs against the real broker, the
 * platform's simulator, the embedded engine (and for Ably a real Chromium), breaks something on purpose and
 * reconciles ClickHouse against the simulator's truth. The machinery every fault shares is faults/harness/. It
 * prints one line per fault, `fault=<name> lost=N duplicated=N crashes=N rejoin_s=… next_commit_s=…
 * result=pass|fail` (with the why under a failing one), and last `N passed, N failed`; the exit code is 1 when
 * any failed.
 * Seeded: every random choice comes from --seed (default 2026), so a run repeats. --reduced (or CI=true) is the
 * short form for CI: fewer kills and fuzzed messages, a shorter 429 storm, a 6 s warehouse outage instead of 60 s,
 * one Chromium kill and a smaller block storm; the faults marked full-only (their mocha twins run in CI) are left
 * out unless --only names them.
 * The broker: KAFKA_BROKERS, or the local one (started if needed, stopped after); the broker-restart fault
 * restarts only a broker of its own (scripts/kafka/local.sh on its own port and directory), never a shared one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rngFor } from '../simulators/cafe24/seeded-random.js';
import { ensureLocalBroker } from '../scripts/kafka/local-broker.js';
import { ABLY_FAULTS } from './ably/index.js';
import { CAFE24_FAULTS } from './cafe24/index.js';
import { emptyReport, formatReport, judge, type Fault, type FaultReport } from './harness/fault.js';

/** Every platform's faults, in the order they run. */
const FAULTS: readonly Fault[] = [...CAFE24_FAULTS, ...ABLY_FAULTS];

const HELP = `npm run faults -- [options]

  --reduced        the short form (CI; also when CI=true)
  --seed N         seed of every random choice (default 2026)
  --only a,b       run only these faults
  --keep           keep every fault's work directory (engine data, child logs), not only failing ones
  --help           this text

faults:
${FAULTS.map((f) => `  ${f.name.padEnd(20)} ${f.description}${f.fullOnly ? ' (full form only)' : ''}`).join('\n')}
`;

function parseArgs(argv: string[]) {
  const value = (name: string) => {
    const at = argv.indexOf(name);
    if (at < 0) return undefined;
    const v = argv[at + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const known = new Set(['--reduced', '--seed', '--only', '--keep', '--help', '-h']);
  for (const arg of argv) if (arg.startsWith('-') && !known.has(arg)) throw new Error(`unknown option ${arg} (see --help)`);
  const seed = Number(value('--seed') ?? 2026);
  if (!Number.isInteger(seed)) throw new Error('--seed takes an integer');
  const only = value('--only')?.split(',');
  for (const name of only ?? []) if (!FAULTS.some((f) => f.name === name)) throw new Error(`no fault named ${name} (see --help)`);
  return { seed, only, reduced: argv.includes('--reduced') || process.env.CI === 'true', keep: argv.includes('--keep'), help: argv.includes('--help') || argv.includes('-h') };
}

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`faults: ${(error as Error).message}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const externalBroker = Boolean(process.env.KAFKA_BROKERS);
const broker = await ensureLocalBroker((line) => process.stderr.write(`faults: ${line}\n`));
const started = performance.now();
let passed = 0;
let failed = 0;
process.stderr.write(`faults: seed ${args.seed}, ${args.reduced ? 'reduced' : 'full'} run, broker ${broker.brokers}${externalBroker ? ' (external)' : ''}\n`);
try {
  const chosen = FAULTS.filter((f) => (args.only ? args.only.includes(f.name) : !(args.reduced && f.fullOnly)));
  for (const fault of chosen) {
    const workDir = mkdtempSync(join(tmpdir(), `faults-${fault.name}-`));
    const t0 = performance.now();
    let report: FaultReport;
    try {
      report = judge(await fault.run({
        seed: args.seed, rng: rngFor(args.seed, fault.name), reduced: args.reduced, brokers: broker.brokers.split(','),
        workDir, log: (line) => process.stderr.write(`  [${fault.name}] ${line}\n`),
      }));
    } catch (error) {
      report = judge({ ...emptyReport(), failures: [`the fault could not run to its end: ${(error as Error)?.stack ?? String(error)}`] });
    }
    report.details.duration_s = ((performance.now() - t0) / 1000).toFixed(0);
    const ok = report.failures.length === 0;
    if (ok) passed += 1;
    else failed += 1;
    if (!ok) report.details.logs = workDir;
    for (const line of formatReport(fault.name, report)) process.stdout.write(`${line}\n`);
    if (ok && !args.keep) rmSync(workDir, { recursive: true, force: true });
  }
} finally {
  broker.stop();
}
process.stderr.write(`faults: ${((performance.now() - started) / 1000).toFixed(0)} s in all\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
