/**
 * The sink killed with SIGKILL mid-flush, at seeded points of its flush groups (intents recorded but nothing
 * inserted, some tables inserted, all committed), while the consumer keeps publishing; each time a new sink starts
 * on the same engine directory and must redo what was in flight from the intents, with the same deduplication
 * tokens. Merges are stopped in the sink, so a duplicate insert would stay visible to the reconciliation.
 */
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { rngFor } from '../../simulators/cafe24/seeded-random.js';
import { openStage } from './stage.js';
import { measureRestart, shopsFor } from './common.js';

const HANG_STAGES = ['intent-recorded', 'table-inserted', 'table-inserted', 'committed'] as const;

export const sinkKill: Fault = {
  name: 'sink-kill',
  description: 'kill -9 of the sink mid-flush at seeded stages of its flush groups (10; reduced 2)',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const kills = ctx.reduced ? 2 : 10;
    const stage = await openStage(ctx, 'sk', { shops: shopsFor(ctx, 'sk', ctx.reduced ? 4 : 8) });
    try {
      const consumer = stage.startConsumer();
      await consumer.next('joined');
      // Kill points come from ctx.rng, the extra rounds (their number depends on timing) from their own stream.
      const work = rngFor(ctx.seed, 'sink-kill', 'work');
      for (let k = 1; k <= kills; k++) {
        const at = `${HANG_STAGES[ctx.rng.int(0, HANG_STAGES.length - 1)]}:${ctx.rng.int(2, 4)}`;
        const sink = stage.startSink({ HANG_AT: at });
        // Work for this sink: more sync rounds while it waits to hang (every round lands new raw records).
        const feeding = setInterval(() => {
          if (stage.pending() < 2) void stage.publish(stage.tenants.filter(() => work.chance(0.5)).map((t) => t.tenantId));
        }, 1_000);
        try {
          if (stage.pending() === 0) await stage.publish();
          if (k > 1) {
            const m = await measureRestart(sink, 'assigned');
            report.rejoinS.push(m.rejoinS);
            report.nextCommitS.push(m.nextCommitS);
            ctx.log(`restart ${k - 1}: assigned in ${m.rejoinS.toFixed(1)} s, first commit at ${m.nextCommitS.toFixed(1)} s`);
          }
          await sink.next('hung', { deadlineMs: 240_000 });
        } finally {
          clearInterval(feeding);
        }
        await sink.kill9();
        ctx.log(`kill ${k}/${kills} at ${at}`);
      }
      const last = stage.startSink();
      const m = await measureRestart(last, 'assigned', 240_000).catch(async () => {
        await stage.publish();
        return measureRestart(last, 'assigned', 240_000);
      });
      report.rejoinS.push(m.rejoinS);
      report.nextCommitS.push(m.nextCommitS);
      await stage.settle(600_000, report);
      await stage.reconcile(report);
      report.details.kills = kills;
      report.details.runs = stage.runs.length;
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
