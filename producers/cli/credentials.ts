/**
 * `sellerstream cafe24 connect` and `sellerstream ably set-credentials`: a platform secret, sealed
 * (lib/secrets.ts) on the `credentials` topic, and the link's credential health back to ok (the scheduler then
 * schedules a link it had parked: producers/scheduler/credential-health.ts).
 */
import { Command, Option } from 'commander';
import type { Platform } from '../../lib/contracts/fields.js';
import type { Tenant } from '../../lib/contracts/tenant.js';
import { ConfigError } from '../../lib/config.js';
import { createAdminApi } from '../../consumers/cafe24/admin-api.js';
import { createRateLimiter } from '../../consumers/cafe24/rate-limiter.js';
import type { AblySecret } from '../../consumers/ably/login.js';
import { tenantWithFreshCredentials } from '../scheduler/credential-health.js';
import { exchangeCafe24Code, putTenant } from '../tenant-admin.js';
import { ablySellerArg, emailArg, mallIdArg, tenantIdArg } from './args.js';
import type { CliContext, WithContext } from './context.js';
import { UsageError } from './errors.js';
import { printJson, say } from './output.js';

async function markFresh(ctx: CliContext, tenant: Tenant, platform: Platform): Promise<Tenant> {
  const { v: _v, updatedAt: _u, ...fields } = tenantWithFreshCredentials(tenant, platform, new Date());
  return putTenant(await ctx.publisher(), fields);
}

function report(ctx: CliContext, tenant: Tenant, platform: Platform, detail: string): void {
  if (ctx.json) printJson({ tenantId: tenant.tenantId, platform, sealed: true, health: tenant[platform]?.health ?? 'ok' });
  else say(`${tenant.tenantId}: ${platform} credentials sealed on the credentials topic (${detail}); health ok`);
}

/** The whole of stdin, without its final newline: a password never travels in argv (ps, shell history). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin reads the password from stdin: pipe it in (e.g. `printf %s "$PW" | sellerstream …`)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function cafe24Command(withContext: WithContext): Command {
  const cafe24 = new Command('cafe24').description('Cafe24 links');
  cafe24.command('connect').description('exchange the OAuth code of the seller\'s app install for a grant, sealed on `credentials`')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .addOption(new Option('--mall-id <mallId>', 'the seller\'s Cafe24 mall id').makeOptionMandatory().argParser(mallIdArg))
    .addOption(new Option('--code <code>', 'the authorization code of the install redirect').makeOptionMandatory().argParser((v: string) => {
      if (!/^[A-Za-z0-9._~-]{8,512}$/.test(v)) throw new UsageError('the authorization code is 8-512 URL-safe characters, as the redirect carried it.');
      return v;
    }))
    .option('--redirect-uri <uri>', 'the redirect URI the code was issued for (default CAFE24_REDIRECT_URI)')
    .action(withContext(async (ctx, id: string, o: { mallId: string; code: string; redirectUri?: string }) => {
      const { clientId, clientSecret, apiBaseTemplate, apiVersion } = ctx.config.cafe24;
      const redirectUri = o.redirectUri ?? ctx.config.cafe24.redirectUri;
      if (!clientId || !clientSecret) throw new ConfigError('cafe24 connect needs our app\'s CAFE24_CLIENT_ID and CAFE24_CLIENT_SECRET');
      if (!redirectUri) throw new ConfigError('cafe24 connect needs the app\'s redirect URI: set CAFE24_REDIRECT_URI or give --redirect-uri');
      const tenant = await ctx.tenant(id);
      const credentials = await ctx.credentials();
      const api = createAdminApi({ baseTemplate: apiBaseTemplate, apiVersion, limiter: createRateLimiter() });
      try {
        await exchangeCafe24Code(api, credentials, { clientId, clientSecret, redirectUri }, id, o.mallId, o.code, AbortSignal.timeout(20_000));
      } finally {
        await api.close();
      }
      const linked = tenant.cafe24?.mallId === o.mallId ? tenant : { ...tenant, cafe24: { mallId: o.mallId } };
      report(ctx, await markFresh(ctx, linked, 'cafe24'), 'cafe24', `mall ${o.mallId}`);
    }));
  return cafe24;
}

export function ablyCommand(withContext: WithContext): Command {
  const ably = new Command('ably').description('Ably links');
  ably.command('set-credentials').description('store the seller-center login, sealed on `credentials` (the password is read from stdin)')
    .argument('<tenant>', 'tenant id', tenantIdArg)
    .addOption(new Option('--email <email>', 'the seller-center login e-mail').makeOptionMandatory().argParser(emailArg))
    .requiredOption('--password-stdin', 'read the password from stdin')
    .addOption(new Option('--seller-id <id>', 'link this Ably seller account if the tenant has none yet').argParser(ablySellerArg))
    .action(withContext(async (ctx, id: string, o: { email: string; sellerId?: string }) => {
      const password = await readStdin();
      if (password.length === 0 || password.length > 256) throw new UsageError('the password on stdin is empty or longer than 256 characters');
      const tenant = await ctx.tenant(id);
      const sellerId = o.sellerId ?? tenant.ably?.sellerId;
      if (!sellerId) throw new UsageError(`tenant ${id} has no Ably link: give --seller-id`);
      await (await ctx.credentials()).put(id, 'ably', { email: o.email, password } satisfies AblySecret);
      const linked = tenant.ably?.sellerId === sellerId ? tenant : { ...tenant, ably: { sellerId } };
      report(ctx, await markFresh(ctx, linked, 'ably'), 'ably', `seller ${sellerId}`);
    }));
  return ably;
}
