/**
 * Re-sinks messages, idempotently: a range of raw.results / sync.runs (after a mapper fix, or to rebuild tables),
 * or entries of sink.dlq (each unwrapped to the message or record that failed). Usage: replay-args.ts, and
 * docs/replay.md for the same with kcat.
 *
 * A replay is the sink itself (sink.ts) run over a bounded range:
 *   - its own consumer group, named after the plan (`sink-replay.<hash>`), starting at the range's first offsets
 *     and ending at its end offsets, so a replay killed half-way resumes where it stopped when run again, with
 *     the same intents and tokens, and a completed one, run again, finds nothing left to do;
 *   - its own token namespace `replay:<run>` (run = --run-id, or the mapper versions, e.g. cafe24@2): the sink's
 *     earlier inserts of the same ranges carried other tokens, so ClickHouse does not drop the re-mapped rows;
 *   - rows keep the ORIGINAL Kafka position (a DLQ entry records it), so versions equal the first landing's and a
 *     ReplacingMergeTree keeps one row per natural key: FINAL counts do not change by replaying.
 * What fails again goes to sink.dlq again, with the new reason.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Admin } from 'kafkajs';
import { DlqEntryContract } from '../../lib/contracts/dlq.js';
import { HEADER } from '../../lib/kafka/headers.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import type { Logger } from '../../lib/logger.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { waitFor } from '../../lib/wait-for.js';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import type { SourceMessage } from './dlq.js';
import type { ModelRegistry } from '../../lib/model/registry.js';
import type { SinkTuning } from './options.js';
import { createSink } from './sink.js';
import { createTranslator, type Translator } from './translate.js';
import type { ReplayPlan } from './replay-args.js';

export interface ReplayOptions extends Partial<SinkTuning> {
  kafka: KafkaContext;
  warehouse: Warehouse;
  logger: Logger;
  registry: ModelRegistry;
  buyerHashSalt: string;
  plan: ReplayPlan;
}

export interface ReplayReport {
  groupId: string;
  tokenNamespace: string;
  /** Per partition, the offsets replayed: [from, end). */
  ranges: { partition: number; from: string; end: string }[];
  messages: number;
  rows: number;
  dlq: number;
}

export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const { kafka, plan, logger } = options;
  const run = plan.runId ?? options.registry.fingerprint;
  const tokenNamespace = `replay:${run}`;
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    const ranges = await rangesOf(admin, kafka.topic(plan.topic), plan);
    const planId = createHash('sha256').update(JSON.stringify({ topic: plan.topic, ranges, tenant: plan.tenant, run })).digest('hex').slice(0, 16);
    const groupId = `sink-replay.${planId}`;
    const report: ReplayReport = { groupId, tokenNamespace, ranges, messages: 0, rows: 0, dlq: 0 };
    if (ranges.every((r) => r.from === r.end)) return report;
    await startGroupAt(admin, kafka.topic(groupId), kafka.topic(plan.topic), ranges);

    const base = createTranslator({ registry: options.registry, hashBuyer: createBuyerHasher(options.buyerHashSalt), maxRecordBytes: options.maxRecordBytes ?? 1024 * 1024 });
    const sink = createSink({
      ...options,
      groupId,
      topics: [plan.topic],
      tokenNamespace,
      translator: plan.fromDlq ? unwrapDlq(base, logger) : base,
      ...(plan.tenant ? { include: (message: SourceMessage) => tenantOf(message, plan.fromDlq) === plan.tenant } : {}),
      endOffsets: new Map([[plan.topic, new Map(ranges.map((r) => [r.partition, r.end]))]]),
    });
    await sink.start();
    try {
      await waitFor(() => sink.caughtUp(), { deadlineMs: plan.timeoutMs, intervalMs: 100, description: `the replay of ${plan.topic} to reach its end offsets` });
    } finally {
      await sink.stop();
    }
    return { ...report, messages: sink.stats.messages, rows: sink.stats.rows, dlq: sink.stats.dlq };
  } finally {
    await admin.disconnect();
  }
}

/** [from, end) per partition of the plan: by offsets, by time, or the whole retained topic. */
async function rangesOf(admin: Admin, topic: string, plan: ReplayPlan): Promise<ReplayReport['ranges']> {
  const watermarks = await admin.fetchTopicOffsets(topic);
  const byTime = async (at: Date | undefined, fallback: 'low' | 'high') => {
    if (!at) return new Map(watermarks.map((w) => [w.partition, w[fallback]]));
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, at.getTime());
    // No message at or after `at`: the partition's end.
    return new Map(found.map((f) => [f.partition, BigInt(f.offset) < 0n ? watermarks.find((w) => w.partition === f.partition)!.high : f.offset]));
  };
  const starts = await byTime(plan.since, 'low');
  const ends = await byTime(plan.until, 'high');
  return watermarks
    .map((w) => {
      const clamp = (offset: string) => (BigInt(offset) < BigInt(w.low) ? w.low : BigInt(offset) > BigInt(w.high) ? w.high : offset);
      if (plan.offsets) {
        if (plan.offsets.partition !== w.partition) return { partition: w.partition, from: w.high, end: w.high };
        return { partition: w.partition, from: clamp(plan.offsets.from), end: clamp((BigInt(plan.offsets.to) + 1n).toString()) };
      }
      const from = clamp(starts.get(w.partition) ?? w.low);
      const end = clamp(ends.get(w.partition) ?? w.high);
      return { partition: w.partition, from, end: BigInt(end) < BigInt(from) ? from : end };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** A fresh replay group starts at the range's first offsets; a group that ran before resumes from its own commits. */
async function startGroupAt(admin: Admin, groupId: string, topic: string, ranges: ReplayReport['ranges']): Promise<void> {
  const [existing] = await admin.fetchOffsets({ groupId, topics: [topic] });
  if (existing?.partitions.some((p) => BigInt(p.offset) >= 0n)) return;
  await admin.setOffsets({ groupId, topic, partitions: ranges.map((r) => ({ partition: r.partition, offset: r.from })) });
}

/** sink.dlq entries → their original message (or single-record RawResult), at its original position. */
function unwrapDlq(inner: Translator, logger: Logger): Translator {
  return (message, out, dlq) => {
    const entry = DlqEntryContract.decode(message.value);
    if (!entry.ok) {
      logger.error({ partition: message.partition, offset: message.offset, reason: entry.reason }, 'an unreadable sink.dlq entry was skipped');
      return;
    }
    const { source, value, headers } = entry.value;
    inner({
      topic: source.topic,
      partition: source.partition,
      offset: source.offset,
      key: source.key,
      value: Buffer.from(value, 'base64'),
      headers: headers ?? {},
    }, out, dlq);
  };
}

function tenantOf(message: SourceMessage, fromDlq: boolean): string | undefined {
  if (fromDlq) {
    const entry = DlqEntryContract.decode(message.value);
    return entry.ok ? entry.value.tenantId ?? entry.value.source.key : undefined;
  }
  const header = message.headers?.[HEADER.TENANT_ID];
  return message.key ?? (header === undefined ? undefined : String(Array.isArray(header) ? header[0] : header));
}

/** `tsx consumers/sink/replay.ts …`: the command line (replay-args.ts), on the configured Kafka and warehouse. */
async function main(argv: string[]): Promise<void> {
  const { parseCommand } = await import('../../lib/cli/command.js');
  const { parseReplayArgs, REPLAY_COMMAND } = await import('./replay-args.js');
  parseCommand(REPLAY_COMMAND, argv);
  const plan = parseReplayArgs(argv);
  const { loadConfig } = await import('../../lib/config.js');
  const { waitForBroker } = await import('../../lib/kafka/broker-check.js');
  const { createKafka } = await import('../../lib/kafka/client.js');
  const { createLogger } = await import('../../lib/logger.js');
  const { openWarehouse } = await import('../../lib/warehouse/open-warehouse.js');
  const { migrate } = await import('../../lib/warehouse/migrate.js');
  const { platformModels } = await import('../platforms.js');
  const config = loadConfig();
  await waitForBroker(config.kafka.brokers);
  const logger = createLogger({ level: config.log.level, name: 'sink-replay', destination: process.stderr });
  const warehouse = await openWarehouse(config.warehouse);
  try {
    await migrate(warehouse);
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-replay`, topicPrefix: config.kafka.topicPrefix, logger });
    const report = await replay({ kafka, warehouse, logger, registry: platformModels(), buyerHashSalt: config.secrets.buyerHashSalt, plan });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await warehouse.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(() => process.exit(0), async (error) => {
    const { commandFailed } = await import('../../lib/cli/command.js');
    const { REPLAY_COMMAND } = await import('./replay-args.js');
    commandFailed(REPLAY_COMMAND, error);
  });
}
