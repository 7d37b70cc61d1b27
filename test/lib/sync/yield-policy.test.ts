import assert from 'node:assert/strict';
import { createYieldPolicy } from '../../../lib/sync/yield-policy.js';

describe('yield policy: when a sync job hands the rest to a continuation', function () {
  const policy = () => createYieldPolicy({ startedAtMs: 0, budgetMs: 30_000, yieldAtShare: 0.7 });

  it('yields at its share of the budget when steps are quick', function () {
    const shouldYield = policy();
    const times = Array.from({ length: 22 }, (_, i) => i * 1_000); // a 1 s step each, up to 21 s
    assert.deepEqual(times.map((t) => shouldYield(t)), times.map((t) => t >= 21_000));
  });

  it('yields earlier when the time left would not fit its slowest step twice', function () {
    const shouldYield = policy();
    assert.equal(shouldYield(1_000), false);
    assert.equal(shouldYield(9_000), false); // an 8 s step; 21 s left
    assert.equal(shouldYield(14_500), true); // 15.5 s left < 2 × 8 s
  });

  it('never yields at its first ask before the share, however long the set-up took', function () {
    const shouldYield = policy();
    assert.equal(shouldYield(18_000), false, 'the job makes progress: no continuation that repeats it');
    assert.equal(shouldYield(19_000), false, 'the 18 s set-up is not a step: 11 s left fit a 1 s step');
    assert.equal(shouldYield(21_000), true);
  });

  it('yields once the bytes it holds reach maxStepBytes, whatever the time', function () {
    const shouldYield = createYieldPolicy({ startedAtMs: 0, budgetMs: 30_000, yieldAtShare: 0.7, maxStepBytes: 1_000 });
    assert.equal(shouldYield(100, 0), false);
    assert.equal(shouldYield(200, 999), false);
    assert.equal(shouldYield(300, 1_000), true);
  });
});
