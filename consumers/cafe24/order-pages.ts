/**
 * A window's order pages by offset, fetched ahead of the one being emitted. A page of 1,000 orders with items is
 * ~8 MB that the mall takes a while to build and send; one at a time, a large mall's sync is a chain of round
 * trips while its limits allow more (the mall's limiter admits 2 calls in flight, rate-limiter.ts).
 */
export const ORDERS_PAGE = 1000;
/** The largest `offset` GET /orders takes (reference §7.1). */
export const ORDERS_MAX_OFFSET = 15_000;
/** Pages asked for at once: the one awaited and the next. */
export const ORDERS_PAGES_AHEAD = 2;

/**
 * Each page fetched at most once, with up to ORDERS_PAGES_AHEAD asked for from the one awaited on, but only among
 * those the window's count says exist: orders placed since the count are reached one page at a time, as without a
 * count. `at` is called with increasing offsets, one page apart; each page still comes back in offset order; with
 * `ahead: false` it asks for no page beyond the one awaited (the job is about to yield). A page asked for ahead and
 * never awaited (the job failed first) is dropped, its failure with it.
 */
export function orderPages<T>(count: number, fetch: (offset: number) => Promise<T>) {
  const lastCounted = Math.min(ORDERS_MAX_OFFSET, Math.max(0, Math.ceil(count / ORDERS_PAGE) - 1) * ORDERS_PAGE);
  const asked = new Map<number, Promise<T>>();
  const ask = (offset: number) => {
    const page = fetch(offset);
    page.catch(() => undefined);
    asked.set(offset, page);
  };
  return {
    asked: (offset: number): boolean => asked.has(offset),
    at(offset: number, { ahead: askAhead = true } = {}): Promise<T> {
      if (!asked.has(offset)) ask(offset);
      const aheadLimit = askAhead ? offset + ORDERS_PAGES_AHEAD * ORDERS_PAGE : offset;
      for (let ahead = offset + ORDERS_PAGE; ahead < aheadLimit && ahead <= lastCounted; ahead += ORDERS_PAGE) {
        if (!asked.has(ahead)) ask(ahead);
      }
      const page = asked.get(offset)!;
      asked.delete(offset);
      return page;
    },
  };
}
