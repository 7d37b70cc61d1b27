/**
 * A page thread (page-threads.ts): loads the platform's model by the URL its consumer names, and reads each page it
 * is sent into chunks (page-chunks.ts), moving their buffers back, and the page's own for the next copy. A page it cannot read is answered with the error,
 * as the job's own thread would have thrown it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBuyerHasher } from '../buyer-hash.js';
import type { PlatformModel } from '../model/registry.js';
import { readPageChunks, type PageChunks } from './page-chunks.js';
import { transfersOf, type PageAnswerMessage, type PageRequestMessage, type PageThreadData } from './page-threads.js';

const { source } = workerData as PageThreadData;
const model = (await import(source.moduleUrl) as Record<string, PlatformModel | undefined>)[source.exportName];
if (model?.mapper === undefined || model.privacy === undefined) throw new TypeError(`${source.moduleUrl} exports no platform model ${source.exportName}`);
const edge = { model, hashBuyer: createBuyerHasher(source.buyerHashSalt) };
const port = parentPort!;

port.on('message', ({ id, bytes, order }: PageRequestMessage) => {
  const spent = bytes.buffer as ArrayBuffer;
  let page: PageChunks | undefined;
  try {
    page = readPageChunks(edge, Buffer.from(spent, bytes.byteOffset, bytes.byteLength), order);
  } catch (error) {
    port.postMessage({ id, spent: bytes, error } satisfies PageAnswerMessage, [spent]);
    return;
  }
  port.postMessage({ id, spent: bytes, page } satisfies PageAnswerMessage, [spent, ...transfersOf(page)]);
});
