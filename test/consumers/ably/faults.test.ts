/**
 * Ably faults end to end (real broker, real Chromium, the simulator, the sink into embedded ClickHouse), one rig
 * per fault:
 *   - a block storm opens the platform's circuit breaker; the jobs it holds back are handed back without using
 *     up an attempt, it closes again on its own once the storm passes, and every row lands exactly;
 *   - a wrong password ends the job needs_reauth with one login and no retry, and later jobs do not log in;
 *   - Chromium killed with SIGKILL in the middle of a challenge login: the job retries, the rows land exactly,
 *     and no zombie or Chromium process of the killed browser remains;
 *   - schema drift and layout drift fail the job for good with the evidence stored (the offending record,
 *     scrubbed; the page and a screenshot) and its path in the run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAblyConsumer, type AblyConsumerOptions } from '../../../consumers/ably/ably-consumer.js';
import type { AblySecret } from '../../../consumers/ably/login.js';
import { platformModels } from '../../../consumers/platforms.js';
import { createSink } from '../../../consumers/sink/sink.js';
import { SyncRunContract, type SyncRun } from '../../../lib/contracts/sync-run.js';
import type { SyncRequest } from '../../../lib/contracts/sync-request.js';
import { createPublisher, type Publisher } from '../../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';
import { processes as procs } from '../../../lib/testing/processes.js';
import { waitFor } from '../../../lib/wait-for.js';
import { migrate } from '../../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { buildSyncRequest, publishSyncRequests } from '../../../producers/sync-requests.js';
import { startAblySimulator, type AblySellerSpec, type AblySimulator } from '../../../simulators/ably/index.js';
import { testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

const FAST = [{ ratePerSec: 500, burst: 1000 }];
const settingsOf = (sim: AblySimulator, evidenceDir: string) => ({
  apiBaseUrl: sim.apiUrl, webUrl: sim.webUrl, hostRatePerSec: 200, accountRatePerSec: 100, lookbackDays: 7, initialDays: 90,
  browserPages: 2, browserRetireAfter: 100, browserMaxRssMb: 2048, evidenceDir,
});
const MAX_ATTEMPTS = 5;
const QUICK_RETRIES = {
  paid: { ...TIER_POLICIES.paid, retry: { initialMs: 200, maxMs: 1_000, multiplier: 2, jitter: 0.2, maxAttempts: MAX_ATTEMPTS } },
  free: TIER_POLICIES.free,
};
const tenantOf = (sellerId: string) => `t-${sellerId}`;
const small = (sellerId: string, loginMode: 'api' | 'challenge' = 'api'): AblySellerSpec => ({ sellerId, loginMode, goods: 3, historyDays: 20, ordersPerDay: 4 });

interface Rig {
  kafka: TestKafka;
  sim: AblySimulator;
  warehouse: Warehouse;
  consumer: ReturnType<typeof createAblyConsumer>;
  evidenceDir: string;
  /** Every run event so far, in order of arrival. */
  runs: SyncRun[];
  sync(sellerIds: string[]): Promise<SyncRequest[]>;
  runsOf(requestId: string): SyncRun[];
  /** The last run of each request, once every one of them ended (succeeded, dead, needs_reauth). */
  ended(requests: SyncRequest[], deadlineMs?: number): Promise<SyncRun[]>;
  close(): Promise<void>;
}

const TERMINAL = new Set(['succeeded', 'dead', 'needs_reauth']);

async function startRig(label: string, sellers: AblySellerSpec[], options: Partial<AblyConsumerOptions> = {}, secrets: Record<string, Partial<AblySecret>> = {}): Promise<Rig> {
  const kafka = await testKafka(label);
  await kafka.createTopics('all');
  const sim = await startAblySimulator({ seed: 11, sellers, limits: { perIp: FAST, perAccount: FAST } });
  const warehouse = await testWarehouse();
  await migrate(warehouse);
  const publisher: Publisher = await createPublisher(kafka);
  const evidenceDir = mkdtempSync(join(tmpdir(), 'ably-evidence-test-'));
  const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
  const consumer = createAblyConsumer({
    kafka, instanceId: uniqueName(label), logger: testLogger(), keyring: createKeyring(generateKeySpec(label)),
    ably: settingsOf(sim, evidenceDir), buyerHashSalt: 'salt', now: () => sim.clock.now(), pacer: { jitterMs: 0 },
    jobTimeoutMs: 60_000, tierPolicies: QUICK_RETRIES, ...options,
  });
  const runs: SyncRun[] = [];
  const reader = kafka.kafka.consumer({ groupId: uniqueName('runs'), maxWaitTimeInMs: 50 });
  await reader.connect();
  await reader.subscribe({ topic: kafka.topic('sync.runs'), fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => {
    const decoded = SyncRunContract.decode(message.value);
    if (decoded.ok) runs.push(decoded.value);
  } });
  await Promise.all([sink.start(), consumer.start()]);
  for (const seller of sim.sellers) {
    await consumer.credentials.put(tenantOf(seller.sellerId), 'ably', { email: seller.email, password: seller.password, ...secrets[seller.sellerId] } satisfies AblySecret);
  }
  const runsOf = (requestId: string) => runs.filter((r) => r.requestId === requestId);
  return {
    kafka, sim, warehouse, consumer, evidenceDir, runs, runsOf,
    async sync(sellerIds) {
      const requests = sellerIds.map((id) => buildSyncRequest({ tenantId: tenantOf(id), platform: 'ably', tier: 'paid' }, 'manual'));
      await publishSyncRequests(publisher, requests);
      return requests;
    },
    ended: (requests, deadlineMs = 90_000) => waitFor(() => {
      const last = requests.map((r) => runsOf(r.requestId).at(-1));
      return last.every((run) => run !== undefined && TERMINAL.has(run.status)) ? (last as SyncRun[]) : undefined;
    }, { deadlineMs, description: 'every request ended' }),
    async close() {
      await consumer.stop();
      await sink.stop();
      await reader.disconnect();
      await publisher.close();
      await disposeTestWarehouse(warehouse);
      await sim.stop();
      await kafka.close();
      rmSync(evidenceDir, { recursive: true, force: true });
    },
  };
}

async function tableCount(warehouse: Warehouse, table: string, tenantId: string): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${table} FINAL WHERE tenant_id = {t:String} AND platform = 'ably'`, { t: tenantId });
  return Number(row?.n);
}

/** Every seller's rows in ClickHouse are exactly the simulator's truth. */
async function assertExactRows(rig: Rig, sellerIds: string[]): Promise<void> {
  for (const sellerId of sellerIds) {
    const t = rig.sim.truth(sellerId);
    const want = { orders: t.orders, order_items: t.orderItems, products: t.goods, order_claims: t.cancels + t.returns, reviews: t.reviews, settlements: t.settlements };
    const read = async () => Object.fromEntries(await Promise.all(Object.keys(want).map(async (table) => [table, await tableCount(rig.warehouse, table, tenantOf(sellerId))])));
    const got = await waitFor(async () => {
      const c = await read();
      return Object.entries(want).every(([k, v]) => c[k] >= v) ? c : undefined;
    }, { deadlineMs: 30_000, description: `${sellerId}'s rows` }).catch(read);
    assert.deepEqual(got, want, sellerId);
    assert.ok(want.order_items > 0, `${sellerId} has data`);
  }
}

describe('ably faults end to end', function () {
  this.timeout(240_000);
  let current: Rig | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  it('a block storm opens the breaker, held-back jobs keep their attempts, it closes on its own and the rows land', async () => {
    const sellers = ['storm-a', 'storm-b', 'storm-c', 'storm-d', 'storm-e', 'storm-f'];
    const rig = current = await startRig('ably-storm', sellers.map((id) => small(id)), {
      breaker: { minSamples: 3, openAtBlockRate: 0.5, openMs: 2_000, windowMs: 60_000 }, api: { blockCoolDownMs: 300 },
    });
    const { sim, consumer } = rig;
    sim.setKnobs({ blockStormRate: 1 });
    const requests = await rig.sync(sellers);
    const heldBack = () => rig.runs.filter((r) => r.errorClass === 'BREAKER_OPEN').length;
    // Long enough that a job burning an attempt per refusal would have run out of them.
    await waitFor(() => heldBack() >= MAX_ATTEMPTS * sellers.length, { deadlineMs: 90_000, description: 'jobs held back by the open breaker' });
    assert.ok(consumer.stack.breaker.opened >= 1, 'the breaker opened');
    assert.ok(rig.runs.some((r) => r.errorClass === 'SOFT_BLOCKED'), 'the storm soft-blocked jobs');
    sim.setKnobs({ blockStormRate: 0 });

    const ended = await rig.ended(requests);
    assert.deepEqual(ended.map((r) => r.status), requests.map(() => 'succeeded'));
    assert.equal(consumer.stack.breaker.state, 'closed', 'closed again on its own');
    for (const request of requests) {
      const runs = rig.runsOf(request.requestId);
      const spent = runs.filter((r) => r.status === 'retrying' && r.errorClass !== 'BREAKER_OPEN').length;
      assert.equal(runs.at(-1)?.attempt, 1 + spent, `${request.tenantId}: only real failures used an attempt (${runs.map((r) => r.errorClass ?? r.status).join(' ')})`);
      for (const run of runs.filter((r) => r.errorClass === 'BREAKER_OPEN')) assert.equal(run.status, 'retrying');
    }
    assert.ok(requests.some((r) => rig.runsOf(r.requestId).length > MAX_ATTEMPTS), 'a job was handed back more often than it has attempts');
    assert.equal(rig.runs.filter((r) => r.status === 'dead').length, 0);
    await assertExactRows(rig, sellers);
  });

  it('a wrong password parks the seller needs_reauth after one login, with no retry', async () => {
    const rig = current = await startRig('ably-wrongpw', [small('wrong-api'), small('wrong-chal', 'challenge')], {}, {
      'wrong-api': { password: 'not-the-password' }, 'wrong-chal': { password: 'not-the-password' },
    });
    const sellers = ['wrong-api', 'wrong-chal'];
    const first = await rig.sync(sellers);
    const ended = await rig.ended(first);
    assert.deepEqual(ended.map((r) => [r.status, r.attempt, r.errorClass]), sellers.map(() => ['needs_reauth', 1, 'CREDENTIALS_REJECTED']));
    const second = await rig.sync(sellers);
    assert.deepEqual((await rig.ended(second)).map((r) => r.status), ['needs_reauth', 'needs_reauth']);
    for (const request of [...first, ...second]) assert.equal(rig.runsOf(request.requestId).length, 1, 'one run per request: no retry');
    for (const sellerId of sellers) {
      const login = rig.sim.stats(sellerId).login;
      assert.equal(login.failures + login.logins + login.challengeRefusals, 1, `${sellerId}: one login attempt in all (${JSON.stringify(login)})`);
      const secret = await rig.consumer.credentials.get<AblySecret>(tenantOf(sellerId), 'ably');
      assert.equal(secret?.needsNewCredentials, true);
    }
    assert.equal(rig.consumer.stack.browsers.stats.launches, 0, 'no browser for a refused password');
    assert.equal(rig.runs.filter((r) => r.status === 'retrying').length, 0);
  });

  it('kill -9 of Chromium mid-login: the job retries, the rows land exactly, no zombie and nothing of that browser left', async () => {
    const rig = current = await startRig('ably-kill', [small('kill-chal', 'challenge'), small('kill-api')]);
    const { sim, consumer } = rig;
    const browsers = consumer.stack.browsers;
    // Every API answer (the login challenge too) waits, so the kill lands while the login page is at work.
    sim.setKnobs({ latencyMs: 2_500 });
    const requests = await rig.sync(['kill-chal', 'kill-api']);
    const pid = await waitFor(() => (browsers.stats.openPages > 0 ? browsers.currentPid() : undefined), { deadlineMs: 60_000, description: 'the login page open' });
    await waitFor(() => procs().some((p) => p.pgrp === pid && p.pid !== pid && p.comm.includes('chrom')), { deadlineMs: 10_000, description: 'renderers up' });
    process.kill(pid, 'SIGKILL');
    sim.setKnobs({ latencyMs: 0 });

    const ended = await rig.ended(requests);
    assert.deepEqual(ended.map((r) => r.status), ['succeeded', 'succeeded']);
    const runs = rig.runsOf(requests[0]!.requestId);
    assert.deepEqual(runs.map((r) => [r.status, r.attempt]), [['retrying', 1], ['succeeded', 2]], 'the killed login failed retriably once');
    assert.equal(browsers.stats.crashes, 1);
    assert.equal(browsers.stats.launches, 2);
    assert.equal(consumer.stack.sessions.counts.browserLogins, 1);
    await assertExactRows(rig, ['kill-chal', 'kill-api']);
    await waitFor(() => procs().filter((p) => p.pgrp === pid && p.state !== 'Z').length === 0, { deadlineMs: 10_000, description: 'the killed browser group gone' });
    await waitFor(() => procs().filter((p) => p.ppid === process.pid && p.state === 'Z').length === 0, { deadlineMs: 10_000, description: 'no <defunct> child' });
    const second = browsers.currentPid();
    await rig.close();
    current = undefined;
    if (second !== undefined) await waitFor(() => procs().filter((p) => p.pgrp === second).length === 0, { deadlineMs: 10_000, description: 'nothing left after stop' });
    assert.equal(procs().filter((p) => p.ppid === process.pid && p.state === 'Z').length, 0);
  });

  it('schema drift and layout drift fail the job for good with the evidence stored and referenced from the run', async () => {
    const rig = current = await startRig('ably-drift', [small('drift-api'), small('drift-chal', 'challenge'), small('fine-api')]);
    const { sim } = rig;
    sim.setKnobs({ schemaDrift: 'rename' }, 'drift-api');
    sim.setKnobs({ layoutDrift: true });
    const requests = await rig.sync(['drift-api', 'drift-chal', 'fine-api']);
    const [schema, layout, fine] = await rig.ended(requests);
    assert.equal(fine?.status, 'succeeded', 'a seller without drift is not affected');

    assert.equal(schema?.status, 'dead');
    assert.equal(schema?.errorClass, 'SCHEMA_DRIFT');
    assert.equal(rig.runsOf(requests[0]!.requestId).length, 1, 'no retry of a drift');
    const schemaEvidence = /evidence (\S+\.json)/.exec(schema?.errorMessage ?? '')?.[1];
    assert.ok(schemaEvidence && existsSync(schemaEvidence), `the run names its evidence: ${schema?.errorMessage}`);
    const stored = JSON.parse(readFileSync(schemaEvidence, 'utf8')) as { entity: string; missing: string[]; record: string };
    assert.equal(stored.entity, 'orders');
    assert.deepEqual(stored.missing, ['ordered_at']);
    assert.match(stored.record, /"order_date"/, 'the offending record, as the API sent it');
    assert.doesNotMatch(stored.record, /buyer_name|receiver_|buyer_tel/, 'scrubbed before it was stored');
    assert.equal(await tableCount(rig.warehouse, 'raw_records', tenantOf('drift-api')), 0, 'nothing of the drifted job was emitted');

    assert.equal(layout?.status, 'dead');
    assert.equal(layout?.errorClass, 'LAYOUT_DRIFT');
    assert.equal(rig.runsOf(requests[1]!.requestId).length, 1, 'no retry of a drift');
    const screenshot = /screenshot (\S+\.png)/.exec(layout?.errorMessage ?? '')?.[1];
    const layoutEvidence = /evidence (\S+\.json)/.exec(layout?.errorMessage ?? '')?.[1];
    assert.ok(screenshot && existsSync(screenshot) && statSync(screenshot).size > 1_000, `a screenshot: ${layout?.errorMessage}`);
    assert.deepEqual([...readFileSync(screenshot).subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
    assert.ok(layoutEvidence && existsSync(layoutEvidence));
    const page = JSON.parse(readFileSync(layoutEvidence, 'utf8')) as { url: string; html: string };
    assert.match(page.url, /\/login/);
    assert.match(page.html, /login_email/, 'the page as the browser saw it');
    const secret = await rig.consumer.credentials.get<AblySecret>(tenantOf('drift-chal'), 'ably');
    assert.equal(secret?.parked, undefined, 'a redesign is not the seller\'s fault: not parked');
  });
});
