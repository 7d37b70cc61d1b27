/**
 * A response body gathered into one buffer that every call reuses, for readers that are done with the bytes when
 * they return (a page is walked, its records and texts copied out, lib/model/source-page.ts). A fresh buffer per
 * body, as undici's `body.bytes()` gives, is a page's size again in new ArrayBuffer bytes (~7.7 MB per 1,000
 * Cafe24 orders, beside the socket's own chunks), and such bytes are what start V8's scavenges and full markings
 * (lib/kafka/encoder-buffers.ts says how). Between the last chunk and the reader's return nothing awaits, so no
 * other body is gathered over this one.
 */

let shared = Buffer.allocUnsafe(0);

/**
 * `read`'s result for the body's bytes. The bytes are valid only until `read` returns: it must copy what it keeps
 * (strings, numbers and copied buffers are copies; a subarray is not).
 */
export async function readBodyBytes<T>(body: AsyncIterable<Uint8Array>, read: (bytes: Buffer) => T): Promise<T> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return read(Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength));
  }
  if (shared.length < length) shared = Buffer.allocUnsafe(Math.max(length, 2 * shared.length));
  let at = 0;
  for (const chunk of chunks) {
    shared.set(chunk, at);
    at += chunk.byteLength;
  }
  return read(shared.subarray(0, length));
}
