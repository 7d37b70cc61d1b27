/**
 * The Cafe24 consumer killed with SIGKILL at seeded random points while shops sync (a job mid-fetch, a transaction
 * sent but not committed, between jobs), restarted at once with the same instance id each time. More sync rounds
 * are published as the kills go on, so there is always work in flight. Then time moves on 30 h at the simulator
 * (statuses change, tokens expire) and an incremental sync runs: ClickHouse must hold every order, item, product
 * and category once, the payments to the cent, and today's item statuses.
 */
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { measureRestart, shopsFor } from './common.js';
import { rngFor } from '../../simulators/cafe24/seeded-random.js';
import { openStage } from './stage.js';

export const consumerKill: Fault = {
  name: 'consumer-kill',
  description: 'kill -9 of the Cafe24 consumer at seeded random points (20; reduced 3), then an incremental sync',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const kills = ctx.reduced ? 3 : 20;
    const stage = await openStage(ctx, 'ck', { shops: shopsFor(ctx, 'ck', ctx.reduced ? 4 : 8) });
    try {
      const sink = stage.startSink();
      let consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      await stage.publish();
      // Kill points come from ctx.rng, the extra rounds (their number depends on timing) from their own stream.
      const work = rngFor(ctx.seed, 'consumer-kill', 'work');
      for (let k = 1; k <= kills; k++) {
        // Work in flight at every kill: another round for a seeded half of the shops when the last one is done.
        if (stage.pending() < stage.tenants.length / 2) await stage.publish(stage.tenants.filter((t, i) => i === k % stage.tenants.length || work.chance(0.5)).map((t) => t.tenantId));
        // A seeded point: after 0-2 more committed jobs, then 0-2.5 s into whatever runs next.
        const commits = ctx.rng.int(0, 2);
        const delayMs = ctx.rng.int(0, 2_500);
        const base = consumer.events.filter((e) => e.event === 'committed').length;
        await consumer.next('committed', { where: () => consumer.events.filter((e) => e.event === 'committed').length >= base + commits, deadlineMs: 120_000 });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await consumer.kill9();
        // The restarted consumer's next commit is timed: it needs something to do.
        if (stage.pending() === 0) await stage.publish([stage.tenants[k % stage.tenants.length]!.tenantId]);
        consumer = stage.startConsumer();
        const m = await measureRestart(consumer, 'joined');
        report.rejoinS.push(m.rejoinS);
        report.nextCommitS.push(m.nextCommitS);
        ctx.log(`kill ${k}/${kills} after ${commits} commit(s) + ${delayMs} ms: rejoined in ${m.rejoinS.toFixed(1)} s, next commit at ${m.nextCommitS.toFixed(1)} s`);
      }
      await stage.settle(600_000, report);
      stage.clock.advance(30 * 3_600_000);
      await stage.publish();
      await stage.settle(300_000, report);
      await stage.reconcile(report, { statuses: true });
      report.details.kills = kills;
      report.details.runs = stage.runs.length;
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
