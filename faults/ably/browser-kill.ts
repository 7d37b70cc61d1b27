/**
 * Chromium killed with SIGKILL in the middle of a challenge login, once per challenge seller (reduced: one), at a
 * seeded point after its login page is at work (every API answer, the challenge's too, waits 2.5 s so the kill
 * lands inside the login). The job must fail retriably and succeed on a later attempt with a fresh browser; every
 * seller's rows must then equal the simulator's truth, exactly once; the killed browser's whole process group
 * must be gone, the consumer must leave no <defunct> child, and after the consumer stops nothing of its last
 * browser may remain.
 */
import { liveInGroup, processes, zombiesOf } from '../../lib/testing/processes.js';
import { waitFor } from '../../lib/wait-for.js';
import { emptyReport, type Fault, type FaultContext, type FaultReport } from '../harness/fault.js';
import { openStage, smallSeller } from './stage.js';

interface Stats { browsers: { launches: number; crashes: number; openPages: number; pid?: number }; logins: { browserLogins: number } }

export const browserKill: Fault = {
  name: 'ably-browser-kill',
  description: 'kill -9 of Chromium mid-login, once per challenge seller (3; reduced 1): the job retries, rows exact, no zombie',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const kills = ctx.reduced ? 1 : 3;
    const challenge = Array.from({ length: kills }, (_, i) => `kill-chal-${i}`);
    const api = ['kill-api-0', ...(ctx.reduced ? [] : ['kill-api-1'])];
    const stage = await openStage(ctx, 'abk', { sellers: [...challenge.map((id) => smallSeller(id, 'challenge')), ...api.map((id) => smallSeller(id))] });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      const stats = () => consumer.call<Stats>('stats');
      const killedGroups: number[] = [];
      const retriedWith: string[] = [];
      for (const [k, sellerId] of challenge.entries()) {
        stage.sim.setKnobs({ latencyMs: 2_500 });
        const requests = await stage.publish(k === 0 ? [sellerId, ...api] : [sellerId]);
        const pid = await waitFor(async () => {
          const s = await stats();
          return s.browsers.openPages > 0 ? s.browsers.pid : undefined;
        }, { deadlineMs: 60_000, intervalMs: 50, description: `${sellerId}'s login page open` });
        await waitFor(() => processes().some((p) => p.pgrp === pid && p.pid !== pid && p.comm.includes('chrom')), { deadlineMs: 10_000, description: 'its renderers up' });
        const delayMs = ctx.rng.int(0, 1_500);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        process.kill(pid, 'SIGKILL');
        killedGroups.push(pid);
        stage.sim.setKnobs({ latencyMs: 0 });
        ctx.log(`kill ${k + 1}/${kills}: Chromium ${pid} killed ${delayMs} ms into ${sellerId}'s login`);

        await stage.ended(requests);
        const runs = stage.runsOf(requests[0]!.requestId);
        retriedWith.push(...runs.filter((r) => r.status === 'retrying').map((r) => r.errorClass ?? '?'));
        if (runs.at(-1)?.status !== 'succeeded' || !runs.some((r) => r.status === 'retrying')) {
          report.failures.push(`${sellerId}: runs ${runs.map((r) => `${r.status}/${r.attempt}`).join(' ')}, not a retry and then a success`);
        }
        for (const r of requests.slice(1)) if (stage.runsOf(r.requestId).at(-1)?.status !== 'succeeded') report.failures.push(`${r.tenantId} did not succeed`);
        await waitFor(() => liveInGroup(pid).length === 0, { deadlineMs: 10_000, description: 'the killed browser group gone' })
          .catch(() => report.failures.push(`Chromium group ${pid}: ${liveInGroup(pid).length} process(es) left after its kill`));
      }
      const s = await stats();
      if (s.browsers.crashes !== kills) report.failures.push(`the pool saw ${s.browsers.crashes} crash(es) for ${kills} kill(s)`);
      await waitFor(() => zombiesOf(consumer.process.pid!).length === 0, { deadlineMs: 10_000, description: 'no <defunct> child' })
        .catch(() => report.failures.push(`${zombiesOf(consumer.process.pid!).length} <defunct> child(ren) of the consumer`));
      await stage.settle(60_000, report);
      await stage.reconcile(report, { synced: [...challenge, ...api] });

      // A clean stop closes the last browser with its whole group.
      await consumer.stop(30_000);
      if (consumer.exit?.code !== 0) report.failures.push(`the consumer's stop exited ${consumer.exit?.code ?? consumer.exit?.signal}`);
      const left = s.browsers.pid === undefined ? [] : liveInGroup(s.browsers.pid);
      if (left.length > 0) report.failures.push(`${left.length} process(es) of the last Chromium (${s.browsers.pid}) left after the consumer stopped`);
      const orphans = killedGroups.flatMap((g) => liveInGroup(g));
      if (orphans.length > 0) report.failures.push(`${orphans.length} process(es) of killed browsers still alive`);
      Object.assign(report.details, {
        kills, launches: s.browsers.launches, crashes: s.browsers.crashes, browser_logins: s.logins.browserLogins,
        retried_as: [...new Set(retriedWith)].join(',') || '-',
      });
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
