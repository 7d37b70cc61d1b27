import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { RawResultContract, SyncRequestContract, SyncRunContract, type SyncRequest, type SyncRun } from '../../../lib/contracts/index.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { TIER_POLICIES } from '../../../lib/sync/tiers.js';
import { waitFor } from '../../../lib/wait-for.js';
import { createCafe24Consumer } from '../../../consumers/cafe24/cafe24-consumer.js';
import { grantFromTokenResponse } from '../../../consumers/cafe24/token-refresher.js';
import { DEFAULT_APP, startCafe24Simulator, type Cafe24Simulator } from '../../../simulators/cafe24/simulator.js';
import { cafe24Settings } from '../../helpers/cafe24.js';
import { drainTopic, testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';

const MALL = 'shopone';
const TENANT = 'tenant-shopone';
const fastRetry = {
  paid: { ...TIER_POLICIES.paid, retry: { initialMs: 100, maxMs: 500, multiplier: 2, jitter: 0, maxAttempts: 4 } },
  free: TIER_POLICIES.free,
};

const request = (extra: Partial<SyncRequest> = {}): SyncRequest => ({
  v: 1, requestId: randomUUID(), tenantId: TENANT, platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: new Date().toISOString(), ...extra,
});

describe('cafe24 consumer against the simulator (real broker)', function () {
  this.timeout(120_000);
  let kafka: TestKafka;
  let sim: Cafe24Simulator;
  let consumer: ReturnType<typeof createCafe24Consumer>;
  const keySpec = generateKeySpec('test');
  const keyring = createKeyring(keySpec);

  beforeEach(async () => {
    kafka = await testKafka('cafe24');
    await kafka.createTopics('all');
    sim = await startCafe24Simulator({ seed: 7, shops: [{ mallId: MALL, products: 150, orders: 600 }] });
    consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('c'), logger: testLogger(), keyring, cafe24: cafe24Settings(sim), buyerHashSalt: 'salt', tierPolicies: fastRetry,
    });
    await consumer.start();
    const { response } = await sim.issueTokens(MALL);
    await consumer.credentials.put(TENANT, 'cafe24', grantFromTokenResponse(MALL, response));
  });

  afterEach(async () => {
    await consumer.stop();
    await sim.close();
    await kafka.close();
  });

  let runsSeen = 0;
  beforeEach(() => (runsSeen = 0));
  async function sync(extra: Partial<SyncRequest> = {}): Promise<SyncRun> {
    await kafka.produce('sync.cafe24.high', [{ key: TENANT, value: SyncRequestContract.encode(request(extra)) }]);
    runsSeen++;
    const runs = (await kafka.readTopic('sync.runs', runsSeen, { deadlineMs: 40_000 })).map((m) => {
      const run = SyncRunContract.decode(m.value);
      assert.ok(run.ok);
      return run.value;
    });
    return runs[runs.length - 1]!;
  }

  it('a full sync fetches every order, product and category; an incremental one only the look-back window', async () => {
    const expected = sim.expectedCounts(MALL);
    const full = await sync();
    assert.equal(full.status, 'succeeded');
    assert.deepEqual(full.counts, { orders: expected.orders, products: expected.products, categories: expected.categories });

    const lookbackStart = new Date(Date.now() + 9 * 3_600_000 - 15 * 86_400_000).toISOString().slice(0, 10);
    const recent = sim.expectedCounts(MALL, { since: `${lookbackStart}T00:00:00+09:00` });
    const incremental = await sync();
    assert.equal(incremental.status, 'succeeded');
    assert.equal(incremental.counts.orders, recent.orders, 'orders of the look-back window only');
    assert.equal(incremental.counts.products ?? 0, 0, 'no product changed since the last scan');
    assert.equal(incremental.counts.categories, undefined, 'categories are cached');

    const chunks = (await drainTopic(kafka, 'raw.results')).map((m) => RawResultContract.decode(m.value));
    const orders = chunks.flatMap((c) => (c.ok && c.value.entity === 'orders' ? c.value.records : [])) as Record<string, unknown>[];
    assert.equal(orders.length, expected.orders + recent.orders);
    for (const order of orders.slice(0, 50)) {
      for (const personal of ['member_id', 'member_email', 'billing_name']) assert.equal(order[personal], undefined, `${personal} left the connector`);
      assert.equal(typeof order.buyer_hash, 'string');
    }
  });

  it('an access token that expires mid-sync is refreshed once, and the rotated grant is stored', async () => {
    sim.expireAccessTokens(MALL);
    const run = await sync();
    assert.equal(run.status, 'succeeded');
    assert.equal(sim.stats(MALL).refreshes, 1);
    const stored = await consumer.credentials.get<{ accessTokenExpiresAt: number }>(TENANT, 'cafe24');
    assert.ok(stored!.accessTokenExpiresAt > Date.now() + 3_600_000, 'the stored grant is the fresh one');
  });

  it('the rotated refresh token survives a kill -9 right after the refresh', async () => {
    sim.expireAccessTokens(MALL);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../fixtures/cafe24-process.ts', import.meta.url))], {
      env: {
        ...process.env, TOPIC_PREFIX: kafka.prefix, INSTANCE_ID: 'crashing-0', SECRETS_KEYS: keySpec,
        CAFE24_API_BASE_TEMPLATE: sim.apiBaseTemplate, CAFE24_CLIENT_ID: DEFAULT_APP.clientId, CAFE24_CLIENT_SECRET: DEFAULT_APP.clientSecret,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    try {
      // Stop our in-process consumer so the child takes the job.
      await consumer.stop();
      await waitFor(() => out.includes('READY'), { deadlineMs: 30_000, description: 'the child consumer' });
      await kafka.produce('sync.cafe24.high', [{ key: TENANT, value: SyncRequestContract.encode(request()) }]);
      await waitFor(() => out.includes(`ROTATED ${TENANT}`), { deadlineMs: 30_000, description: 'the refresh in the child' });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(sim.stats(MALL).refreshes, 1);

    // The only valid refresh token now is the one the child persisted: expire the access token again so the
    // next consumer has to use it.
    sim.expireAccessTokens(MALL);
    consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('c'), logger: testLogger(), keyring, cafe24: cafe24Settings(sim), buyerHashSalt: 'salt', tierPolicies: fastRetry,
    });
    await consumer.start();
    const [run] = (await kafka.readTopic('sync.runs', 1, { deadlineMs: 40_000 })).map((m) => SyncRunContract.decode(m.value));
    assert.ok(run?.ok);
    assert.equal(run.value.status, 'succeeded', 'the redone job refreshed with the persisted token');
    assert.equal(sim.stats(MALL).refreshes, 2);
    assert.equal(sim.stats(MALL).tokenErrors, 0, 'no dead refresh token was ever used');
  });

  it('a 429 storm fails no job, it only slows them', async () => {
    sim.faults.storm(MALL, 8);
    const run = await sync();
    assert.equal(run.status, 'succeeded');
    assert.ok(sim.stats(MALL).rateLimited >= 8, 'the storm happened');
    const runs = (await drainTopic(kafka, 'sync.runs')).map((m) => SyncRunContract.decode(m.value)).map((r) => (r.ok ? r.value.status : 'invalid'));
    assert.ok(runs.every((s) => s === 'succeeded' || s === 'retrying'), runs.join(','));
  });

  it('a shop revoked mid-run ends in needs_reauth, and later jobs do not hammer the token endpoint', async () => {
    sim.revoke(MALL);
    const run = await sync();
    assert.equal(run.status, 'needs_reauth');
    const tokenCalls = sim.stats(MALL).refreshes + sim.stats(MALL).tokenErrors;
    const again = await sync();
    assert.equal(again.status, 'needs_reauth');
    assert.equal(sim.stats(MALL).refreshes + sim.stats(MALL).tokenErrors, tokenCalls, 'no second refresh attempt');
    await waitFor(async () => (await consumer.credentials.get<{ needsReauth?: boolean }>(TENANT, 'cafe24'))?.needsReauth, { description: 'the grant marked' });
  });
});
