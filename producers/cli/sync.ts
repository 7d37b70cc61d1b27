/**
 * `sellerstream sync` (the current slot's work, now; coalesced with the scheduler's request for the same work)
 * and `sellerstream backfill` (a range, cut into steps by the consumer, followed on `sync.runs` with a progress
 * bar until its last step ends). The rules are in producers/cli/manual-sync.ts.
 */
import { Command, Option } from 'commander';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { PLATFORMS, type Platform } from '../../lib/contracts/fields.js';
import { inChainOf, type SyncRequest } from '../../lib/contracts/sync-request.js';
import { SYNC_RUNS_TOPIC, SyncRunContract, type SyncRun } from '../../lib/contracts/sync-run.js';
import { PARKED_HEALTH, type Tenant } from '../../lib/contracts/tenant.js';
import { followTopic, rangeOffsets } from '../../lib/kafka/read-range.js';
import { policyFromConfig, type SchedulerPolicy } from '../scheduler/policy.js';
import { backfillRequest, findRequest, manualSyncRequest } from './manual-sync.js';
import { publishSyncRequests } from '../sync-requests.js';
import { dateArg, entitiesArg, platformArg, positiveIntArg, tenantIdArg } from './args.js';
import type { CliContext, WithContext } from './context.js';
import { UsageError } from './errors.js';
import { printJson, say } from './output.js';

/** The platforms a command acts on: the one asked for (which must be linked), or every linked one. */
function platformsOf(tenant: Tenant, asked: Platform | undefined): Platform[] {
  if (asked) {
    if (!tenant[asked]) throw new Error(`tenant ${tenant.tenantId} has no ${asked} link (add it with \`sellerstream tenants update ${tenant.tenantId} --${asked === 'cafe24' ? 'cafe24-mall' : 'ably-seller'} …\`)`);
    return [asked];
  }
  const linked = PLATFORMS.filter((p) => tenant[p]);
  if (linked.length === 0) throw new Error(`tenant ${tenant.tenantId} has no platform linked`);
  return linked;
}

function refuseParked(tenant: Tenant, platform: Platform): void {
  const health = tenant[platform]?.health;
  if (tenant.status !== 'active') throw new Error(`tenant ${tenant.tenantId} is paused: \`sellerstream tenants resume ${tenant.tenantId}\` first`);
  if (health && PARKED_HEALTH.has(health)) {
    throw new Error(`${tenant.tenantId}'s ${platform} link is ${health}: store new credentials first (\`sellerstream ${platform === 'cafe24' ? 'cafe24 connect' : 'ably set-credentials'}\`)`);
  }
}

function policyOf(ctx: CliContext): SchedulerPolicy {
  return policyFromConfig(ctx.config);
}

function checkEntities(policy: SchedulerPolicy, platform: Platform, entities: string[] | undefined): void {
  const known = policy.entities[platform].map((e) => e.name);
  const unknown = entities?.filter((e) => !known.includes(e)) ?? [];
  if (unknown.length > 0) throw new UsageError(`${platform} has no entity ${unknown.join(', ')}; it has ${known.join(', ')}`);
}

export function syncCommand(withContext: WithContext): Command {
  return new Command('sync').description('sync a tenant now: the work of its current slot, coalesced with the scheduled request for the same work')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .addOption(new Option('--platform <platform>', 'only this platform (default: every linked one)').argParser(platformArg))
    .addOption(new Option('--entities <list>', 'only these entities, comma-separated (default: the slot\'s)').argParser(entitiesArg))
    .action(withContext(async (ctx, id: string, o: { platform?: Platform; entities?: string[] }) => {
      const tenant = await ctx.tenant(id);
      const policy = policyOf(ctx);
      const platforms = platformsOf(tenant, o.platform);
      const kafka = await ctx.kafka();
      const results = [];
      for (const platform of platforms) {
        checkEntities(policy, platform, o.entities);
        refuseParked(tenant, platform);
        const { request, topic, slotStart } = manualSyncRequest(tenant, platform, policy, Date.now(), o.entities);
        const existing = await findRequest(kafka, topic, id, request.requestId, slotStart);
        if (!existing) await publishSyncRequests(await ctx.publisher(), [request]);
        results.push({
          tenantId: id, platform, requestId: request.requestId, topic, slotStart: new Date(slotStart).toISOString(),
          entities: request.entities ?? policy.entities[platform].map((e) => e.name), coalesced: existing !== undefined, ...(existing ? { with: existing.reason } : {}),
        });
      }
      if (ctx.json) printJson(results);
      else for (const r of results) say(r.coalesced ? `${id}/${r.platform}: already requested in this slot (${r.with} request ${r.requestId}); nothing published` : `${id}/${r.platform}: requested ${r.requestId} on ${r.topic} (${r.entities.join(', ')})`);
    }));
}

interface Progress {
  request: SyncRequest;
  entities: string[];
  done: Set<string>;
  steps: number;
  records: number;
  status: SyncRun['status'] | 'queued';
  error?: string;
  bar?: SingleBar;
}

const FINAL = new Set(['succeeded', 'dead', 'needs_reauth']);

export function backfillCommand(withContext: WithContext): Command {
  return new Command('backfill').description('sync a tenant\'s history from a date, in steps, with a progress bar until done')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .addOption(new Option('--since <date>', 'from this date (YYYY-MM-DD, KST) or ISO date-time').makeOptionMandatory().argParser(dateArg))
    .addOption(new Option('--until <date>', 'up to this date (default: now)').argParser(dateArg))
    .addOption(new Option('--platform <platform>', 'only this platform (default: every linked one)').argParser(platformArg))
    .addOption(new Option('--entities <list>', 'only these entities, comma-separated').argParser(entitiesArg))
    .addOption(new Option('--timeout <seconds>', 'stop following after this long (the backfill goes on)').default(3600, '3600').argParser(positiveIntArg('the timeout in seconds', 7 * 24 * 3600)))
    .option('--no-wait', 'publish the request and return')
    .action(withContext(async (ctx, id: string, o: { since: Date; until?: Date; platform?: Platform; entities?: string[]; timeout: number; wait: boolean }) => {
      const now = new Date();
      if (o.since >= (o.until ?? now)) throw new UsageError(`--since must be before ${o.until ? '--until' : 'now'}`);
      if (o.until && o.until > now) throw new UsageError('--until must not be in the future');
      const tenant = await ctx.tenant(id);
      const policy = policyOf(ctx);
      const progress: Progress[] = platformsOf(tenant, o.platform).map((platform) => {
        checkEntities(policy, platform, o.entities);
        refuseParked(tenant, platform);
        const { request } = backfillRequest(tenant, platform, o.since, now, o.until, o.entities);
        return { request, entities: o.entities ?? policy.entities[platform].map((e) => e.name), done: new Set(), steps: 0, records: 0, status: 'queued' };
      });
      const kafka = await ctx.kafka();
      // Follow sync.runs from its end as of now, before publishing, so no run of the backfill can be missed.
      const admin = kafka.kafka.admin();
      await admin.connect();
      const starts = await rangeOffsets(admin, kafka.topic(SYNC_RUNS_TOPIC), 'latest').finally(() => admin.disconnect());
      // cli-progress draws on a terminal only: elsewhere it never starts its bars and prints them once, empty, at
      // stop. Off a terminal each run event is a line instead.
      const lines = !ctx.json && o.wait && !process.stderr.isTTY;
      const bars = ctx.json || !o.wait || lines ? undefined : new MultiBar({
        format: ' {name} [{bar}] {value}/{total} entities | {steps} steps | {records} records | {status}', hideCursor: true, clearOnComplete: false,
      }, Presets.shades_classic);
      for (const p of progress) p.bar = bars?.create(p.entities.length, 0, { name: `${id}/${p.request.platform}`, steps: 0, records: 0, status: 'queued' });
      let settle: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => { settle = resolve; });
      const follower = o.wait ? await followTopic(kafka, SYNC_RUNS_TOPIC, new Map([...starts].map(([p, r]) => [p, r.from])), (m) => {
        if (m.key !== id) return;
        const decoded = SyncRunContract.decode(m.value);
        if (!decoded.ok) return;
        const run = decoded.value;
        const p = progress.find((x) => inChainOf(run.requestId, x.request.requestId));
        if (!p || FINAL.has(p.status)) return;
        p.status = run.status;
        if (run.status === 'succeeded' || run.status === 'continued') p.steps += 1;
        p.records += Object.entries(run.counts).filter(([k]) => !k.endsWith('_oversize')).reduce((sum, [, n]) => sum + n, 0);
        for (const entity of Object.keys(run.dataAsOf ?? {})) if (p.entities.includes(entity)) p.done.add(entity);
        if (run.status === 'succeeded') for (const e of p.entities) p.done.add(e);
        if (run.errorClass) p.error = `${run.errorClass}: ${run.errorMessage ?? ''}`.slice(0, 200);
        p.bar?.update(p.done.size, { steps: p.steps, records: p.records, status: run.status === 'retrying' ? `retrying after attempt ${run.attempt}` : run.status });
        if (ctx.json) process.stdout.write(`${JSON.stringify({ event: 'run', platform: run.platform, requestId: run.requestId, status: run.status, attempt: run.attempt, counts: run.counts })}\n`);
        else if (lines) say(`${id}/${run.platform}: ${run.status}${run.status === 'retrying' ? ` after attempt ${run.attempt}` : ''}: ${p.done.size}/${p.entities.length} entities, ${p.steps} step(s), ${p.records} records`);
        if (progress.every((x) => FINAL.has(x.status))) settle();
      }) : undefined;
      try {
        await publishSyncRequests(await ctx.publisher(), progress.map((p) => p.request));
        if (!o.wait) {
          if (ctx.json) printJson(progress.map((p) => ({ tenantId: id, platform: p.request.platform, requestId: p.request.requestId, since: p.request.since, until: p.request.until })));
          else for (const p of progress) say(`${id}/${p.request.platform}: backfill ${p.request.requestId} requested from ${p.request.since}`);
          return;
        }
        const timedOut = await Promise.race([finished.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), o.timeout * 1000).unref())]);
        bars?.stop();
        const summary = progress.map((p) => ({ tenantId: id, platform: p.request.platform, requestId: p.request.requestId, status: p.status, steps: p.steps, records: p.records, ...(p.error ? { error: p.error } : {}) }));
        if (ctx.json) process.stdout.write(`${JSON.stringify({ event: 'done', backfills: summary })}\n`);
        else for (const s of summary) say(`${id}/${s.platform}: backfill ${s.requestId} ${s.status} after ${s.steps} step(s), ${s.records} records${s.error ? ` (${s.error})` : ''}`);
        if (timedOut) throw new Error(`the backfill is still running after ${o.timeout} s; follow it with \`sellerstream status ${id}\``);
        const failed = summary.filter((s) => s.status !== 'succeeded');
        if (failed.length > 0) throw new Error(`the backfill of ${failed.map((f) => f.platform).join(', ')} ended ${failed.map((f) => f.status).join(', ')}`);
      } finally {
        bars?.stop();
        await follower?.stop();
      }
    }));
}
