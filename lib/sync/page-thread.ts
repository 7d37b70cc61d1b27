/**
 * A page thread (page-threads.ts): loads the platform's model by the URL its consumer names, and reads each page it
 * is sent into chunks (page-chunks.ts), moving their buffers back. A page it cannot read is answered with the error,
 * as the job's own thread would have thrown it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBuyerHasher } from '../buyer-hash.js';
import type { PlatformModel } from '../model/registry.js';
import { readPageChunks } from './page-chunks.js';
import { transfersOf, type PageAnswerMessage, type PageRequestMessage, type PageThreadData } from './page-threads.js';

const { source } = workerData as PageThreadData;
const model = (await import(source.moduleUrl) as Record<string, PlatformModel | undefined>)[source.exportName];
if (model?.mapper === undefined || model.privacy === undefined) throw new TypeError(`${source.moduleUrl} exports no platform model ${source.exportName}`);
const edge = { model, hashBuyer: createBuyerHasher(source.buyerHashSalt) };
const port = parentPort!;

port.on('message', ({ id, bytes, order }: PageRequestMessage) => {
  let answer: PageAnswerMessage;
  try {
    answer = { id, page: readPageChunks(edge, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), order) };
  } catch (error) {
    port.postMessage({ id, error } satisfies PageAnswerMessage);
    return;
  }
  port.postMessage(answer, transfersOf(answer.page));
});
