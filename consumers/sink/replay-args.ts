/**
 * The replay command line (REPLAY_COMMAND, which `--help` prints), parsed into a plan; pure, so every flag
 * combination is unit-tested.
 */
import { parseOptions, UsageError } from '../../lib/cli/command.js';
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

export class ReplayUsageError extends UsageError {}

const REPLAYABLE = [RAW_RESULTS_TOPIC, SYNC_RUNS_TOPIC];

export const REPLAY_COMMAND = {
  usage: 'npm run replay -- --from-dlq | --topic raw.results|sync.runs [--since ISO] [--until ISO] [--tenant ID] …',
  description: 'Re-sinks messages, idempotently: entries of sink.dlq (each unwrapped to the message that failed, after a\n'
    + 'mapper fix) or a range of raw.results / sync.runs (to rebuild tables). A replay killed half-way resumes when run\n'
    + 'again; a finished one, run again, does nothing. Prints its report as one JSON line. docs/replay.md has more.',
  options: {
    'from-dlq': { type: 'boolean', description: 're-sink entries of sink.dlq' },
    topic: { type: 'string', value: 'T', description: 're-sink a source topic: raw.results or sync.runs' },
    since: { type: 'string', value: 'ISO', description: 'from this message time (Kafka timestamps), inclusive' },
    until: { type: 'string', value: 'ISO', description: 'up to this message time, exclusive' },
    partition: { type: 'string', value: 'N', description: 'one partition (with --from-offset and --to-offset)' },
    'from-offset': { type: 'string', value: 'A', description: 'first offset, inclusive' },
    'to-offset': { type: 'string', value: 'B', description: 'last offset, inclusive' },
    tenant: { type: 'string', value: 'ID', description: 'only this tenant\'s messages (others are skipped)' },
    'run-id': { type: 'string', value: 'ID', description: 'names the run (group and token namespace); default: the mapper versions' },
    'timeout-ms': { type: 'string', value: 'N', description: 'give up after N ms (default 600000)' },
  },
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'CLICKHOUSE_URL', 'CLICKHOUSE_DATABASE', 'CHDB_DATA_DIR', 'BUYER_HASH_SALT', 'LOG_LEVEL'],
} as const;

export function parseReplayArgs(argv: readonly string[]): ReplayPlan {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseOptions(REPLAY_COMMAND, argv).values;
  } catch (error) {
    throw new ReplayUsageError((error as Error).message);
  }
  const flags = new Map(Object.entries(values).filter((e): e is [string, string | true] => e[1] !== undefined && e[1] !== false));
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
