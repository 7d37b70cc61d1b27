/**
 * A block storm: the seller center soft-blocks every request (the simulator's `blockStormRate` 1) while a fleet of
 * sellers syncs. The platform's breaker must open; the jobs it holds back are handed back without using up an
 * attempt, for longer than a job has attempts (reduced: until every job was held back that often; full: twice
 * that); once the storm passes the breaker must close again on its own, every job succeed (none dead) and every
 * seller's rows equal the simulator's truth, exactly once.
 * The breaker opens after 3 samples and stays open 2 s (production: 10 and 60 s), so it opens and closes within
 * the fault; the seller API's cool-down after a soft block is 300 ms.
 */
import { waitFor } from '../../lib/wait-for.js';
import { emptyReport, type Fault, type FaultContext, type FaultReport } from '../harness/fault.js';
import { DEFAULT_CHILD_OPTIONS } from './options.js';
import { openStage, smallSeller } from './stage.js';

const MAX_ATTEMPTS = DEFAULT_CHILD_OPTIONS.paidRetry.maxAttempts;

export const blockStorm: Fault = {
  name: 'ably-block-storm',
  description: 'every Ably request soft-blocked for a while (8 sellers; reduced 4): the breaker opens, holds jobs back, closes',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const sellers = Array.from({ length: ctx.reduced ? 4 : 8 }, (_, i) => `storm-${i}`);
    const stage = await openStage(ctx, 'abs', { sellers: sellers.map((id) => smallSeller(id)) });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer({
        breaker: { minSamples: 3, openAtBlockRate: 0.5, openMs: 2_000, windowMs: 60_000 }, api: { blockCoolDownMs: 300 },
      });
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      stage.sim.setKnobs({ blockStormRate: 1 });
      const stormAt = performance.now();
      const requests = await stage.publish(sellers);
      const heldBack = () => stage.runs.filter((r) => r.errorClass === 'BREAKER_OPEN').length;
      const opened = await consumer.next('breaker', { since: stormAt, where: (d) => d.state === 'open', deadlineMs: 60_000 });
      const holds = (ctx.reduced ? 1 : 2) * MAX_ATTEMPTS * sellers.length;
      await waitFor(() => heldBack() >= holds, { deadlineMs: 120_000, intervalMs: 100, description: `${holds} jobs held back by the open breaker` });
      if (!stage.runs.some((r) => r.errorClass === 'SOFT_BLOCKED')) report.failures.push('no job saw a soft block');

      stage.sim.setKnobs({ blockStormRate: 0 });
      const calmAt = performance.now();
      const ended = await stage.ended(requests);
      const closed = await consumer.next('breaker', { since: calmAt, where: (d) => d.state === 'closed', deadlineMs: 60_000 })
        .catch(() => undefined);
      if (!closed) report.failures.push('the breaker did not close after the storm');
      const { breaker } = await consumer.call<{ breaker: { state: string; opened: number } }>('stats');
      if (breaker.state !== 'closed') report.failures.push(`the breaker is ${breaker.state} after the storm`);
      for (const [i, run] of ended.entries()) if (run.status !== 'succeeded') report.failures.push(`${requests[i]!.tenantId} ended ${run.status} (${run.errorClass})`);
      let overAttempts = 0;
      for (const request of requests) {
        const runs = stage.runsOf(request.requestId);
        const spent = runs.filter((r) => r.status === 'retrying' && r.errorClass !== 'BREAKER_OPEN').length;
        if (runs.at(-1)?.attempt !== 1 + spent) {
          report.failures.push(`${request.tenantId}: attempt ${runs.at(-1)?.attempt} after ${spent} real failure(s): held-back jobs used attempts (${runs.map((r) => r.errorClass ?? r.status).join(' ')})`);
        }
        if (runs.length > MAX_ATTEMPTS) overAttempts += 1;
      }
      if (overAttempts === 0) report.failures.push(`no job was handed back more often than its ${MAX_ATTEMPTS} attempts`);
      await stage.settle(60_000, report);
      await stage.reconcile(report, { synced: sellers });
      Object.assign(report.details, {
        breaker_open_s: ((opened.at - stormAt) / 1000).toFixed(1), breaker_close_s: closed ? ((closed.at - calmAt) / 1000).toFixed(1) : '-',
        opened: breaker.opened, held_back: heldBack(), soft_blocked: stage.runs.filter((r) => r.errorClass === 'SOFT_BLOCKED').length,
        runs: stage.runs.length,
      });
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
