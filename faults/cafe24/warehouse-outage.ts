/**
 * The warehouse fails for 60 s (reduced: 6 s) while shops sync: every table of the sink's engine is DETACHed, so
 * inserts fail with the engine's own error, then ATTACHed again. The sink must not crash, must keep its place
 * (commit nothing that did not land) and catch up: every record once, the next commit soon after the warehouse is back.
 */
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { openStage } from './stage.js';
import { shopsFor } from './common.js';

export const warehouseOutage: Fault = {
  name: 'warehouse-outage',
  description: 'every ClickHouse table detached for 60 s (reduced 6 s) mid-sync, then back',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const outageMs = ctx.reduced ? 6_000 : 60_000;
    const stage = await openStage(ctx, 'wo', { shops: shopsFor(ctx, 'wo', 4) });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      await stage.publish(stage.tenants.slice(0, 2).map((t) => t.tenantId));
      await sink.next('committed', { deadlineMs: 120_000 });
      await sink.call('outage', { ms: outageMs });
      const detachedAt = performance.now();
      // The other shops sync during the outage: their records wait in Kafka.
      await stage.publish(stage.tenants.slice(2).map((t) => t.tenantId));
      const attached = await sink.next('attached', { deadlineMs: outageMs + 60_000 });
      const felt = sink.events.filter((e) => e.event === 'warehouse' && e.data.available === false && e.at >= detachedAt).length;
      const committedDuring = sink.events.filter((e) => e.event === 'committed' && e.at > detachedAt + 1_000 && e.at < attached.at).length;
      const next = await sink.next('committed', { since: attached.at, deadlineMs: 120_000 });
      report.nextCommitS.push((next.at - attached.at) / 1000);
      report.details.outage_s = outageMs / 1000;
      report.details.failed_inserts = felt;
      if (felt === 0) report.failures.push('the sink never met the outage (no failed insert): the fault did not happen');
      if (committedDuring > 0) report.failures.push(`${committedDuring} flush group(s) committed while every table was detached`);
      await stage.settle(300_000, report);
      await stage.reconcile(report);
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
