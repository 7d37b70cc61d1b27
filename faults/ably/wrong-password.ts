/**
 * A seller whose stored password is wrong (one that logs in through the API, one that needs the browser): each job
 * ends needs_reauth on its first attempt with one login attempt at the seller center in all, the link is marked as
 * needing new credentials, a later job does not try again, no browser is launched for a refused password, and a
 * seller with the right password syncs exactly beside them.
 */
import type { AblySecret } from '../../consumers/ably/login.js';
import { emptyReport, type Fault, type FaultContext, type FaultReport } from '../harness/fault.js';
import { openStage, smallSeller, tenantOf } from './stage.js';

export const wrongPassword: Fault = {
  name: 'ably-wrong-password',
  fullOnly: true,
  description: 'a wrong stored password (API and challenge sellers): needs_reauth after one login, no retry, no browser',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const wrong = ['wrong-api', 'wrong-chal'];
    const stage = await openStage(ctx, 'abw', {
      sellers: [smallSeller('wrong-api'), smallSeller('wrong-chal', 'challenge'), smallSeller('right-api')],
      secrets: Object.fromEntries(wrong.map((id) => [id, { password: 'not-the-password' }])),
    });
    try {
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      const first = await stage.publish([...wrong, 'right-api']);
      const ended = await stage.ended(first);
      const again = await stage.publish(wrong);
      const second = await stage.ended(again);
      if (ended[2]?.status !== 'succeeded') report.failures.push(`right-api ended ${ended[2]?.status}`);
      for (const [i, run] of [...ended.slice(0, 2), ...second].entries()) {
        if (run.status !== 'needs_reauth' || run.attempt !== 1) report.failures.push(`${run.tenantId} (${i < 2 ? 'first' : 'second'} job): ${run.status}/${run.attempt}/${run.errorClass}, not needs_reauth on attempt 1`);
      }
      for (const request of [...first.slice(0, 2), ...again]) {
        const runs = stage.runsOf(request.requestId).length;
        if (runs !== 1) report.failures.push(`${request.tenantId}: ${runs} runs for one request (a refused password is not retried)`);
      }
      for (const sellerId of wrong) {
        const login = stage.sim.stats(sellerId).login;
        const tries = login.failures + login.logins + login.challengeRefusals;
        if (tries !== 1) report.failures.push(`${sellerId}: ${tries} login attempts at the seller center (${JSON.stringify(login)}), not 1`);
        const secret = await stage.credentials.get<AblySecret>(tenantOf(sellerId), 'ably');
        if (secret?.needsNewCredentials !== true) report.failures.push(`${sellerId}: not marked as needing new credentials`);
      }
      const { browsers } = await consumer.call<{ browsers: { launches: number } }>('stats');
      if (browsers.launches !== 0) report.failures.push(`${browsers.launches} browser launch(es) for refused passwords`);
      await stage.settle(60_000, report);
      await stage.reconcile(report, { synced: ['right-api'], empty: wrong });
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
