import assert from 'node:assert/strict';
import { createManualClock, type AblySimulator } from '../../../simulators/ably/index.js';
import { call, readReply, startTestSim } from './helpers.js';

/** Limits on a manual clock of their own, so bursts are exact whatever the machine's speed. */
const tightLimits = (softBlock: false | { windowMs: number; abuseFactor: number; coolDownMs: number }) => ({
  perIp: [{ ratePerSec: 1, burst: 3 }],
  perAccount: [{ ratePerSec: 1, burst: 100 }],
  softBlock,
});

describe('ably simulator: rate limits and soft blocks', () => {
  let sim: AblySimulator;
  afterEach(() => sim?.stop());

  it('answers 429 with Retry-After in seconds past the IP bucket, and admits again after that wait', async () => {
    const limitsClock = createManualClock();
    sim = await startTestSim({ limits: tightLimits(false), limitsClock });
    const token = sim.tokenFor(sim.sellers[0]!.sellerId);
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 4; i++) {
      const reply = await call(sim, '/seller/dashboard/summary/', { token });
      statuses.push(reply.status);
      if (reply.status === 429) refused = reply;
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(refused!.headers.get('retry-after'), '1');
    assert.equal(refused!.body.code, 'too_many_requests');
    limitsClock.advance(1000);
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token })).status, 200);
  });

  it('limits per account as well as per IP', async () => {
    const limitsClock = createManualClock();
    sim = await startTestSim({
      limits: { perIp: [{ ratePerSec: 100, burst: 100 }], perAccount: [{ ratePerSec: 1, burst: 2 }], softBlock: false }, limitsClock,
    });
    const [a, b] = sim.sellers;
    const tokenA = sim.tokenFor(a!.sellerId);
    const tokenB = sim.tokenFor(b!.sellerId);
    const statusesA = [];
    for (let i = 0; i < 3; i++) statusesA.push((await call(sim, '/seller/dashboard/summary/', { token: tokenA })).status);
    assert.deepEqual(statusesA, [200, 200, 429]);
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token: tokenB })).status, 200);
    assert.equal(sim.stats(a!.sellerId).rateLimited, 1);
  });

  it('soft-blocks sustained abuse: API 403 {"code":"blocked"}, pages 200 with "비정상적인 접근이 감지되었습니다", for the cool-down', async () => {
    const limitsClock = createManualClock();
    // Allowance in the 1 s window: burst 3 + 1/s = 4; abuse = more than 3 × 4 = 12 attempts.
    sim = await startTestSim({ limits: tightLimits({ windowMs: 1000, abuseFactor: 3, coolDownMs: 60_000 }), limitsClock });
    const token = sim.tokenFor(sim.sellers[0]!.sellerId);
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await call(sim, '/seller/dashboard/summary/', { token })).status);
    assert.deepEqual(statuses.slice(0, 4), [200, 200, 200, 429]);
    assert.equal(statuses[11], 429);
    assert.equal(statuses[12], 403);
    const blocked = await call(sim, '/seller/dashboard/summary/', { token });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.code, 'blocked');
    const page = await readReply(await fetch(`${sim.webUrl}/dashboard`));
    assert.equal(page.status, 200);
    assert.match(page.text, /비정상적인 접근이 감지되었습니다/);
    sim.setKnobs({ blockedApiAsHtml: true });
    const html = await call(sim, '/seller/dashboard/summary/', { token });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.match(html.text, /비정상적인 접근이 감지되었습니다/);
    limitsClock.advance(60_001);
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token })).status, 200);
  });

  it('forces soft blocks on every request under a block storm, and lets them through once it ends', async () => {
    sim = await startTestSim({ knobs: { blockStormRate: 1 } });
    const token = sim.tokenFor(sim.sellers[0]!.sellerId);
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token })).body.code, 'blocked');
    assert.match((await readReply(await fetch(`${sim.webUrl}/login`))).text, /비정상적인 접근이 감지되었습니다/);
    sim.setKnobs({ blockStormRate: 0 });
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token })).status, 200);
  });

  it('injects 502/503 gateway pages at the 5xx rate', async () => {
    sim = await startTestSim();
    const { sellerId } = sim.sellers[0]!;
    const token = sim.tokenFor(sellerId);
    sim.setKnobs({ status5xxRate: 1 }, sellerId);
    const reply = await call(sim, '/seller/dashboard/summary/', { token });
    assert.ok([502, 503].includes(reply.status));
    assert.match(reply.text, /nginx/);
    assert.equal((await call(sim, '/seller/dashboard/summary/', { token: sim.tokenFor(sim.sellers[1]!.sellerId) })).status, 200);
  });
});
