/**
 * A tenant added with the CLI is synced in its slot, end to end into ClickHouse (issue 11, "Done when"): the
 * operator adds it paused, connects its Cafe24 mall (the OAuth code exchange against the simulator) and resumes
 * it, all with `sellerstream`; the running scheduler picks it up from the tenants topic and emits its request
 * at its planned slot (never early, within its frame), the Cafe24 consumer syncs it, and the sink lands exactly
 * the simulator's rows in the embedded warehouse.
 */
import assert from 'node:assert/strict';
import type { Tenant } from '../../../lib/contracts/tenant.js';
import { waitFor } from '../../../lib/wait-for.js';
import { schedulableLinks } from '../../../producers/scheduler/loop.js';
import { compileTable } from '../../../producers/scheduler/slots.js';
import { COMPRESSED_POLICY, startScheduledPipeline, type ScheduledPipeline } from '../../helpers/scheduled-pipeline.js';

const TENANT = { tenantId: 'cl-1', mallId: 'clmall01' };
const PERIOD = COMPRESSED_POLICY.periodMs.paid;

describe('a tenant added with the CLI is synced in its slot into ClickHouse (real broker, simulator, chDB)', function () {
  this.timeout(180_000);
  let p: ScheduledPipeline;

  before(async () => {
    p = await startScheduledPipeline({ label: 'clisync', shops: [{ mallId: TENANT.mallId, products: 25, orders: 60 }], withWarehouse: true });
    await p.start();
  });
  after(async () => {
    await p?.close();
  });

  it('tenants add --paused, cafe24 connect, tenants resume: the next slot lands the shop exactly', async () => {
    const added = await p.cliJson<Tenant>(['tenants', 'add', TENANT.tenantId, '--tier', 'paid', '--cafe24-mall', TENANT.mallId, '--paused']);
    assert.equal(added.status, 'paused');
    await p.connect(TENANT.tenantId, TENANT.mallId);
    const resumed = await p.cliJson<Tenant>(['tenants', 'resume', TENANT.tenantId]);
    assert.equal(resumed.status, 'active');
    const resumedAt = Date.now();

    const request = await waitFor(() => p.requests.find((r) => r.value.tenantId === TENANT.tenantId),
      { deadlineMs: 3 * PERIOD + 10_000, description: `a request for ${TENANT.tenantId}` });
    assert.equal(request.value.reason, 'scheduled');
    assert.equal(request.value.tier, 'paid');
    assert.ok(request.at >= resumedAt - 1_000, 'not emitted while the tenant was paused');
    // Its slot: the frame in its request id, at the link's phase (the same pure planner the scheduler runs).
    const table = compileTable(schedulableLinks([resumed]), COMPRESSED_POLICY);
    const frameStart = parseInt(request.value.requestId.split('-')[1]!, 36);
    const slotAt = frameStart + table.phase[0]! * PERIOD;
    assert.ok(request.at >= slotAt, `emitted ${slotAt - request.at} ms before its slot`);
    // A tenant the scheduler has not emitted yet gets the latest slot that has passed when it sees the tenant, so
    // the request comes before the slot after it (a tick and a transaction of slack), whatever its phase.
    assert.ok(request.at < slotAt + PERIOD + 1_000, `emitted ${request.at - slotAt} ms after its slot, past the next one`);

    const warehouse = p.warehouse!;
    await waitFor(async () => {
      const [row] = await warehouse.query<{ n: string }>(
        "SELECT count() AS n FROM sync_runs FINAL WHERE request_id = {id:String} AND status = 'succeeded'", { id: request.value.requestId });
      return Number(row?.n) === 1;
    }, { deadlineMs: 60_000, description: `a succeeded run of ${request.value.requestId} in sync_runs` });

    const expected = p.sim.expectedCounts(TENANT.mallId);
    const want = { orders: expected.orders, order_items: expected.items, products: expected.products * expected.shops, categories: expected.categories * expected.shops };
    const countsOf = async () => Object.fromEntries(await Promise.all(Object.keys(want).map(async (table) => [table, Number((await warehouse.query<{ n: string }>(
      `SELECT count() AS n FROM ${table} FINAL WHERE tenant_id = {t:String} AND platform = 'cafe24'`, { t: TENANT.tenantId }))[0]?.n)])));
    // The sink may still be landing the last chunks after the run event: wait for the counts, then compare.
    const got = await waitFor(async () => {
      const c = await countsOf();
      return Object.entries(want).every(([table, n]) => c[table] >= n) ? c : undefined;
    }, { deadlineMs: 30_000, description: `${TENANT.tenantId}'s rows` }).catch(countsOf);
    assert.deepEqual(got, want);
    assert.ok(want.orders > 0 && want.products > 0);
  });

  it('backfill --since a KST day publishes one request and follows its run events until it has landed', async () => {
    const since = new Date(Date.now() - 30 * 86_400_000);
    const day = new Date(since.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const r = await p.cli(['--json', 'backfill', TENANT.tenantId, '--since', day, '--platform', 'cafe24', '--entities', 'orders', '--timeout', '90']);
    assert.equal(r.code, 0, `backfill exited ${r.code}: ${r.stderr}`);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; status?: string; backfills?: { status: string; steps: number; records: number }[] });
    assert.ok(events.some((e) => e.event === 'run' && e.status === 'succeeded'), 'the run events were followed');
    const done = events.at(-1)!;
    assert.equal(done.event, 'done');
    const [backfill] = done.backfills ?? [];
    assert.equal(backfill?.status, 'succeeded');
    assert.ok(backfill.steps >= 1);
    // The request's window starts at KST midnight of that day: exactly the simulator's orders placed since then.
    assert.equal(backfill.records, p.sim.expectedCounts(TENANT.mallId, { since: new Date(`${day}T00:00:00+09:00`) }).orders);

    // Off a terminal (this child's stderr is a pipe) progress is a line per run event, not a bar drawn once, empty.
    const plain = await p.cli(['backfill', TENANT.tenantId, '--since', day, '--platform', 'cafe24', '--entities', 'orders', '--timeout', '90']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, new RegExp(`^${TENANT.tenantId}/cafe24: succeeded: 1/1 entities, 1 step\\(s\\), ${backfill.records} records$`, 'm'));
    assert.doesNotMatch(plain.stdout + plain.stderr, /\{name\}|░/);
  });
});
