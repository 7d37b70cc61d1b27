import assert from 'node:assert/strict';
import {
  callsUsed, emptyBucket, levelAt, msUntilRoom, tryAdmit, usagePercent, type BucketState,
} from '../../../simulators/cafe24/leaky-bucket.js';

const CAFE24 = { capacity: 40, leakPerSecond: 2 };

function burst(state: BucketState, atMs: number, calls: number) {
  let admitted = 0;
  let current = state;
  for (let i = 0; i < calls; i++) {
    const result = tryAdmit(current, atMs, CAFE24);
    current = result.state;
    if (result.admitted) admitted++;
  }
  return { admitted, state: current };
}

describe('cafe24 leaky bucket (pure)', () => {
  it('admits a burst of exactly the capacity and refuses the next call without adding it', () => {
    const { admitted, state } = burst(emptyBucket(0), 0, 41);
    assert.equal(admitted, 40);
    assert.equal(state.level, 40, 'the refused call must not be added to the bucket');
  });

  it('drains 2 calls per second: room for one more after 500 ms, not before', () => {
    const full = burst(emptyBucket(0), 0, 40).state;
    assert.equal(tryAdmit(full, 499, CAFE24).admitted, false);
    const after = tryAdmit(full, 500, CAFE24);
    assert.equal(after.admitted, true);
    assert.equal(after.state.level, 40);
    assert.equal(levelAt(full, 20_000, CAFE24.leakPerSecond), 0, 'empty after capacity / rate = 20 s');
  });

  it('never refuses a sustained 2 calls per second, even starting from a full bucket', () => {
    let state = burst(emptyBucket(0), 0, 40).state;
    for (let i = 1; i <= 1000; i++) {
      const result = tryAdmit(state, i * 500, CAFE24);
      assert.equal(result.admitted, true, `call ${i} at ${i * 500} ms`);
      state = result.state;
    }
  });

  it('applies a lower per-endpoint limit to the shared bucket (limit 1 needs a drained bucket)', () => {
    const one = tryAdmit(emptyBucket(0), 0, CAFE24, 1, 1);
    assert.equal(one.admitted, true);
    assert.equal(tryAdmit(one.state, 499, CAFE24, 1, 1).admitted, false);
    assert.equal(tryAdmit(one.state, 500, CAFE24, 1, 1).admitted, true);
  });

  it('computes the wait until a call fits', () => {
    assert.equal(msUntilRoom(40, CAFE24), 500);
    assert.equal(msUntilRoom(39, CAFE24), 0);
    assert.equal(msUntilRoom(45, CAFE24), 3000);
  });

  it('drains nothing when time runs backwards', () => {
    const state = { level: 10, atMs: 1000 };
    assert.equal(levelAt(state, 0, 2), 10);
  });

  it('formats usage and the used count like the headers do', () => {
    assert.equal(usagePercent(48.016, 40), 120.04);
    assert.equal(usagePercent(5, 40), 12.5);
    assert.equal(callsUsed(38.2, 40), 39);
    assert.equal(callsUsed(41, 40), 40);
    assert.equal(callsUsed(0, 40), 0);
  });
});
