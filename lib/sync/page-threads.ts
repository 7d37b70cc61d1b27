/**
 * Where a platform consumer reads its pages (page-chunks.ts): on the job's own thread, or on a few worker threads.
 * A Cafe24 page of 1,000 orders is ~8 MB that the consumer walks, scrubs, serialises and maps (over half of its CPU);
 * on the one thread that also drives every job, HTTP socket and Kafka produce, that work was what bounded a large
 * first sync, while the machine's other core waited for the sink (bench/cafe24.ts). A thread gets the page's bytes
 * (a copy, moved, not cloned) and gives back its chunk bodies and rows (moved too, all but the few under 4 KB that
 * sit in a shared pool slab), and the page's copy for the next; the job numbers the chunks.
 *
 * A thread loads the platform's model itself, by module URL and export name: functions do not cross threads, and
 * `lib/` imports no platform. A thread that dies fails the pages it held (their jobs fail and are retried, as after
 * any failed call) and is replaced on the next page.
 */
import { Worker } from 'node:worker_threads';
import type { EdgeMapping } from '../model/edge-rows.js';
import { SyncError } from '../errors.js';
import { readNow, readPageChunks, type PageChunks, type PageOrder } from './page-chunks.js';
import type { PageAnswerMessage, PageRequestMessage, PageThreadData, PageThreadSource } from './page-messages.js';

export interface PageReader {
  /** The page's records ready to travel (readPageChunks); `bytes` are read or copied before it returns. */
  read(bytes: Buffer, order: PageOrder): Promise<PageChunks | undefined>;
  /** Stops the threads; pages still being read fail. */
  close(): Promise<void>;
}

/** Reads every page right here, on the job's thread. */
export function inlinePageReader(edge: EdgeMapping): PageReader {
  return {
    read: (bytes, order) => readNow(() => readPageChunks(edge, bytes, order)),
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
  pending: Map<number, Pending>;
}

/** `threads` worker threads; each page goes to the one with the fewest pages queued. */
export function createPageThreads({ threads, source }: { threads: number; source: PageThreadSource }): PageReader {
  if (!Number.isInteger(threads) || threads < 1) throw new TypeError(`page threads must be a positive integer, not ${threads}`);
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
    for (const { reject } of thread.pending.values()) reject(error);
    thread.pending.clear();
  };

  const spawn = (): PageThread => {
    const data: PageThreadData & { entry: string; tsLoader: string | undefined } = { source, entry: ENTRY, tsLoader: TS_LOADER };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data });
    const thread: PageThread = { worker, pending: new Map() };
    worker.on('message', (message: PageAnswerMessage) => {
      const waiting = thread.pending.get(message.id);
      giveBack(message.spent);
      if (!waiting) return;
      thread.pending.delete(message.id);
      if (thread.pending.size === 0) worker.unref();
      if ('error' in message) waiting.reject(message.error);
      else waiting.resolve(message.page === undefined ? undefined : asBuffers(message.page));
    });
    worker.on('error', (error) => fail(thread, new PageThreadError(`a page thread failed: ${error.message}`, { cause: error })));
    // An answer that cannot be read back leaves its page without a verdict: fail the thread's pages, as on an exit.
    worker.on('messageerror', (error) => {
      fail(thread, new PageThreadError(`a page thread's answer could not be read: ${error.message}`, { cause: error }));
      void worker.terminate();
    });
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
      const copy = copyOf(bytes);
      const thread = leastBusy();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const message: PageRequestMessage = { id, bytes: copy, order };
        thread.worker.postMessage(message, [copy.buffer as ArrayBuffer]);
        // A thread holds the process up only while it reads a page.
        if (thread.pending.size === 0) thread.worker.ref();
        thread.pending.set(id, { resolve, reject });
      });
    },
    async close() {
      closed = true;
      spare.length = 0;
      await Promise.all(live.map((thread) => thread.worker.terminate()));
    },
  };
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A page as it arrives from a thread (its Buffers are plain Uint8Arrays there), with Buffers again. */
function asBuffers(page: PageChunks): PageChunks {
  return {
    ...page,
    chunks: page.chunks.map(({ body, rows }) => ({ body: { ...body, bytes: asBuffer(body.bytes) }, rows: rows === undefined ? undefined : asBuffer(rows) })),
  };
}
