/**
 * A 429 storm: half the malls refuse their next 45 calls outright (reduced: 8), and every mall refuses 30 % of its
 * calls at random for the length of a sync round, answered the way Cafe24 answers a full bucket (no Retry-After).
 * A job waits out up to 20 refusals of one call, then hands itself back as a retry (the tier's backoff, 30 s then
 * 60 s for paid): the full storm costs two retries; the reduced one is waited out inside the jobs (no 30 s backoff
 * in CI). Each refusal costs the job about a second's pause and a drain of the bucket it then assumes full: with 8,
 * the random refusals on top stay well clear of the 20, and the reduced fault takes ~17 s instead of ~27 s with 15.
 * None may end dead, and ClickHouse must end exact.
 */
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { openStage } from './stage.js';
import { shopsFor } from './common.js';

export const rateLimitStorm: Fault = {
  name: 'rate-limit-storm',
  description: '429 storm: 45 (reduced 8) refused calls on half the malls, 30 % of all calls refused during a round',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const stage = await openStage(ctx, 'rl', { shops: shopsFor(ctx, 'rl', ctx.reduced ? 4 : 8) });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      stage.sim.faults.set('*', { forced429Rate: 0.3 });
      stage.tenants.forEach((t, i) => i % 2 === 0 && stage.sim.faults.storm(t.mallId, ctx.reduced ? 8 : 45));
      await stage.publish();
      await stage.settle(600_000, report);
      stage.sim.faults.clear();
      const rateLimited = stage.tenants.reduce((n, t) => n + stage.sim.stats(t.mallId).rateLimited, 0);
      const dead = stage.runs.filter((r) => r.status === 'dead' || r.status === 'needs_reauth');
      report.details.calls_refused_429 = rateLimited;
      report.details.retries = stage.runs.filter((r) => r.status === 'retrying').length;
      if (rateLimited === 0) report.failures.push('no call was refused: the storm did not happen');
      if (dead.length > 0) report.failures.push(`${dead.length} run(s) ended ${dead[0]!.status} in a storm (${dead[0]!.errorMessage})`);
      await stage.reconcile(report);
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
