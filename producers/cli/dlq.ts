/**
 * `sellerstream dlq list|show|replay`: the entries of `sync.dlq` (jobs that failed for good) and `sink.dlq`
 * (records the sink could not land). An entry's id is `TOPIC:PARTITION:OFFSET`.
 * Replay: a sync.dlq entry's request is published again on its tier's topic as a first attempt (same request
 * id, so it still coalesces); sink.dlq is re-sunk by the sink's replay (consumers/sink/replay.ts: idempotent,
 * resumable), over the whole topic or one tenant's entries.
 */
import { Command, Option } from 'commander';
import { DlqEntryContract, SINK_DLQ_TOPIC, SYNC_DLQ_TOPIC, type DlqEntry } from '../../lib/contracts/dlq.js';
import { priorityOf, syncTopic, SyncRequestContract, type SyncRequest } from '../../lib/contracts/sync-request.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import { readRange } from '../../lib/kafka/read-range.js';
import { publishSyncRequests } from '../sync-requests.js';
import { dateArg, dlqIdArg, positiveIntArg, tenantIdArg } from './args.js';
import type { WithContext } from './context.js';
import { NotFoundError, UsageError } from './errors.js';
import { printJson, printTable, say } from './output.js';

const DLQS = [SYNC_DLQ_TOPIC, SINK_DLQ_TOPIC] as const;

interface Listed {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  entry?: DlqEntry;
  /** Why the entry itself could not be read. */
  invalid?: string;
}

async function entriesOf(kafka: KafkaContext, topics: readonly string[], since?: Date): Promise<Listed[]> {
  const out: Listed[] = [];
  for (const topic of topics) {
    for (const m of await readRange(kafka, { topic, from: since ?? 'earliest' })) {
      const decoded = DlqEntryContract.decode(m.value);
      out.push({ id: `${topic}:${m.partition}:${m.offset}`, topic, partition: m.partition, offset: m.offset, ...(decoded.ok ? { entry: decoded.value } : { invalid: decoded.reason }) });
    }
  }
  return out;
}

async function entryAt(kafka: KafkaContext, id: string): Promise<Listed> {
  const { topic, partition, offset } = dlqIdArg(id);
  const [m] = (await readRange(kafka, { topic, from: new Map([[partition, offset]]), partitions: [partition] })).filter((x) => x.offset === offset);
  if (!m) throw new NotFoundError(`no DLQ entry ${id} (see \`sellerstream dlq list\`)`);
  const decoded = DlqEntryContract.decode(m.value);
  return { id, topic, partition, offset, ...(decoded.ok ? { entry: decoded.value } : { invalid: decoded.reason }) };
}

const topicOption = () => new Option('--topic <topic>', 'sync.dlq or sink.dlq (default: both)').choices(DLQS);

/** The original message of a sync.dlq entry, as the request to publish again. */
function requestOf(listed: Listed): SyncRequest {
  if (!listed.entry) throw new Error(`${listed.id} is not a readable DLQ entry: ${listed.invalid}`);
  if (listed.entry.truncated) throw new Error(`${listed.id} holds only a prefix of its original (${listed.entry.valueBytes} bytes); find it at ${listed.entry.source.topic}:${listed.entry.source.partition}:${listed.entry.source.offset}`);
  const decoded = SyncRequestContract.decode(Buffer.from(listed.entry.value, 'base64'));
  if (!decoded.ok) throw new Error(`${listed.id} does not hold a sync request (${decoded.reason}); it cannot be replayed`);
  const { notBefore: _n, ...request } = decoded.value;
  return { ...request, attempt: 1, requestedAt: new Date().toISOString() };
}

export function dlqCommand(withContext: WithContext): Command {
  const dlq = new Command('dlq').description('list, show and replay dead-letter entries (sync.dlq, sink.dlq)');

  dlq.command('list').description('list the entries, oldest first')
    .addOption(topicOption())
    .addOption(new Option('--tenant <tenant>', 'only this tenant\'s entries').argParser(tenantIdArg))
    .addOption(new Option('--since <date>', 'only entries written since (YYYY-MM-DD or ISO)').argParser(dateArg))
    .addOption(new Option('--limit <n>', 'at most this many (the newest)').argParser(positiveIntArg('the limit', 100_000)))
    .action(withContext(async (ctx, o: { topic?: string; tenant?: string; since?: Date; limit?: number }) => {
      let listed = (await entriesOf(await ctx.kafka(), o.topic ? [o.topic] : DLQS, o.since))
        .filter((l) => !o.tenant || (l.entry?.tenantId ?? l.entry?.source.key) === o.tenant);
      if (o.limit) listed = listed.slice(-o.limit);
      if (ctx.json) {
        printJson(listed.map((l) => ({ id: l.id, topic: l.topic, partition: l.partition, offset: l.offset, ...(l.entry ? {
          failedAt: l.entry.failedAt, tenantId: l.entry.tenantId ?? l.entry.source.key, errorClass: l.entry.errorClass, reason: l.entry.reason, source: l.entry.source,
        } : { invalid: l.invalid }) })));
        return;
      }
      printTable(listed.map((l) => ({
        id: l.id, 'failed at': l.entry?.failedAt.slice(0, 19), tenant: l.entry?.tenantId ?? l.entry?.source.key, class: l.entry?.errorClass ?? 'UNREADABLE',
        reason: (l.entry?.reason ?? l.invalid ?? '').replace(/\s+/g, ' ').slice(0, 90),
      })), ['id', 'failed at', 'tenant', 'class', 'reason'], '(no entries)');
    }));

  dlq.command('show').description('one entry in full, with its original message decoded')
    .argument('<id>', 'TOPIC:PARTITION:OFFSET, as `dlq list` prints it', (v: string) => (dlqIdArg(v), v))
    .action(withContext(async (ctx, id: string) => {
      const listed = await entryAt(await ctx.kafka(), id);
      const original = listed.entry ? Buffer.from(listed.entry.value, 'base64').toString('utf8') : undefined;
      let parsed: unknown = original;
      try {
        parsed = original === undefined ? undefined : JSON.parse(original);
      } catch { /* not JSON: shown as text */ }
      const shown = { id, ...(listed.entry ? { ...listed.entry, value: undefined, original: parsed } : { invalid: listed.invalid }) };
      if (ctx.json) printJson(shown);
      else say(JSON.stringify(shown, null, 2));
    }));

  dlq.command('replay').description('sync.dlq: publish the entries\' requests again; sink.dlq: re-sink the entries (idempotent)')
    .argument('[ids...]', 'sync.dlq entries to replay (TOPIC:PARTITION:OFFSET)')
    .addOption(topicOption())
    .option('--all', 'every entry of --topic (with --tenant: that tenant\'s)')
    .addOption(new Option('--tenant <tenant>', 'only this tenant\'s entries').argParser(tenantIdArg))
    .action(withContext(async (ctx, ids: string[], o: { topic?: string; all?: boolean; tenant?: string }) => {
      for (const id of ids) dlqIdArg(id);
      const kafka = await ctx.kafka();
      const sinkIds = ids.filter((id) => id.startsWith(`${SINK_DLQ_TOPIC}:`));
      if (o.topic === SINK_DLQ_TOPIC || sinkIds.length > 0) {
        if (ids.length > 0) throw new UsageError('sink.dlq is replayed as a whole (`dlq replay --topic sink.dlq --all [--tenant T]`): the sink replays ranges, not single entries');
        if (!o.all) throw new UsageError('give --all to re-sink sink.dlq');
        // The sink and every platform's mapper load only for this.
        const [{ replay }, { platformModels }] = await Promise.all([import('../../consumers/sink/replay.js'), import('../../consumers/platforms.js')]);
        const report = await replay({
          kafka, warehouse: await ctx.warehouse(), logger: ctx.logger, registry: platformModels(), buyerHashSalt: ctx.config.secrets.buyerHashSalt,
          plan: { topic: SINK_DLQ_TOPIC, fromDlq: true, timeoutMs: 600_000, ...(o.tenant ? { tenant: o.tenant } : {}) },
        });
        if (ctx.json) printJson(report);
        else say(`re-sank ${report.messages} sink.dlq entries: ${report.rows} rows landed, ${report.dlq} failed again (to sink.dlq)`);
        return;
      }
      if (ids.length === 0 && !(o.all && o.topic === SYNC_DLQ_TOPIC)) throw new UsageError('give entry ids, or --topic sync.dlq --all');
      const listed = ids.length > 0 ? await Promise.all(ids.map((id) => entryAt(kafka, id)))
        : (await entriesOf(kafka, [SYNC_DLQ_TOPIC])).filter((l) => !o.tenant || (l.entry?.tenantId ?? l.entry?.source.key) === o.tenant);
      const requests = listed.map((l) => ({ id: l.id, request: requestOf(l) }));
      await publishSyncRequests(await ctx.publisher(), requests.map((r) => r.request));
      const out = requests.map(({ id, request: r }) => ({ id, requestId: r.requestId, tenantId: r.tenantId, platform: r.platform, topic: syncTopic(r.platform, priorityOf(r.tier)) }));
      if (ctx.json) printJson(out);
      else for (const r of out) say(`${r.id}: request ${r.requestId} of ${r.tenantId}/${r.platform} published again on ${r.topic}`);
    }));
  return dlq;
}
