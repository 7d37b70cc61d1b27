/**
 * Where a platform consumer reads its pages (page-chunks.ts): on the job's own thread, or on a few worker threads.
 * A Cafe24 page of 1,000 orders is ~8 MB that the consumer walks, scrubs, serialises and maps (over half of its CPU);
 * on the one thread that also drives every job, HTTP socket and Kafka produce, that work was what bounded a large
 * first sync, while the machine's other core waited for the sink (bench/cafe24.ts). A thread gets the page's bytes
 * (a copy, moved, not cloned) and gives back its chunk bodies and rows (moved too, all but the few under 4 KB that
 * sit in a shared pool slab), and the page's copy for the next; the job numbers the chunks.
 *
 * A thread loads the platform's model itself, by module URL and export name: functions do not cross threads, and
 * `lib/` imports no platform. A thread that dies, or holds one page past its time, fails the pages it held (their
 * jobs fail and are retried, as after any failed call) and is replaced on the next page.
 *
 * Each thread holds a few pages at most; a page that finds every thread that full is read on the jobs' thread
 * (`overflow`). One queue for 128 jobs held each job's pages behind every other's: at 1,000 shops the waiting
 * copies were ~1 GB of the consumer's 2 GB and 52 job attempts ran past their budget, while the jobs' thread,
 * which would have read them, waited.
 */
import { Worker } from 'node:worker_threads';
import type { EdgeMapping } from '../model/edge-rows.js';
import { SyncError } from '../errors.js';
import { readNow, readPageChunks, type PageChunks, type PageOrder } from './page-chunks.js';
import type { PageRequestMessage, PageThreadData, PageThreadMessage, PageThreadSource } from './page-messages.js';

export interface PageReader {
  /** The page's records ready to travel (readPageChunks); `bytes` are read or copied before it returns. */
  read(bytes: Buffer, order: PageOrder): Promise<PageChunks | undefined>;
  /** Resolves once pages can be read (a thread has loaded the platform's model); rejects, saying why, when they cannot. */
  ready(): Promise<void>;
  /** Stops the threads; pages still being read fail. */
  close(): Promise<void>;
}

/** Reads every page right here, on the job's thread. */
export function inlinePageReader(edge: EdgeMapping): PageReader {
  return {
    read: (bytes, order) => readNow(() => readPageChunks(edge, bytes, order)),
    ready: async () => undefined,
    close: async () => undefined,
  };
}

/** A page thread died or was closed with the page on it: the job fails and is retried, as after a failed call. */
export class PageThreadError extends SyncError {
  override readonly code: string = 'PAGE_THREAD';
}

/** The thread's code, and the TypeScript loader it registers first when the project runs from its sources (tsx). */
const ENTRY = new URL(`./page-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
const TS_LOADER = ENTRY.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
// A worker's own `--import` does not run in Node 20, so the thread registers the loader itself before its entry.
const BOOTSTRAP = `const { workerData } = require('node:worker_threads');
(workerData.tsLoader ? import(workerData.tsLoader).then((tsx) => tsx.register()) : Promise.resolve()).then(() => import(workerData.entry));`;

interface Pending {
  resolve: (page: PageChunks | undefined) => void;
  reject: (error: unknown) => void;
}

interface PageThread {
  worker: Worker;
  /** In the order sent: the thread reads them one by one, so the first is the one it is on. */
  pending: Map<number, Pending>;
  /** Settles once the thread has loaded its model, or failed to (a later failure does not change it). */
  loaded: Promise<void>;
  settleLoad: { resolve: () => void; reject: (error: Error) => void };
  isLoaded: boolean;
  /** Stops the thread when the page it is on has taken longer than `pageTimeoutMs`. */
  watchdog: NodeJS.Timeout | undefined;
}

export interface PageThreadsOptions {
  threads: number;
  source: PageThreadSource;
  /** Reads a page when every thread already holds `queuedPerThread`: the jobs' own thread (inlinePageReader). */
  overflow: PageReader;
  /** Pages a thread holds, the one it reads included, before the next goes to `overflow`. @default DEFAULT_QUEUED_PER_THREAD */
  queuedPerThread?: number;
  /** A thread on one page this long is stopped and replaced: a mapper that never returns must not hold the pages behind it. */
  pageTimeoutMs: number;
}

/**
 * The page a thread reads and three more: a page takes ~70 ms on a thread, so a job's page waits ~three pages' time
 * at most, and four page copies per thread (~30 MB) wait in memory. Pages come in bursts (every job's first page at
 * once), and with two more of them went to the jobs' thread: bench cafe24 at 100 shops ran 32.7 s with four against
 * 36.2 s with two (medians of 4 alternating pairs); at 1,000 shops no job ran past its budget with either.
 */
const DEFAULT_QUEUED_PER_THREAD = 4;

/** `threads` worker threads; each page goes to the one with the fewest pages queued, or to `overflow` when all are full. */
export function createPageThreads({ threads, source, overflow, queuedPerThread = DEFAULT_QUEUED_PER_THREAD, pageTimeoutMs }: PageThreadsOptions): PageReader {
  if (!Number.isInteger(threads) || threads < 1) throw new TypeError(`page threads must be a positive integer, not ${threads}`);
  if (!Number.isInteger(queuedPerThread) || queuedPerThread < 1) throw new TypeError(`pages queued per thread must be a positive integer, not ${queuedPerThread}`);
  const live: PageThread[] = [];
  let nextId = 0;
  let closed = false;
  /**
   * Page copies the threads gave back, for the next pages: a fresh ~8 MB ArrayBuffer per Cafe24 page on each side
   * is what starts V8's collections (lib/body-bytes.ts). At most two per thread are kept.
   */
  const spare: ArrayBuffer[] = [];
  const copyOf = (bytes: Buffer): Buffer => {
    let best = -1;
    for (let i = 0; i < spare.length; i++) {
      if (spare[i]!.byteLength >= bytes.length && (best < 0 || spare[i]!.byteLength < spare[best]!.byteLength)) best = i;
    }
    // Its own ArrayBuffer (no pool slice), not zero-filled: it is moved to the thread whole.
    const copy = best < 0 ? Buffer.allocUnsafeSlow(bytes.length) : Buffer.from(spare.splice(best, 1)[0]!, 0, bytes.length);
    bytes.copy(copy);
    return copy;
  };
  const giveBack = ({ buffer }: Uint8Array) => {
    if (spare.length < 2 * threads) spare.push(buffer as ArrayBuffer);
  };

  const fail = (thread: PageThread, error: Error) => {
    const at = live.indexOf(thread);
    if (at >= 0) live.splice(at, 1);
    clearTimeout(thread.watchdog);
    thread.settleLoad.reject(error);
    for (const { reject } of thread.pending.values()) reject(error);
    thread.pending.clear();
  };
  const stop = (thread: PageThread, error: Error) => {
    fail(thread, error);
    void thread.worker.terminate();
  };
  /** Times the page the thread is now on, if any: from its load, or the moment it answered the one before. */
  const watch = (thread: PageThread) => {
    clearTimeout(thread.watchdog);
    thread.watchdog = thread.pending.size === 0 || !thread.isLoaded ? undefined
      : setTimeout(() => stop(thread, new PageThreadError(`a page thread read one page for over ${pageTimeoutMs} ms: stopped`)), pageTimeoutMs).unref();
  };

  const spawn = (): PageThread => {
    const data: PageThreadData & { entry: string; tsLoader: string | undefined } = { source, entry: ENTRY, tsLoader: TS_LOADER };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data });
    const { promise: loaded, ...settleLoad } = settlement();
    // Nobody need wait for it: a thread is started for a page as well as by ready().
    loaded.catch(() => undefined);
    const thread: PageThread = { worker, pending: new Map(), loaded, settleLoad, isLoaded: false, watchdog: undefined };
    worker.on('message', (message: PageThreadMessage) => {
      if ('loaded' in message) {
        settleLoad.resolve();
        thread.isLoaded = true;
        watch(thread);
        if (thread.pending.size === 0) worker.unref();
        return;
      }
      const waiting = thread.pending.get(message.id);
      giveBack(message.spent);
      if (!waiting) return;
      thread.pending.delete(message.id);
      watch(thread);
      if (thread.pending.size === 0) worker.unref();
      if ('error' in message) waiting.reject(message.error);
      else waiting.resolve(message.page === undefined ? undefined : asBuffers(message.page));
    });
    worker.on('error', (error) => fail(thread, new PageThreadError(`a page thread failed: ${error.message}`, { cause: error })));
    // An answer that cannot be read back leaves its page without a verdict: fail the thread's pages, as on an exit.
    worker.on('messageerror', (error) => stop(thread, new PageThreadError(`a page thread's answer could not be read: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => fail(thread, new PageThreadError(closed ? 'page threads closed' : `a page thread exited (code ${code})`)));
    live.push(thread);
    return thread;
  };

  const leastBusy = (): PageThread => {
    let best: PageThread | undefined;
    for (const thread of live) if (best === undefined || thread.pending.size < best.pending.size) best = thread;
    return best !== undefined && (best.pending.size === 0 || live.length >= threads) ? best : spawn();
  };

  return {
    read(bytes, order) {
      if (closed) return Promise.reject(new PageThreadError('page threads closed'));
      const thread = leastBusy();
      if (thread.pending.size >= queuedPerThread) return overflow.read(bytes, order);
      const copy = copyOf(bytes);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const message: PageRequestMessage = { id, bytes: copy, order };
        thread.worker.postMessage(message, [copy.buffer as ArrayBuffer]);
        // A thread holds the process up only while it reads a page.
        if (thread.pending.size === 0) thread.worker.ref();
        thread.pending.set(id, { resolve, reject });
        if (thread.pending.size === 1) watch(thread);
      });
    },
    ready() {
      if (closed) return Promise.reject(new PageThreadError('page threads closed'));
      return (live[0] ?? spawn()).loaded;
    },
    async close() {
      closed = true;
      spare.length = 0;
      await Promise.all(live.map((thread) => thread.worker.terminate()));
    },
  };
}

function settlement() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A page as it arrives from a thread (its Buffers are plain Uint8Arrays there), with Buffers again. */
function asBuffers(page: PageChunks): PageChunks {
  return {
    ...page,
    chunks: page.chunks.map(({ body, rows }) => ({ body: { ...body, bytes: asBuffer(body.bytes) }, rows: rows === undefined ? undefined : asBuffer(rows) })),
  };
}
