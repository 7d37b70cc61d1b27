import assert from 'node:assert/strict';
import { backoff, DEFAULT_RETRY, hasAttemptsLeft } from '../../lib/retry.js';

describe('backoff', () => {
  const noJitter = { ...DEFAULT_RETRY, jitter: 0 };
  it('grows exponentially from the initial delay and caps at the maximum', () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => backoff(a, noJitter)), [300, 600, 1200, 2400]);
    assert.equal(backoff(30, noJitter), DEFAULT_RETRY.maxMs);
  });
  it('spreads each delay over ±jitter', () => {
    assert.equal(backoff(1, DEFAULT_RETRY, () => 0), 240);
    assert.equal(backoff(1, DEFAULT_RETRY, () => 1), 360);
  });
  it('with full jitter draws each delay from zero up to the exponential delay', () => {
    const full = { ...DEFAULT_RETRY, jitter: 'full' as const };
    assert.deepEqual([0, 0.5, 1].map((r) => backoff(3, full, () => r)), [0, 600, 1200]);
  });
  it('counts attempts including the first', () => {
    assert.equal(hasAttemptsLeft(4, DEFAULT_RETRY), true);
    assert.equal(hasAttemptsLeft(5, DEFAULT_RETRY), false);
  });
});
