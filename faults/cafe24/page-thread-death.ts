/**
 * The Cafe24 consumer's page threads die mid-page (dying-page-model.ts: a thread exits after mapping a few hundred
 * orders, as many times as the fault leaves tickets). Each death must fail only the jobs whose pages that thread
 * held, which are retried; the consumer process never exits, the next page gets a new thread, and ClickHouse ends
 * holding every order, item, product and category once.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { shopsFor } from './common.js';
import { TICKET_PREFIX } from './dying-page-model.js';
import { openStage } from './stage.js';

export const pageThreadDeath: Fault = {
  name: 'page-thread-death',
  description: 'the consumer\'s page threads exit mid-page (4 times; reduced 2): jobs retried, nothing lost',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const deaths = ctx.reduced ? 2 : 4;
    const dir = join(ctx.workDir, 'page-thread-deaths');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < deaths; i++) writeFileSync(join(dir, `${TICKET_PREFIX}${i}`), '');
    const stage = await openStage(ctx, 'pt', { shops: shopsFor(ctx, 'pt', ctx.reduced ? 4 : 8) });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer({ PAGE_THREAD_DEATH_DIR: dir });
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      await stage.publish();
      await stage.settle(600_000, report);
      const left = readdirSync(dir).filter((n) => n.startsWith(TICKET_PREFIX)).length;
      if (left > 0) report.failures.push(`${deaths - left} of ${deaths} page thread death(s) happened: the fault did not run as planned`);
      const failedRuns = stage.runs.filter((r) => r.status === 'retrying').length;
      if (failedRuns === 0) report.failures.push('no run failed, so no page thread death reached a job');
      await stage.reconcile(report);
      report.details.thread_deaths = deaths - left;
      report.details.failed_runs = failedRuns;
      report.details.runs = stage.runs.length;
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
