/**
 * The replay command line, parsed into a plan; pure, so every flag combination is unit-tested.
 *
 *   --from-dlq                         re-sink entries of sink.dlq (each unwrapped to its original message)
 *   --topic raw.results|sync.runs      re-sink a source topic
 *   --since ISO  --until ISO           by message time (Kafka timestamps), half-open [since, until)
 *   --partition N --from-offset A --to-offset B
 *                                      one partition, offsets A..B inclusive
 *   --tenant ID                        only messages of this tenant (others are skipped, not re-sunk)
 *   --run-id ID                        names the run (its consumer group and token namespace); without it the run is
 *                                      named by the mapper versions, so repeating a replay is a no-op
 *   --timeout-ms N                     give up after N ms (default 600000)
 */
import { RAW_RESULTS_TOPIC } from '../../lib/contracts/raw-result.js';
import { SINK_DLQ_TOPIC } from '../../lib/contracts/dlq.js';
import { SYNC_RUNS_TOPIC } from '../../lib/contracts/sync-run.js';

export interface ReplayPlan {
  /** Base topic read: sink.dlq, raw.results or sync.runs. */
  topic: string;
  fromDlq: boolean;
  since?: Date;
  until?: Date;
  offsets?: { partition: number; from: string; to: string };
  tenant?: string;
  runId?: string;
  timeoutMs: number;
}

export class ReplayUsageError extends Error {}

const REPLAYABLE = [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC];

const OPTIONS = ['from-dlq', 'topic', 'since', 'until', 'partition', 'from-offset', 'to-offset', 'tenant', 'run-id', 'timeout-ms'];

export function parseReplayArgs(argv: readonly string[]): ReplayPlan {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ReplayUsageError(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!OPTIONS.includes(name)) throw new ReplayUsageError(`unknown option --${name}`);
    if (name === 'from-dlq') flags.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ReplayUsageError(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  const fromDlq = flags.get('from-dlq') === true;
  const topic = flags.get('topic') as string | undefined;
  if (fromDlq === (topic !== undefined)) throw new ReplayUsageError('give exactly one of --from-dlq or --topic <raw.results|sync.runs>');
  if (topic !== undefined && !REPLAYABLE.includes(topic)) throw new ReplayUsageError(`--topic must be one of ${REPLAYABLE.join(', ')}`);

  const plan: ReplayPlan = { topic: fromDlq ? SINK_DLQ_TOPIC : topic!, fromDlq, timeoutMs: 600_000 };
  const since = date(flags.get('since'), 'since');
  const until = date(flags.get('until'), 'until');
  if (since) plan.since = since;
  if (until) plan.until = until;
  if (since && until && since >= until) throw new ReplayUsageError('--since must be before --until');

  const partition = flags.get('partition');
  const from = flags.get('from-offset');
  const to = flags.get('to-offset');
  if (partition !== undefined || from !== undefined || to !== undefined) {
    if (typeof partition !== 'string' || typeof from !== 'string' || typeof to !== 'string') {
      throw new ReplayUsageError('--partition, --from-offset and --to-offset go together');
    }
    if (since || until) throw new ReplayUsageError('use either offsets or --since/--until, not both');
    if (![partition, from, to].every((v) => /^\d+$/.test(v))) throw new ReplayUsageError('partition and offsets are non-negative integers');
    if (BigInt(from) > BigInt(to)) throw new ReplayUsageError('--from-offset must not be after --to-offset');
    plan.offsets = { partition: Number(partition), from, to };
  }
  const tenant = flags.get('tenant');
  if (typeof tenant === 'string') {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(tenant)) throw new ReplayUsageError('--tenant is not a tenant id');
    plan.tenant = tenant;
  }
  const runId = flags.get('run-id');
  if (typeof runId === 'string') {
    if (!/^[A-Za-z0-9._-]{1,40}$/.test(runId)) throw new ReplayUsageError('--run-id: 1-40 of [A-Za-z0-9._-]');
    plan.runId = runId;
  }
  const timeout = flags.get('timeout-ms');
  if (typeof timeout === 'string') {
    if (!/^\d+$/.test(timeout) || Number(timeout) <= 0) throw new ReplayUsageError('--timeout-ms is a positive integer');
    plan.timeoutMs = Number(timeout);
  }
  return plan;
}

function date(value: string | true | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(parsed.getTime())) throw new ReplayUsageError(`--${name} is not a date-time (ISO-8601, e.g. 2026-11-30T09:00:00+09:00)`);
  return parsed;
}
