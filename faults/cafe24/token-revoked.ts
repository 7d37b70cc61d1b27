/**
 * A seller uninstalls the app (every token of the mall revoked) after its first sync. Its next sync must end
 * needs_reauth without retries, and a later one fail fast without calling the Admin API; its data synced until then
 * stays intact, and the other shops, synced in the same rounds, are not affected.
 */
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { openStage } from './stage.js';
import { shopsFor } from './common.js';

export const tokenRevoked: Fault = {
  name: 'token-revoked',
  description: 'a mall revokes every token after its first sync: needs_reauth, its data intact, others unaffected',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const stage = await openStage(ctx, 'tr', { shops: shopsFor(ctx, 'tr', 4) });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      const victim = stage.tenants[ctx.rng.int(0, stage.tenants.length - 1)]!;
      await stage.publish();
      await stage.settle(300_000, report);
      stage.sim.revoke(victim.mallId);
      const runsBefore = stage.runs.length;
      await stage.publish();
      await stage.settle(300_000, report);
      const callsAfterReauth = stage.sim.stats(victim.mallId).calls;
      await stage.publish([victim.tenantId]);
      await stage.settle(120_000, report);
      const victimRuns = stage.runs.slice(runsBefore).filter((r) => r.tenantId === victim.tenantId);
      const statuses = victimRuns.map((r) => r.status);
      report.details.victim = victim.tenantId;
      report.details.victim_runs = statuses.join(',');
      if (statuses.length !== 2 || statuses.some((s) => s !== 'needs_reauth')) {
        report.failures.push(`${victim.tenantId} after the revocation: runs ${statuses.join(', ') || 'none'}; expected needs_reauth twice, no retry`);
      }
      const calls = stage.sim.stats(victim.mallId).calls - callsAfterReauth;
      if (calls > 0) report.failures.push(`${victim.tenantId}: ${calls} Admin API call(s) after it was known to need re-auth`);
      const others = stage.runs.slice(runsBefore).filter((r) => r.tenantId !== victim.tenantId && r.status !== 'succeeded' && r.status !== 'continued');
      if (others.length > 0) report.failures.push(`${others.length} run(s) of other shops did not succeed (${others[0]!.status})`);
      await stage.reconcile(report);
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
