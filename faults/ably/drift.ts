/**
 * The seller center changes under us: one seller's API renames a field (schema drift; full form: another's drops
 * one), and the web app renames its login form (layout drift, for every seller who needs the browser). Each
 * drifted job must fail for good on its first attempt (dead, SCHEMA_DRIFT or LAYOUT_DRIFT, no retry) with its
 * evidence stored and named in the run: the offending record, scrubbed of buyer data; the login page and a PNG
 * screenshot. Nothing of a drifted job may reach ClickHouse, a seller without drift must sync exactly, and a
 * redesign must not park the seller (it is everyone's problem, fixed by a deploy).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AblySecret } from '../../consumers/ably/login.js';
import type { SyncRun } from '../../lib/contracts/sync-run.js';
import { emptyReport, type Fault, type FaultContext, type FaultReport } from '../harness/fault.js';
import { openStage, smallSeller, tenantOf } from './stage.js';

const PERSONAL = /buyer_name|receiver_|buyer_tel/;

export const drift: Fault = {
  name: 'ably-drift',
  fullOnly: true,
  description: 'schema drift (a renamed field; full: a missing one too) and layout drift: the job fails for good with evidence',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const schemaDrifts = { 'drift-rename': 'rename', ...(ctx.reduced ? {} : { 'drift-missing': 'missing' }) } as const;
    const layout = 'drift-chal';
    const fine = ['fine-api', ...(ctx.reduced ? [] : ['fine-chal'])];
    const stage = await openStage(ctx, 'abd', {
      sellers: [...Object.keys(schemaDrifts).map((id) => smallSeller(id)), smallSeller(layout, 'challenge'), smallSeller('fine-api'), ...(ctx.reduced ? [] : [smallSeller('fine-chal', 'challenge')])],
    });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      // A fine challenge seller logs in before the redesign, so its session outlives it.
      if (!ctx.reduced) await stage.ended(await stage.publish(['fine-chal']));
      for (const [sellerId, kind] of Object.entries(schemaDrifts)) stage.sim.setKnobs({ schemaDrift: kind }, sellerId);
      stage.sim.setKnobs({ layoutDrift: true });
      const drifted = [...Object.keys(schemaDrifts), layout];
      const requests = await stage.publish([...drifted, ...fine]);
      const ended = await stage.ended(requests);
      const runOf = (sellerId: string) => ended[requests.findIndex((r) => r.tenantId === tenantOf(sellerId))]!;
      for (const sellerId of fine) if (runOf(sellerId).status !== 'succeeded') report.failures.push(`${sellerId} (no drift) ended ${runOf(sellerId).status}`);

      const expectDead = (sellerId: string, errorClass: string, run: SyncRun) => {
        if (run.status !== 'dead' || run.errorClass !== errorClass) report.failures.push(`${sellerId}: ${run.status}/${run.errorClass}, not dead/${errorClass}`);
        const runs = stage.runsOf(run.requestId);
        if (runs.length !== 1) report.failures.push(`${sellerId}: ${runs.length} runs for one drifted request (a drift is not retried)`);
      };
      for (const sellerId of Object.keys(schemaDrifts)) {
        const run = runOf(sellerId);
        expectDead(sellerId, 'SCHEMA_DRIFT', run);
        const path = /evidence (\S+\.json)/.exec(run.errorMessage ?? '')?.[1];
        if (!path || !existsSync(path)) {
          report.failures.push(`${sellerId}: the run names no stored evidence (${run.errorMessage})`);
          continue;
        }
        const stored = JSON.parse(readFileSync(path, 'utf8')) as { missing?: string[]; record?: string };
        if (!stored.missing?.length || !stored.record) report.failures.push(`${sellerId}: the evidence lacks the offending record and what it misses`);
        if (PERSONAL.test(stored.record ?? '')) report.failures.push(`${sellerId}: the stored record holds buyer data`);
      }
      const run = runOf(layout);
      expectDead(layout, 'LAYOUT_DRIFT', run);
      const screenshot = /screenshot (\S+\.png)/.exec(run.errorMessage ?? '')?.[1];
      const page = /evidence (\S+\.json)/.exec(run.errorMessage ?? '')?.[1];
      const png = screenshot && existsSync(screenshot) && statSync(screenshot).size > 1_000 && readFileSync(screenshot).subarray(1, 4).toString('latin1') === 'PNG';
      if (!png) report.failures.push(`${layout}: no PNG screenshot stored (${run.errorMessage})`);
      const html = page && existsSync(page) ? (JSON.parse(readFileSync(page, 'utf8')) as { html?: string }).html : undefined;
      if (!html?.includes('login_email')) report.failures.push(`${layout}: the stored page is not the drifted login page`);
      const secret = await stage.credentials.get<AblySecret>(tenantOf(layout), 'ably');
      if (secret?.parked) report.failures.push(`${layout}: parked for a redesign (${secret.parked.reason})`);

      await stage.settle(60_000, report);
      await stage.reconcile(report, { synced: fine, empty: drifted });
      report.details.drifted = drifted.length;
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
