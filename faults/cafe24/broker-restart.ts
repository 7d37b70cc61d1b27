/**
 * The broker restarted mid-sync (stopped as an operator would, SIGTERM, and started on the same data), once
 * (full run: twice) while the consumer and the sink work. Both must reconnect, rejoin their groups and carry on;
 * ClickHouse must end exact. The fault runs on a broker of its own (faults/harness/own-broker.ts), never the shared one.
 * The broker's own time (its controlled shutdown, then its start-up until it serves) is reported apart
 * (broker_stop_s, broker_start_s): rejoin and next-commit times count from the moment it serves again, so they
 * measure only the consumer's and the sink's recovery.
 */
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { startOwnBroker } from '../harness/own-broker.js';
import { openStage } from './stage.js';
import { shopsFor } from './common.js';

export const brokerRestart: Fault = {
  name: 'broker-restart',
  description: 'the broker (one of the suite\'s own) stopped and started mid-sync (2; reduced 1)',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const restarts = ctx.reduced ? 1 : 2;
    const stopS: number[] = [];
    const startS: number[] = [];
    const broker = await startOwnBroker(ctx.workDir);
    try {
      const stage = await openStage(ctx, 'br', { shops: shopsFor(ctx, 'br', 4), brokers: broker.brokers });
      try {
        const sink = stage.startSink();
        const consumer = stage.startConsumer();
        await Promise.all([sink.next('assigned'), consumer.next('joined')]);
        for (let r = 1; r <= restarts; r++) {
          await stage.publish();
          await consumer.next('committed', { since: performance.now(), deadlineMs: 120_000 });
          await new Promise((resolve) => setTimeout(resolve, ctx.rng.int(0, 2_000)));
          const stopping = performance.now();
          await broker.down();
          const down = performance.now();
          await broker.up();
          const back = performance.now();
          stopS.push((down - stopping) / 1000);
          startS.push((back - down) / 1000);
          // Work that can only be done after the restart: its commits time the recovery.
          await stage.publish();
          // A member whose session outlived the restart carries on without a rebalance: its next commit is its rejoin.
          const after = (child: typeof consumer, join: string) => Promise.any([
            child.next(join, { since: back, deadlineMs: 180_000 }), child.next('committed', { since: back, deadlineMs: 180_000 }),
          ]);
          const [joined, committed, assigned, landed] = await Promise.all([
            after(consumer, 'joined'),
            consumer.next('committed', { since: back, deadlineMs: 180_000 }),
            after(sink, 'assigned'),
            sink.next('committed', { since: back, deadlineMs: 180_000 }),
          ]);
          report.rejoinS.push((joined.at - back) / 1000, (assigned.at - back) / 1000);
          report.nextCommitS.push((committed.at - back) / 1000, (landed.at - back) / 1000);
          ctx.log(`restart ${r}/${restarts}: broker stopped in ${((down - stopping) / 1000).toFixed(1)} s, served again ${((back - down) / 1000).toFixed(1)} s later; then ` +
            `consumer rejoined ${((joined.at - back) / 1000).toFixed(1)} s, committed ${((committed.at - back) / 1000).toFixed(1)} s; ` +
            `sink assigned ${((assigned.at - back) / 1000).toFixed(1)} s, landed ${((landed.at - back) / 1000).toFixed(1)} s after the broker was back`);
        }
        report.details.broker_stop_s = stopS.map((x) => x.toFixed(1)).join(',');
        report.details.broker_start_s = startS.map((x) => x.toFixed(1)).join(',');
        await stage.settle(180_000, report);
        await stage.reconcile(report);
        report.details.restarts = restarts;
      } finally {
        await stage.close(report);
      }
    } finally {
      await broker.stop();
    }
    return report;
  },
};
