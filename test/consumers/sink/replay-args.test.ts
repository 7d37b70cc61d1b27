import assert from 'node:assert/strict';
import { parseReplayArgs, ReplayUsageError } from '../../../consumers/sink/replay-args.js';

describe('replay command line', () => {
  it('reads the three forms', () => {
    assert.deepEqual(parseReplayArgs(['--from-dlq']), { topic: 'sink.dlq', fromDlq: true, timeoutMs: 600_000 });
    const byTime = parseReplayArgs(['--topic', 'raw.results', '--since', '2026-11-30T09:00:00+09:00', '--until=2026-11-30T10:00:00+09:00', '--tenant', 't-1']);
    assert.equal(byTime.topic, 'raw.results');
    assert.equal(byTime.since?.toISOString(), '2026-11-30T00:00:00.000Z');
    assert.equal(byTime.until?.toISOString(), '2026-11-30T01:00:00.000Z');
    assert.equal(byTime.tenant, 't-1');
    const byOffsets = parseReplayArgs(['--topic', 'sync.runs', '--partition', '3', '--from-offset', '100', '--to-offset', '200', '--run-id', 'fix-42']);
    assert.deepEqual(byOffsets.offsets, { partition: 3, from: '100', to: '200' });
    assert.equal(byOffsets.runId, 'fix-42');
  });

  it('refuses what it cannot do, in one sentence', () => {
    const refused: [string[], RegExp][] = [
      [[], /exactly one of --from-dlq or --topic/],
      [['--from-dlq', '--topic', 'raw.results'], /exactly one/],
      [['--topic', 'sync.state'], /must be one of/],
      [['--from-dlq', '--since', 'last tuesday'], /not a date-time/],
      [['--from-dlq', '--since', '2026-11-30T10:00:00Z', '--until', '2026-11-30T09:00:00Z'], /before --until/],
      [['--from-dlq', '--partition', '1'], /go together/],
      [['--from-dlq', '--partition', '1', '--from-offset', '5', '--to-offset', '4'], /must not be after/],
      [['--from-dlq', '--tenant', 'a b'], /not a tenant id/],
      [['--from-dlq', '--verbose'], /unknown option/],
      [['--from-dlq', '--tenant'], /needs a value/],
    ];
    for (const [argv, reason] of refused) assert.throws(() => parseReplayArgs(argv), (e: Error) => e instanceof ReplayUsageError && reason.test(e.message), argv.join(' '));
  });
});
