import assert from 'node:assert/strict';
import { ORDERS_MAX_OFFSET, ORDERS_PAGE, orderPages } from '../../../consumers/cafe24/order-pages.js';

/** A fetch whose pages resolve only when the test says, recording what was asked and when. */
function controlledFetch() {
  const asked: number[] = [];
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const fetch = (offset: number) => new Promise<string>((resolve, reject) => {
    asked.push(offset);
    pending.set(offset, { resolve, reject });
  });
  return { asked, fetch, resolve: (offset: number) => pending.get(offset)!.resolve(`page ${offset}`), reject: (offset: number) => pending.get(offset)!.reject(new Error(`page ${offset} failed`)) };
}

describe('cafe24 order pages (pure)', () => {
  it('asks for the next counted page while the current one is awaited, each page once, in offset order', async () => {
    const source = controlledFetch();
    const pages = orderPages(2_500, source.fetch);
    const first = pages.at(0);
    assert.deepEqual(source.asked, [0, 1000]);
    source.resolve(0);
    assert.equal(await first, 'page 0');
    const second = pages.at(1000);
    assert.deepEqual(source.asked, [0, 1000, 2000], 'the page asked ahead is not asked again');
    source.resolve(1000);
    assert.equal(await second, 'page 1000');
    const third = pages.at(2000);
    assert.deepEqual(source.asked, [0, 1000, 2000], 'no page past the count is asked ahead');
    source.resolve(2000);
    assert.equal(await third, 'page 2000');
  });

  it('with ahead: false (the job yields after this page), asks for no page beyond the one awaited', () => {
    const source = controlledFetch();
    const pages = orderPages(5_000, source.fetch);
    void pages.at(0);
    assert.deepEqual(source.asked, [0, 1000]);
    assert.equal(pages.asked(1000), true);
    void pages.at(1000, { ahead: false });
    assert.deepEqual(source.asked, [0, 1000], 'page 2000 is left to the continuation');
    assert.equal(pages.asked(2000), false);
  });

  it('past the count (orders placed since), pages are asked one at a time', () => {
    const source = controlledFetch();
    const pages = orderPages(1_000, source.fetch);
    void pages.at(0);
    assert.deepEqual(source.asked, [0]);
    void pages.at(1000);
    void pages.at(2000);
    assert.deepEqual(source.asked, [0, 1000, 2000]);
  });

  it('never asks ahead past the largest offset the API takes', () => {
    const source = controlledFetch();
    const pages = orderPages(40_000, source.fetch);
    void pages.at(ORDERS_MAX_OFFSET);
    assert.deepEqual(source.asked, [ORDERS_MAX_OFFSET]);
  });

  it('a page asked ahead that fails is reported to whoever awaits it, and is no unhandled rejection before', async () => {
    const source = controlledFetch();
    const pages = orderPages(3 * ORDERS_PAGE, source.fetch);
    const first = pages.at(0);
    source.reject(1000);
    // A turn of the event loop with the rejected page not awaited: an unhandled rejection would fail the run here.
    await new Promise((resolve) => setImmediate(resolve));
    source.resolve(0);
    await first;
    await assert.rejects(pages.at(1000), /page 1000 failed/);
  });
});
