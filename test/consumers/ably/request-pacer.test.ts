/**
 * The Ably request pacer's buckets (consumers/ably/request-pacer.ts), on a clock the test moves: a new seller's
 * first calls go at once however the clock ticks, the next waits for its token.
 */
import assert from 'node:assert/strict';
import { createRequestPacer, PACER_EVENTS } from '../../../consumers/ably/request-pacer.js';

describe('ably request pacer', () => {
  const signal = new AbortController().signal;

  it('lets a new account\'s first call go at once even when the clock ticks between its reads', async () => {
    // Every read of the clock is a millisecond later than the one before.
    let ms = 1_000_000;
    const pacer = createRequestPacer({ hostRatePerSec: 100, hostBurst: 100, accountRatePerSec: 10, accountBurst: 1, jitterMs: 0 }, () => ms++);
    const waits: number[] = [];
    pacer.events.on(PACER_EVENTS.WAITED, ({ waitedMs }) => waits.push(waitedMs));
    await pacer.acquire('api.a-bly.com', 'seller-1', signal);
    assert.deepEqual(waits, [], 'a burst of 1 lets the first call go without waiting');
  });

  it('holds the call past the burst until its token has refilled, and says how long', async () => {
    let ms = 5_000;
    const pacer = createRequestPacer({ hostRatePerSec: 100, hostBurst: 100, accountRatePerSec: 1_000, accountBurst: 1, jitterMs: 0 }, () => ms);
    const waits: number[] = [];
    pacer.events.on(PACER_EVENTS.WAITED, ({ waitedMs }) => waits.push(waitedMs));
    await pacer.acquire('api.a-bly.com', 'seller-1', signal);
    const second = pacer.acquire('api.a-bly.com', 'seller-1', signal);
    // The pacer sleeps the 1 ms it computed; the clock it reads moves on by 1 ms meanwhile.
    ms += 1;
    await second;
    assert.deepEqual(waits, [1]);
  });
});
