/**
 * What a platform consumer and its page threads (page-threads.ts, page-thread.ts) say to each other: the thread's
 * start data, that it is ready, a page to read and its answer, and which of an answer's buffers move rather than copy.
 */
import type { PageChunks, PageOrder } from './page-chunks.js';

/** Where a page thread finds the edge mapping its consumer holds: the platform model's module URL and export, and the buyer-hash salt. */
export interface PageThreadSource {
  moduleUrl: string;
  exportName: string;
  buyerHashSalt: string;
}

/** What a page thread is told at its start. */
export interface PageThreadData {
  source: PageThreadSource;
}

export interface PageRequestMessage {
  id: number;
  bytes: Uint8Array;
  order: PageOrder;
}

/**
 * `spent`: the request's bytes, moved back for the next page's copy. `error`: built-in error classes cross threads
 * as they are (a SyntaxError stays one); any other arrives as a plain Error with its message.
 */
export type PageAnswerMessage = { id: number; spent: Uint8Array } & ({ page: PageChunks | undefined } | { error: unknown });

/** What a page thread posts: once, that it has loaded its model; then an answer per page. */
export type PageThreadMessage = { loaded: true } | PageAnswerMessage;

/** The ArrayBuffers a page's buffers own whole: moved to the other thread instead of copied (a pooled one is copied). */
export function transfersOf(page: PageChunks | undefined): ArrayBuffer[] {
  if (page === undefined) return [];
  const owned = new Set<ArrayBuffer>();
  const add = (bytes: Uint8Array | undefined) => {
    if (bytes !== undefined && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) owned.add(bytes.buffer as ArrayBuffer);
  };
  for (const { body, rows } of page.chunks) {
    add(body.bytes);
    add(rows);
  }
  return [...owned];
}
