/**
 * Pages read on worker threads (lib/sync/page-threads.ts) are the pages the jobs' own thread would read: the same
 * chunk values, rows headers and summary; a page that is not JSON fails as it would here; a thread that dies or
 * holds a page past its time fails only the pages it held, and the next page gets a new thread; pages past what the
 * threads hold are read here; a model that does not load is refused at ready(). Real worker threads, no Kafka.
 */
import assert from 'node:assert/strict';
import { createBuyerHasher } from '../../../lib/buyer-hash.js';
import type { RawResultEnvelope } from '../../../lib/contracts/raw-result.js';
import { createFetchedChunks } from '../../../lib/sync/fetched-chunks.js';
import type { PageChunks } from '../../../lib/sync/page-chunks.js';
import { createPageThreads, inlinePageReader, PageThreadError, type PageReader, type PageThreadsOptions } from '../../../lib/sync/page-threads.js';
import { cafe24ApiOrder, cafe24Product } from '../../fixtures/sink-records.js';
import { EXIT_THREAD_ORDER, mappedHere, STUCK_THREAD_ORDER, THREAD_MODEL_SOURCE, threadModel } from '../../fixtures/thread-model.js';

const SALT = 'page-threads-salt';
const request = { requestId: '11111111-1111-4111-8111-111111111111', tenantId: 'tenant-1', platform: 'cafe24' } as const;
const edge = { model: threadModel, hashBuyer: createBuyerHasher(SALT) };
const envelopeOf = (entity: string): RawResultEnvelope => ({ v: 1, ...request, entity, fetchedAt: '2026-12-01T00:00:00.000Z' });
const pageOf = (listKey: string, records: unknown[]) => Buffer.from(JSON.stringify({ [listKey]: records, links: [] }));
const ordersOrder = { listKey: 'orders', envelope: envelopeOf('orders') };

/** Threads over the test model, with pages past what they hold read here. */
const threadsOf = (threads: number, options: Partial<PageThreadsOptions> = {}) => createPageThreads({
  threads, source: { ...THREAD_MODEL_SOURCE, buyerHashSalt: SALT }, overflow: inlinePageReader(edge), pageTimeoutMs: 30_000, ...options,
});

/** The chunks a job makes of these pages, read by `reader`, in order. */
async function chunksOf(reader: PageReader, pages: { entity: string; bytes: Buffer; keyField?: string }[], { oneByOne = false } = {}) {
  const fetched = createFetchedChunks(request);
  const summaries: Pick<PageChunks, 'listed' | 'maxKey'>[] = [];
  const readOne = ({ entity, bytes, keyField }: (typeof pages)[number]) => reader.read(bytes, { listKey: entity, keyField, envelope: envelopeOf(entity) });
  const read: (PageChunks | undefined)[] = [];
  if (oneByOne) for (const page of pages) read.push(await readOne(page));
  else read.push(...await Promise.all(pages.map(readOne)));
  for (const page of read) {
    assert.ok(page);
    summaries.push({ listed: page.listed, maxKey: page.maxKey });
    fetched.addPage(page);
  }
  const chunks = fetched.entities().flatMap((e) => e.chunks.map(({ value, rows }) => ({ entity: e.entity, value: value.toString('utf8'), rows: rows?.toString('hex') })));
  return { chunks, summaries };
}

describe('page threads: pages read off the jobs\' thread', function () {
  this.timeout(60_000);
  let threads: PageReader | undefined;
  afterEach(async () => {
    await threads?.close();
    threads = undefined;
  });

  it('give the chunks, rows and summaries the jobs\' thread would, moved back as Buffers', async () => {
    const pages = [
      { entity: 'orders', bytes: pageOf('orders', Array.from({ length: 300 }, (_, i) => cafe24ApiOrder(i + 1))) },
      { entity: 'orders', bytes: pageOf('orders', Array.from({ length: 40 }, (_, i) => cafe24ApiOrder(i + 301))) },
      { entity: 'products', bytes: pageOf('products', [cafe24Product(7), cafe24Product(42), cafe24Product(9)]), keyField: 'product_no' },
    ];
    threads = threadsOf(2);
    const before = mappedHere();
    const onThreads = await chunksOf(threads, pages);
    assert.equal(mappedHere(), before, 'no record was mapped on this thread');
    const here = await chunksOf(inlinePageReader(edge), pages);
    assert.ok(mappedHere() > before, 'the inline reader maps here');
    assert.deepEqual(onThreads, here);
    // Again, one by one: each page is copied into a buffer an earlier page was moved back in (as long or longer).
    assert.deepEqual(await chunksOf(threads, [...pages].reverse(), { oneByOne: true }), await chunksOf(inlinePageReader(edge), [...pages].reverse()));
    assert.ok(onThreads.chunks.length >= 3 && onThreads.chunks.every((c) => c.rows !== undefined), 'every chunk was mapped at the edge');
    assert.deepEqual(onThreads.summaries, [{ listed: 300, maxKey: undefined }, { listed: 40, maxKey: undefined }, { listed: 3, maxKey: 42 }]);
    assert.ok(!onThreads.chunks.some((c) => c.value.includes('"buyer_name"') || c.value.includes('"receivers"')), 'scrubbed on the thread');
  });

  it('a page that is not JSON rejects with a SyntaxError, one with no list resolves undefined, and the thread reads on', async () => {
    threads = threadsOf(1);
    const order = (listKey: string, bytes: Buffer) => threads!.read(bytes, { listKey, envelope: envelopeOf('orders') });
    const good = pageOf('orders', [cafe24ApiOrder(1)]);
    await assert.rejects(order('orders', good.subarray(0, good.length - 3)), SyntaxError);
    assert.equal(await order('products', good), undefined);
    assert.equal((await order('orders', good))?.listed, 1);
  });

  it('a thread that dies fails the pages it held with a PageThreadError, and the next page is read on a new thread', async () => {
    threads = threadsOf(1);
    const deadly = pageOf('orders', [{ ...cafe24ApiOrder(1), order_id: EXIT_THREAD_ORDER }]);
    await assert.rejects(threads.read(deadly, { listKey: 'orders', envelope: envelopeOf('orders') }), (error: Error) => error instanceof PageThreadError && /exited \(code 7\)/.test(error.message));
    const page = await threads.read(pageOf('orders', [cafe24ApiOrder(2), cafe24ApiOrder(3)]), { listKey: 'orders', envelope: envelopeOf('orders') });
    assert.equal(page?.listed, 2);
  });

  it('once closed, refuses pages', async () => {
    threads = threadsOf(1);
    assert.equal((await threads.read(pageOf('orders', [cafe24ApiOrder(1)]), { listKey: 'orders', envelope: envelopeOf('orders') }))?.listed, 1);
    await threads.close();
    await assert.rejects(threads.read(pageOf('orders', [cafe24ApiOrder(1)]), { listKey: 'orders', envelope: envelopeOf('orders') }), PageThreadError);
  });

  it('refuses a source that exports no model at ready(), and fails a page rather than hanging it', async () => {
    const noModel = { source: { moduleUrl: THREAD_MODEL_SOURCE.moduleUrl, exportName: 'noSuchModel', buyerHashSalt: SALT } };
    const refused = (error: Error) => error instanceof PageThreadError && /exports no platform model noSuchModel/.test(error.message);
    threads = threadsOf(1, noModel);
    await assert.rejects(threads.ready(), refused);
    await threads.close();
    threads = threadsOf(1, noModel);
    await assert.rejects(threads.read(pageOf('orders', [cafe24ApiOrder(1)]), ordersOrder), refused);
    await threads.close();
    threads = threadsOf(1);
    await threads.ready();
  });

  it('a page that finds every thread holding its share is read on this thread, and reads the same', async () => {
    const inline = inlinePageReader(edge);
    let overflowed = 0;
    threads = threadsOf(1, { queuedPerThread: 2, overflow: { ...inline, read: (bytes, order) => (overflowed++, inline.read(bytes, order)) } });
    await threads.ready();
    const pages = Array.from({ length: 5 }, (_, p) => ({ entity: 'orders', bytes: pageOf('orders', Array.from({ length: 20 }, (_, i) => cafe24ApiOrder(20 * p + i + 1))) }));
    const before = mappedHere();
    const read = await chunksOf(threads, pages);
    assert.equal(overflowed, 3, 'two pages went to the thread, three to the overflow');
    assert.equal(mappedHere() - before, 3 * 20, 'the overflow read its pages here');
    assert.deepEqual(read, await chunksOf(inline, pages));
  });

  it('a thread on one page past its time is stopped, failing the pages it held, and the next page gets a new thread', async () => {
    threads = threadsOf(1, { pageTimeoutMs: 300 });
    const stuck = threads.read(pageOf('orders', [{ ...cafe24ApiOrder(1), order_id: STUCK_THREAD_ORDER }]), ordersOrder);
    const behind = threads.read(pageOf('orders', [cafe24ApiOrder(2)]), ordersOrder);
    const overTime = (error: Error) => error instanceof PageThreadError && /one page for over 300 ms/.test(error.message);
    await assert.rejects(stuck, overTime);
    await assert.rejects(behind, overTime);
    assert.equal((await threads.read(pageOf('orders', [cafe24ApiOrder(3), cafe24ApiOrder(4)]), ordersOrder))?.listed, 2);
  });
});
