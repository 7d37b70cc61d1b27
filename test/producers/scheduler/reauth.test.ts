/**
 * Credential health end to end through the scheduler (issue 11, "Done when"): a seller whose Cafe24 grant is
 * revoked is synced once more, that run ends needs_reauth, the credential-health follower parks the link, and
 * the scheduler stops emitting for it while the other tenant keeps its slots; new credentials given with
 * `sellerstream cafe24 connect` put it back in its slots, and its next run succeeds.
 */
import assert from 'node:assert/strict';
import { waitFor } from '../../../lib/wait-for.js';
import { COMPRESSED_POLICY, startScheduledPipeline, TICK_MS, type ScheduledPipeline } from '../../helpers/scheduled-pipeline.js';

const PARKED = { tenantId: 'ra-1', mallId: 'ramall01' };
const CONTROL = { tenantId: 'ok-1', mallId: 'okmall01' };
const PERIOD = COMPRESSED_POLICY.periodMs.paid;

describe('needs-reauth through the scheduler (real broker, Cafe24 simulator)', function () {
  this.timeout(180_000);
  let p: ScheduledPipeline;

  before(async () => {
    p = await startScheduledPipeline({
      label: 'reauth',
      shops: [PARKED, CONTROL].map(({ mallId }) => ({ mallId, products: 10, orders: 20 })),
    });
  });
  after(async () => {
    await p?.close();
  });

  const requestsOf = (tenantId: string, after = 0) => p.requests.filter((r) => r.value.tenantId === tenantId && r.at > after);
  const runOf = (requestId: string) => p.runs.find((r) => r.value.requestId === requestId && r.value.status !== 'retrying')?.value;

  it('stops scheduling a link parked as needs_reauth and resumes it after new credentials', async () => {
    for (const { tenantId, mallId } of [PARKED, CONTROL]) {
      await p.cliJson(['tenants', 'add', tenantId, '--tier', 'paid', '--cafe24-mall', mallId]);
      await p.connect(tenantId, mallId);
    }
    await p.start();

    // Both tenants synced in their slots with the first grant.
    const firstOk = await waitFor(() => requestsOf(PARKED.tenantId).map((r) => runOf(r.value.requestId)).find((run) => run?.status === 'succeeded'),
      { deadlineMs: 60_000, description: `a succeeded run of ${PARKED.tenantId}` });
    assert.equal(firstOk.platform, 'cafe24');

    // The seller uninstalls the app: the next slot's run ends needs_reauth and the follower parks the link.
    p.sim.revoke(PARKED.mallId);
    const refused = await waitFor(() => p.runs.find((r) => r.value.tenantId === PARKED.tenantId && r.value.status === 'needs_reauth'),
      { deadlineMs: 30_000, description: `a needs_reauth run of ${PARKED.tenantId}` });
    assert.equal(refused.value.errorClass, 'CREDENTIALS_REJECTED');
    await waitFor(async () => (await p.tenants.get(PARKED.tenantId))?.cafe24?.health === 'needs_reauth',
      { deadlineMs: 20_000, description: `${PARKED.tenantId} parked as needs_reauth` });
    const parkedAt = Date.now();

    // Two more periods: the control tenant gets two slots; the parked one none. A tick that read the table just
    // before the health changed may still emit (one tick, plus the scheduler's view catching up).
    const graceMs = 2 * TICK_MS + 1_000;
    await waitFor(() => requestsOf(CONTROL.tenantId, parkedAt + graceMs).length >= 2,
      { deadlineMs: 6 * PERIOD, description: `two slots of ${CONTROL.tenantId} after the park` });
    assert.deepEqual(requestsOf(PARKED.tenantId, parkedAt + graceMs).map((r) => r.value.requestId), [], 'no request for the parked link');
    const status = await p.cliJson<{ tenants: { health: string }[] }>(['status', PARKED.tenantId]);
    assert.ok(status.tenants.length > 0 && status.tenants.every((row) => row.health === 'needs_reauth'), JSON.stringify(status.tenants));

    // The seller installs the app again: the link is ok and back in its slots, and the run succeeds.
    const reconnectedAt = Date.now();
    await p.connect(PARKED.tenantId, PARKED.mallId);
    assert.equal((await p.tenants.get(PARKED.tenantId))?.cafe24?.health, 'ok');
    const resumed = await waitFor(() => requestsOf(PARKED.tenantId, reconnectedAt)[0],
      { deadlineMs: 4 * PERIOD, description: `a request for ${PARKED.tenantId} after new credentials` });
    assert.equal(resumed.value.reason, 'scheduled');
    const run = await waitFor(() => runOf(resumed.value.requestId), { deadlineMs: 30_000, description: `the run of ${resumed.value.requestId}` });
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal((await p.tenants.get(PARKED.tenantId))?.cafe24?.health, 'ok');
  });
});
