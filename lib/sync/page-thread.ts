/**
 * A page thread (page-threads.ts): loads the platform's model by the URL its consumer names and says it has, then
 * reads each page it is sent into chunks (page-chunks.ts), moving their buffers back, and the page's own for the next
 * copy. A page it cannot read is answered with the error (page-messages.ts says what of an error crosses threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBuyerHasher } from '../buyer-hash.js';
import type { PlatformModel } from '../model/registry.js';
import { readPageChunks, type PageChunks } from './page-chunks.js';
import { transfersOf, type PageAnswerMessage, type PageRequestMessage, type PageThreadData, type PageThreadMessage } from './page-messages.js';

const { source } = workerData as PageThreadData;
const model = (await import(source.moduleUrl) as Record<string, PlatformModel | undefined>)[source.exportName];
if (model?.mapper === undefined || model.privacy === undefined) throw new TypeError(`${source.moduleUrl} exports no platform model ${source.exportName}`);
const edge = { model, hashBuyer: createBuyerHasher(source.buyerHashSalt) };
const port = parentPort!;

const refuse = (id: number, bytes: Uint8Array, error: unknown) => {
  try {
    port.postMessage({ id, spent: bytes, error } satisfies PageAnswerMessage, [bytes.buffer as ArrayBuffer]);
  } catch {
    // An error that does not clone (a cause holding a function): its message still tells the job why.
    port.postMessage({ id, spent: bytes, error: new Error(String((error as Error)?.message ?? error)) } satisfies PageAnswerMessage, [bytes.buffer as ArrayBuffer]);
  }
};

port.on('message', ({ id, bytes, order }: PageRequestMessage) => {
  let page: PageChunks | undefined;
  try {
    page = readPageChunks(edge, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), order);
  } catch (error) {
    refuse(id, bytes, error);
    return;
  }
  port.postMessage({ id, spent: bytes, page } satisfies PageAnswerMessage, [bytes.buffer as ArrayBuffer, ...transfersOf(page)]);
});
port.postMessage({ loaded: true } satisfies PageThreadMessage);
