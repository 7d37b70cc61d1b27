import assert from 'node:assert/strict';
import { waitFor } from '../../lib/wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? 'ready' : ''), { intervalMs: 1 });
    assert.equal(value, 'ready');
    assert.equal(calls, 3);
  });

  it('rejects at the deadline naming what it waited for, with the last error as cause', async () => {
    const failure = new Error('not yet');
    await assert.rejects(
      waitFor(() => { throw failure; }, { intervalMs: 1, deadlineMs: 20, description: 'the moon' }),
      (error: Error) => error.message.includes('the moon') && error.cause === failure,
    );
  });
});
