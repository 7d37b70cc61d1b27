/** `sellerstream tenants add|update|pause|resume|remove|list`: the tenant records on the compacted `tenants` topic. */
import { Command, Option } from 'commander';
import { PLATFORMS, type Platform } from '../../lib/contracts/fields.js';
import type { Tenant } from '../../lib/contracts/tenant.js';
import { putTenant, removeTenant } from '../tenant-admin.js';
import { ablySellerArg, businessTypeArg, intervalArg, mallIdArg, platformArg, shopNoArg, tenantIdArg, tierArg } from './args.js';
import type { CliContext, WithContext } from './context.js';
import { UsageError } from './errors.js';
import { printJson, printTable, say } from './output.js';

type Fields = Omit<Tenant, 'v' | 'updatedAt'>;

interface LinkOptions {
  cafe24Mall?: string;
  cafe24Shop?: number;
  ablySeller?: string;
  businessType?: string | false;
  interval?: number | false;
}

/** The links and settings the options give, over `base`. */
function applyOptions(base: Fields, o: LinkOptions & { tier?: Tenant['tier']; unlink?: Platform[] }): Fields {
  const next: Fields = { ...base };
  if (o.tier) next.tier = o.tier;
  if (o.cafe24Mall !== undefined || o.cafe24Shop !== undefined) {
    const mallId = o.cafe24Mall ?? base.cafe24?.mallId;
    if (!mallId) throw new UsageError('--cafe24-shop needs a Cafe24 link: give --cafe24-mall too');
    // A new mall is a new link: its health starts afresh.
    const same = base.cafe24?.mallId === mallId ? base.cafe24 : undefined;
    next.cafe24 = { ...same, mallId, ...(o.cafe24Shop !== undefined ? { shopNo: o.cafe24Shop } : {}) };
  }
  if (o.ablySeller !== undefined) next.ably = { ...(base.ably?.sellerId === o.ablySeller ? base.ably : {}), sellerId: o.ablySeller };
  if (o.businessType === false) delete next.businessType;
  else if (o.businessType !== undefined) next.businessType = o.businessType;
  if (o.interval === false) delete next.syncIntervalMinutes;
  else if (o.interval !== undefined) next.syncIntervalMinutes = o.interval;
  for (const p of o.unlink ?? []) delete next[p];
  return next;
}

const linksOf = (t: Tenant) => PLATFORMS.filter((p) => t[p]).map((p) => `${p}:${p === 'cafe24' ? t.cafe24!.mallId : t.ably!.sellerId}(${t[p]!.health ?? 'ok'})`).join(' ');

function show(ctx: CliContext, t: Tenant, verb: string): void {
  if (ctx.json) printJson(t);
  else say(`${verb} ${t.tenantId}: ${t.tier}, ${t.status}${t.businessType ? `, ${t.businessType}` : ''}${linksOf(t) ? `, ${linksOf(t)}` : ', no platform linked'}`);
}

function linkOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--cafe24-mall <mallId>', 'link the Cafe24 mall (then `sellerstream cafe24 connect`)').argParser(mallIdArg))
    .addOption(new Option('--cafe24-shop <n>', 'the Cafe24 multi-shop number to sync (default: all the mall has)').argParser(shopNoArg))
    .addOption(new Option('--ably-seller <id>', 'link the Ably seller account (then `sellerstream ably set-credentials`)').argParser(ablySellerArg))
    .addOption(new Option('--business-type <type>', 'names the collection windows (SCHEDULER_WINDOWS) of the tenant').argParser(businessTypeArg))
    .addOption(new Option('--interval <minutes>', 'own sync interval, instead of the tier\'s').argParser(intervalArg));
}

export function tenantsCommand(withContext: WithContext): Command {
  const tenants = new Command('tenants').description('add, change and list tenants (sellers) and their platform links');

  linkOptions(tenants.command('add').description('add a tenant (active unless --paused)')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .addOption(new Option('--tier <tier>', 'paid (hourly, high priority) or free (6-hourly, low)').makeOptionMandatory().argParser(tierArg))
    .option('--paused', 'add it paused (not scheduled)'))
    .action(withContext(async (ctx, id: string, o: LinkOptions & { tier: Tenant['tier']; paused?: boolean }) => {
      if (await (await ctx.tenants()).get(id)) throw new Error(`tenant ${id} already exists (change it with \`sellerstream tenants update\`)`);
      const fields = applyOptions({ tenantId: id, tier: o.tier, status: o.paused ? 'paused' : 'active' }, o);
      show(ctx, await putTenant(await ctx.publisher(), fields), 'added');
    }));

  linkOptions(tenants.command('update').description('change a tenant\'s tier, links or settings')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .addOption(new Option('--tier <tier>', 'paid or free').argParser(tierArg))
    .option('--no-business-type', 'remove the business type')
    .option('--no-interval', 'use the tier\'s interval again')
    .addOption(new Option('--unlink <platform>', 'remove a platform link (repeatable)').argParser((v: string, list: Platform[] = []) => [...list, platformArg(v)])))
    .action(withContext(async (ctx, id: string, o: LinkOptions & { tier?: Tenant['tier']; unlink?: Platform[] }) => {
      const { v: _v, updatedAt: _u, ...current } = await ctx.tenant(id);
      const next = applyOptions(current, o);
      if (JSON.stringify(next) === JSON.stringify(current)) throw new UsageError('nothing to change: give at least one option');
      show(ctx, await putTenant(await ctx.publisher(), next), 'updated');
    }));

  for (const [name, status, verb, what] of [['pause', 'paused', 'paused', 'stop scheduling a tenant (its data stays)'], ['resume', 'active', 'resumed', 'schedule a paused tenant again']] as const) {
    tenants.command(name).description(what).argument('<tenant>', 'tenant id', tenantIdArg)
      .action(withContext(async (ctx, id: string) => {
        const { v: _v, updatedAt: _u, ...current } = await ctx.tenant(id);
        show(ctx, current.status === status ? await ctx.tenant(id) : await putTenant(await ctx.publisher(), { ...current, status }), current.status === status ? `already ${status}:` : verb);
      }));
  }

  tenants.command('remove').description('remove a tenant and delete its stored credentials (its synced data stays in ClickHouse)')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .action(withContext(async (ctx, id: string) => {
      await ctx.tenant(id);
      await removeTenant(await ctx.publisher(), id);
      if (ctx.json) printJson({ tenantId: id, removed: true });
      else say(`removed ${id} and its credentials`);
    }));

  tenants.command('list').description('list tenants; a record on the topic that fails validation is reported and skipped')
    .addOption(new Option('--tier <tier>', 'only this tier').argParser(tierArg))
    .addOption(new Option('--status <status>', 'only active or paused').choices(['active', 'paused']))
    .action(withContext(async (ctx, o: { tier?: string; status?: string }) => {
      const view = await ctx.tenants();
      const all = [...(await view.all()).values()].filter((t) => (!o.tier || t.tier === o.tier) && (!o.status || t.status === o.status))
        .sort((a, b) => a.tenantId.localeCompare(b.tenantId));
      const invalid = [...view.invalid()].map(([key, reason]) => ({ key, reason }));
      if (ctx.json) {
        printJson({ tenants: all, invalid });
        return;
      }
      printTable(all.map((t) => ({
        tenant: t.tenantId, tier: t.tier, status: t.status, business: t.businessType, interval: t.syncIntervalMinutes ? `${t.syncIntervalMinutes}m` : undefined,
        platforms: linksOf(t), updated: t.updatedAt.slice(0, 19),
      })), ['tenant', 'tier', 'status', 'business', 'interval', 'platforms', 'updated'], '(no tenants)');
      for (const { key, reason } of invalid) process.stderr.write(`sellerstream: skipped the invalid record of key ${JSON.stringify(key)} on tenants: ${reason}\n`);
    }));
  return tenants;
}
