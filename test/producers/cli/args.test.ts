import assert from 'node:assert/strict';
import { dateArg } from '../../../producers/cli/args.js';

describe('CLI date arguments (dateArg)', () => {
  it('reads YYYY-MM-DD as midnight on the KST calendar (the sellers\' day)', () => {
    assert.equal(dateArg('2026-10-01').toISOString(), '2026-09-30T15:00:00.000Z');
    assert.equal(dateArg('2024-02-29').toISOString(), '2024-02-28T15:00:00.000Z');
    assert.equal(dateArg('2026-01-01').toISOString(), '2025-12-31T15:00:00.000Z');
  });

  it('reads an ISO-8601 date-time with its offset as given', () => {
    assert.equal(dateArg('2026-01-31T09:00:00+09:00').toISOString(), '2026-01-31T00:00:00.000Z');
    assert.equal(dateArg('2026-01-31T09:00Z').toISOString(), '2026-01-31T09:00:00.000Z');
  });

  it('refuses days that do not exist, a date-time without an offset, and other text', () => {
    for (const text of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-04-31', '2026-01-31T09:00:00', '20260131', 'yesterday', '']) {
      assert.throws(() => dateArg(text), /a date is YYYY-MM-DD \(KST\)/, text);
    }
  });
});
