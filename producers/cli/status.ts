/**
 * `sellerstream status [TENANT]`: per tenant × platform × entity, the last successful run and the data's age
 * (ClickHouse `sync_runs` and `freshness`, as the sink wrote them), the link's credential health (the tenant
 * record, producers/scheduler/credential-health.ts), and the backlog of the sync topics (broker offsets against the
 * platform group's commits; for one tenant, also the backlog of its partition, which its next request waits
 * behind). Without a readable warehouse (the embedded engine is the running sink's alone) it reads the same facts
 * from sync.runs itself (the days the topic keeps), and says so.
 */
import { Command } from 'commander';
import { PLATFORMS, type Platform } from '../../lib/contracts/fields.js';
import { retryTopic, syncTopic } from '../../lib/contracts/sync-request.js';
import { SYNC_RUNS_TOPIC, SyncRunContract } from '../../lib/contracts/sync-run.js';
import type { Tenant } from '../../lib/contracts/tenant.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import { readRange } from '../../lib/kafka/read-range.js';
import { plausibleDataAsOf } from '../../lib/model/data-as-of.js';
import { groupIdOf } from '../../lib/sync/sync-consumer.js';
import { isWarehouseError } from '../../lib/warehouse/parse-error.js';
import { policyFromConfig } from '../scheduler/policy.js';
import { partitionOf } from './manual-sync.js';
import { tenantIdArg } from './args.js';
import type { CliContext, WithContext } from './context.js';
import { age, printJson, printTable, say } from './output.js';

interface Backlog {
  topic: string;
  group: string;
  /** Messages not yet consumed by the group, over all partitions. */
  lag: number;
  /** For one tenant: the lag of its partition. */
  tenantPartition?: { partition: number; lag: number };
}

async function backlogOf(kafka: KafkaContext, platform: Platform, tenantId?: string): Promise<Backlog[]> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    const group = kafka.topic(groupIdOf(platform));
    const topics = [syncTopic(platform, 'high'), syncTopic(platform, 'low'), retryTopic(platform)];
    const committed = await admin.fetchOffsets({ groupId: group, topics: topics.map((t) => kafka.topic(t)) });
    const out: Backlog[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(kafka.topic(topic));
      const commits = committed.find((c) => c.topic === kafka.topic(topic))?.partitions ?? [];
      const lagOf = (p: number) => {
        const end = ends.find((e) => e.partition === p)!;
        const at = BigInt(commits.find((c) => c.partition === p)?.offset ?? '-1');
        return Number(BigInt(end.high) - (at < 0n ? BigInt(end.low) : at));
      };
      const entry: Backlog = { topic, group: groupIdOf(platform), lag: ends.reduce((sum, e) => sum + lagOf(e.partition), 0) };
      if (tenantId) {
        const partition = await partitionOf(kafka, topic, tenantId);
        entry.tenantPartition = { partition, lag: lagOf(partition) };
      }
      out.push(entry);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

interface EntityRow {
  tenantId: string;
  platform: Platform;
  entity: string;
  health: string;
  healthAt?: string;
  lastSuccess?: string;
  lastStatus?: string;
  lastError?: string;
  dataAsOf?: string;
  dataAgeMs?: number;
}

/** ClickHouse's UNKNOWN_TABLE and UNKNOWN_DATABASE. */
const NOT_CREATED_YET = new Set([60, 81]);

interface WarehouseFacts {
  runs: Map<string, { lastSuccess?: string; lastStatus: string; lastError: string }>;
  freshness: Map<string, string>;
}

async function warehouseFacts(ctx: CliContext, tenantId?: string): Promise<WarehouseFacts> {
  const w = await ctx.warehouse();
  const where = tenantId ? 'WHERE tenant_id = {tenant:String}' : '';
  const params = tenantId ? { tenant: tenantId } : {};
  const runs = await w.query<{ tenant_id: string; platform: string; last_success: string | null; last_status: string; last_error: string }>(
    `SELECT tenant_id, platform, if(countIf(status = 'succeeded') = 0, NULL, toString(maxIf(started_at, status = 'succeeded'))) AS last_success,
            argMax(status, started_at) AS last_status, argMax(error_class, started_at) AS last_error
       FROM sync_runs FINAL ${where} GROUP BY tenant_id, platform`, params);
  const fresh = await w.query<{ tenant_id: string; platform: string; entity: string; as_of: string }>(
    `SELECT tenant_id, platform, entity, toString(toTimeZone(max(as_of), 'UTC')) AS as_of FROM freshness FINAL ${where} GROUP BY tenant_id, platform, entity`, params);
  const utc = (text: string) => `${text.replace(' ', 'T')}Z`;
  return {
    runs: new Map(runs.map((r) => [`${r.tenant_id}/${r.platform}`, { ...(r.last_success ? { lastSuccess: new Date(utc(r.last_success)).toISOString() } : {}), lastStatus: r.last_status, lastError: r.last_error }])),
    freshness: new Map(fresh.map((f) => [`${f.tenant_id}/${f.platform}/${f.entity}`, new Date(utc(f.as_of)).toISOString()])),
  };
}

/**
 * The facts of warehouseFacts read from sync.runs: what the sink makes sync_runs and freshness of, over the days
 * the topic keeps (one tenant: its partition only).
 */
async function runFacts(kafka: KafkaContext, tenantId?: string): Promise<WarehouseFacts> {
  const partitions = tenantId ? [await partitionOf(kafka, SYNC_RUNS_TOPIC, tenantId)] : undefined;
  const facts: WarehouseFacts = { runs: new Map(), freshness: new Map() };
  const latest = new Map<string, number>();
  for (const m of await readRange(kafka, { topic: SYNC_RUNS_TOPIC, from: 'earliest', partitions })) {
    const decoded = SyncRunContract.decode(m.value);
    if (!decoded.ok || (tenantId && decoded.value.tenantId !== tenantId)) continue;
    const run = decoded.value;
    const link = `${run.tenantId}/${run.platform}`;
    const startedMs = Date.parse(run.startedAt);
    const fact = facts.runs.get(link) ?? { lastStatus: run.status, lastError: run.errorClass ?? '' };
    if (!(startedMs < (latest.get(link) ?? -Infinity))) {
      latest.set(link, startedMs);
      fact.lastStatus = run.status;
      fact.lastError = run.errorClass ?? '';
    }
    if (run.status === 'succeeded' && !(startedMs <= Date.parse(fact.lastSuccess ?? ''))) fact.lastSuccess = new Date(startedMs).toISOString();
    facts.runs.set(link, fact);
    for (const [entity, asOfMs] of plausibleDataAsOf(run)) {
      const key = `${link}/${entity}`;
      if (!(asOfMs <= Date.parse(facts.freshness.get(key) ?? ''))) facts.freshness.set(key, new Date(asOfMs).toISOString());
    }
  }
  return facts;
}

function rowsOf(tenants: Tenant[], entities: Record<Platform, string[]>, facts: WarehouseFacts, now: number): EntityRow[] {
  const rows: EntityRow[] = [];
  for (const t of tenants) {
    for (const platform of PLATFORMS) {
      const link = t[platform];
      if (!link) continue;
      const run = facts.runs.get(`${t.tenantId}/${platform}`);
      for (const entity of entities[platform]) {
        const asOf = facts.freshness.get(`${t.tenantId}/${platform}/${entity}`);
        rows.push({
          tenantId: t.tenantId, platform, entity, health: link.health ?? 'ok', ...(link.healthAt ? { healthAt: link.healthAt } : {}),
          ...(run?.lastSuccess ? { lastSuccess: run.lastSuccess } : {}), ...(run ? { lastStatus: run.lastStatus } : {}), ...(run?.lastError ? { lastError: run.lastError } : {}),
          ...(asOf ? { dataAsOf: asOf, dataAgeMs: now - Date.parse(asOf) } : {}),
        });
      }
    }
  }
  return rows;
}

export function statusCommand(withContext: WithContext): Command {
  return new Command('status').description('per tenant × platform × entity: last success, data age, credential health; and the sync topics\' backlog')
    .argument('[tenant]', 'only this tenant', tenantIdArg)
    .action(withContext(async (ctx, id: string | undefined) => {
      const tenants = id ? [await ctx.tenant(id)] : [...(await (await ctx.tenants()).all()).values()].sort((a, b) => a.tenantId.localeCompare(b.tenantId));
      const policy = policyFromConfig(ctx.config);
      const entities = { ably: policy.entities.ably.map((e) => e.name), cafe24: policy.entities.cafe24.map((e) => e.name) };
      let facts: WarehouseFacts;
      let warehouse: { available: boolean; reason?: string } = { available: true };
      const kafka = await ctx.kafka();
      try {
        facts = await warehouseFacts(ctx, id);
      } catch (error) {
        // No database or table yet: no sink has written, so nothing has been synced; that is data, not a failure.
        if (isWarehouseError(error) && NOT_CREATED_YET.has(error.clickhouseCode)) facts = { runs: new Map(), freshness: new Map() };
        else {
          warehouse = { available: false, reason: (error as Error).message.split('\n')[0] };
          facts = await runFacts(kafka, id);
        }
      }
      const platforms = PLATFORMS.filter((p) => !id || tenants[0]![p]);
      const backlog = (await Promise.all(platforms.map((p) => backlogOf(kafka, p, id)))).flat();
      const rows = rowsOf(tenants, entities, facts, Date.now());
      if (ctx.json) {
        printJson({ tenants: rows, backlog, warehouse, factsFrom: warehouse.available ? 'warehouse' : SYNC_RUNS_TOPIC });
        return;
      }
      printTable(rows.map((r) => ({
        tenant: r.tenantId, platform: r.platform, entity: r.entity, health: r.health, 'last success': r.lastSuccess?.slice(0, 19),
        'data age': r.dataAgeMs === undefined ? undefined : age(r.dataAgeMs), 'last run': r.lastStatus ? `${r.lastStatus}${r.lastError ? ` ${r.lastError}` : ''}` : undefined,
      })), ['tenant', 'platform', 'entity', 'health', 'last success', 'data age', 'last run'], '(no linked tenants)');
      say('');
      printTable(backlog.map((b) => ({ topic: b.topic, group: b.group, backlog: b.lag, ...(b.tenantPartition ? { 'tenant partition': `${b.tenantPartition.partition}: ${b.tenantPartition.lag}` } : {}) })),
        ['topic', 'group', 'backlog', ...(id ? ['tenant partition'] : [])]);
      if (!warehouse.available) process.stderr.write(`sellerstream: last success and data age are from ${SYNC_RUNS_TOPIC} (the warehouse is not readable: ${warehouse.reason})\n`);
    }));
}
