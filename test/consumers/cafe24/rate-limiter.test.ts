import assert from 'node:assert/strict';
import { DEFAULT_RATE_LIMIT_POLICY as P, delayBeforeCall, freshState, observe, recordCall } from '../../../consumers/cafe24/rate-limiter.js';

/** Simulates a client that starts a call as soon as the model allows, with instant responses. */
function callTimes(count: number, policy = { ...P, maxInFlight: 1 }) {
  const s = freshState(policy, 0);
  const starts: number[] = [];
  let now = 0;
  while (starts.length < count) {
    now += delayBeforeCall(s, now, policy);
    recordCall(s, now, policy);
    starts.push(now);
    s.inFlight--;
  }
  return starts;
}

/** The server's bucket (reference §4.1): level drains 2/s; a call is refused when level + 1 > 40. */
function serverRefusals(starts: number[]) {
  let level = 0;
  let at = 0;
  let refused = 0;
  for (const t of starts) {
    level = Math.max(0, level - ((t - at) / 1000) * 2);
    at = t;
    if (level + 1 > 40) refused++;
    else level += 1;
  }
  return refused;
}

describe('cafe24 rate limiter (pure)', () => {
  it('bursts to the bucket minus headroom, then settles at the drain rate, never refused by the server', () => {
    const starts = callTimes(120);
    assert.equal(serverRefusals(starts), 0);
    const steady = starts.slice(80);
    const rate = (steady.length - 1) / ((steady[steady.length - 1]! - steady[0]!) / 1000);
    assert.ok(Math.abs(rate - 2) < 0.05, `steady rate ${rate}/s`);
  });

  it('never starts 10 calls within one second (the abnormal-traffic rule)', () => {
    const starts = callTimes(60);
    for (let i = 0; i + P.maxPerSecond < starts.length; i++) {
      assert.ok(starts[i + P.maxPerSecond]! - starts[i]! >= 1000, `calls ${i}..${i + P.maxPerSecond} within a second`);
    }
  });

  it('caps calls in flight per mall', () => {
    const s = freshState(P, 0);
    recordCall(s, 0, P);
    recordCall(s, 0, P);
    assert.equal(delayBeforeCall(s, 0, P), Infinity);
  });

  it('trusts the mall\'s own count and honours usage blocks and 429s', () => {
    const s = freshState(P, 0);
    observe(s, 0, { 'x-api-call-limit': '37/40' }, 200);
    assert.equal(delayBeforeCall(s, 0, P), 500, 'one slot must drain before the headroom is respected');
    observe(s, 0, { 'x-api-call-limit': '1/40', 'x-cafe24-call-remain': '7' }, 200);
    assert.equal(delayBeforeCall(s, 0, P), 7000);
    const t = freshState(P, 0);
    observe(t, 0, {}, 429);
    assert.ok(delayBeforeCall(t, 0, P) >= 1000);
  });
});
