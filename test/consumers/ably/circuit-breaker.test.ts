/** The Ably circuit breaker as a pure state machine on a fake clock. */
import assert from 'node:assert/strict';
import { createCircuitBreaker } from '../../../consumers/ably/circuit-breaker.js';

describe('ably circuit breaker', () => {
  let t = 0;
  const breaker = () => createCircuitBreaker({ windowMs: 10_000, minSamples: 4, openAtBlockRate: 0.5, openMs: 5_000, now: () => t });
  beforeEach(() => { t = 1_000_000; });

  it('stays closed while blocks are rare or too few to judge', () => {
    const b = breaker();
    b.record('blocked');
    b.record('blocked');
    b.record('blocked');
    assert.equal(b.state, 'closed', 'three samples are below minSamples');
    const c = breaker();
    for (let i = 0; i < 10; i++) c.record('ok');
    c.record('blocked');
    assert.equal(c.state, 'closed', 'one block in eleven');
    assert.equal(b.state, 'closed');
    assert.deepEqual(b.allow(), { ok: true, probe: false });
  });

  it('opens when the block rate spikes, refuses with the time left, then lets one probe through', () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) b.record(i === 0 ? 'ok' : 'blocked');
    assert.equal(b.state, 'open');
    assert.equal(b.opened, 1);
    t += 2_000;
    assert.deepEqual(b.allow(), { ok: false, retryAfterMs: 3_000 });
    t += 3_000;
    assert.equal(b.state, 'half_open');
    assert.deepEqual(b.allow(), { ok: true, probe: true });
    assert.equal(b.allow().ok, false, 'one probe at a time');
    b.record('ok', true);
    assert.equal(b.state, 'closed');
    assert.deepEqual(b.allow(), { ok: true, probe: false });
  });

  it('a blocked probe opens it again; old outcomes leave the window', () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) b.record('blocked');
    t += 5_000;
    assert.equal(b.allow().ok, true);
    b.record('blocked', true);
    assert.equal(b.state, 'open');
    assert.equal(b.opened, 2);
    t += 5_000;
    b.allow();
    b.record('ok', true);
    b.record('blocked');
    b.record('blocked');
    t += 11_000;
    b.record('ok');
    b.record('blocked');
    assert.equal(b.state, 'closed', 'the first two blocks slid out of the window');
  });
});
