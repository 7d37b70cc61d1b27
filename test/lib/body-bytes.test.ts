/**
 * Bodies gathered into one reused buffer (lib/body-bytes.ts): each reader sees exactly its body's bytes, however
 * its chunks came and whatever other bodies were being gathered at the same time, and the buffer is reused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readBodyBytes } from '../../lib/body-bytes.js';

/** A body that yields `chunks`, waiting for `gate` before each one after the first. */
async function* bodyOf(chunks: Buffer[], gate: () => Promise<void> = async () => {}): AsyncGenerator<Uint8Array> {
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0) await gate();
    yield chunk;
  }
}

const split = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('response bodies read from one reused buffer', () => {
  it('gives the reader a body of many chunks as one run of its bytes, and a single chunk as it came', async () => {
    const body = randomBytes(300_000);
    assert.ok(await readBodyBytes(bodyOf(split(body, 65_536)), (bytes) => bytes.equals(body)));
    const only = randomBytes(100);
    assert.equal(await readBodyBytes(bodyOf([only]), (bytes) => bytes), only);
    assert.equal(await readBodyBytes(bodyOf([]), (bytes) => bytes.length), 0);
  });

  it('gives every reader its own bytes while bodies are gathered at the same time', async () => {
    const bodies = [randomBytes(200_000), randomBytes(90_000), randomBytes(250_000)];
    // Each body's chunks arrive one turn of the event loop apart, so all three are gathered interleaved.
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const seen = await Promise.all(bodies.map((body) => readBodyBytes(bodyOf(split(body, 16_384), turn), (bytes) => Buffer.from(bytes))));
    seen.forEach((bytes, i) => assert.ok(bytes.equals(bodies[i]!), `body ${i}`));
  });

  it('reuses its buffer: a body no larger than one before it is gathered where that one was', async () => {
    const first = await readBodyBytes(bodyOf(split(randomBytes(400_000), 65_536)), (bytes) => bytes.buffer);
    const second = await readBodyBytes(bodyOf(split(randomBytes(120_000), 65_536)), (bytes) => bytes.buffer);
    assert.equal(second, first);
  });
});
