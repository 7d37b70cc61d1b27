import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { DLQ_LIMITS, DlqEntryContract, SYNC_DLQ_TOPIC } from '../../../lib/contracts/dlq.js';
import { DeadlineExceededError } from '../../../lib/errors.js';
import { createRunner, RUNNER_EVENTS, type Runner } from '../../../lib/kafka/runner.js';
import { waitFor } from '../../../lib/wait-for.js';
import { drainTopic, testKafka, testLogger, uniqueName, type TestKafka } from '../../helpers/kafka.js';
import { testJob, TestJobContract, type TestJob } from '../../fixtures/test-job.js';

type Handle = Parameters<typeof createRunner<TestJob>>[0]['handle'];

describe('consumer runner (real broker)', function () {
  this.timeout(90_000);
  let kafka: TestKafka;
  const runners: Runner[] = [];

  beforeEach(async () => {
    kafka = await testKafka('runner');
    await kafka.createTopics([{ name: 'in', partitions: 4 }, { name: 'out', partitions: 2 }, { name: 'dlq', partitions: 1 }]);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await kafka.close();
  });

  function startRunner(handle: Handle, extra: Partial<Parameters<typeof createRunner<TestJob>>[0]> = {}) {
    const runner = createRunner<TestJob>({
      kafka,
      groupId: 'group',
      instanceId: uniqueName('i'),
      inputs: [{ topic: 'in', priority: 'high' }],
      contract: TestJobContract,
      dlqTopic: 'dlq',
      logger: testLogger(),
      keyOf: (job) => job.tenant,
      handle,
      onFailure: (job, error) => [{ topic: 'out', key: job.value.tenant, value: Buffer.from(`failed:${job.value.id}:${(error as Error).name}`) }],
      concurrency: 8,
      ...extra,
    });
    runners.push(runner);
    return runner;
  }

  const echo: Handle = async (job) => [{ topic: 'out', key: job.value.tenant, value: Buffer.from(job.value.id) }];

  it('commits each job output with its offset: outputs are visible once and the group offset moved', async () => {
    const runner = startRunner(echo);
    await runner.start();
    await kafka.produce('in', Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: testJob(String(i), `k${i % 5}`) })));
    const out = await kafka.readTopic('out', 30);
    assert.deepEqual(out.map((m) => m.value!.toString()).sort(), Array.from({ length: 30 }, (_, i) => String(i)).sort());
    await waitFor(async () => {
      const [offsets] = await kafka.admin.fetchOffsets({ groupId: kafka.topic('group'), topics: [kafka.topic('in')] });
      return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) === 30;
    }, { description: 'committed offsets to cover all 30 jobs' });
  });

  it('sends invalid messages to the DLQ with the reason and original bytes, and moves on', async () => {
    const runner = startRunner(echo);
    await runner.start();
    await kafka.produce('in', [
      { key: 'a', value: '{not json', partition: 0 },
      { key: 'a', value: JSON.stringify({ v: 2, id: 'x', tenant: 'a' }), partition: 0 },
      { key: 'a', value: JSON.stringify({ v: 1, id: 7, tenant: 'a' }), partition: 0 },
      { key: 'a', value: null, partition: 0 },
      { key: 'a', value: testJob('good', 'a'), partition: 0 },
    ]);
    const [good] = await kafka.readTopic('out', 1);
    assert.equal(good!.value!.toString(), 'good');
    const dlq = await kafka.readTopic('dlq', 4);
    const entries = dlq.map((m) => {
      const decoded = DlqEntryContract.decode(m.value);
      assert.ok(decoded.ok, 'a DLQ entry is itself a valid contract');
      return decoded.value;
    });
    assert.match(entries[0]!.reason, /malformed JSON/);
    assert.equal(Buffer.from(entries[0]!.value, 'base64').toString(), '{not json');
    assert.match(entries[1]!.reason, /unsupported version 2/);
    assert.match(entries[2]!.reason, /id: expected a string/);
    assert.match(entries[3]!.reason, /empty message/);
    assert.deepEqual(entries.map((e) => e.source.offset), ['0', '1', '2', '3']);
    assert.equal(runner.state, 'running');
  });

  it('a message too large for its DLQ entry is sent truncated, with its size and sha256, and the partition moves on', async () => {
    const runner = startRunner(echo);
    const commitFailures: unknown[] = [];
    runner.events.on(RUNNER_EVENTS.COMMIT_FAILED, ({ error }) => commitFailures.push(error));
    await runner.start();
    // Under the input topic's 1 MiB limit, but its base64 copy is not under the DLQ topic's.
    const huge = Buffer.alloc(1_000_000, 'x');
    await kafka.produce('in', [{ key: 'a', value: huge, partition: 0 }, { key: 'b', value: testJob('after-huge', 'b'), partition: 0 }]);
    const started = Date.now();
    const [entry] = await kafka.readTopic('dlq', 1, { deadlineMs: 15_000 });
    const [out] = await kafka.readTopic('out', 1, { deadlineMs: 15_000 });
    assert.ok(Date.now() - started < 15_000);
    assert.equal(out!.value!.toString(), 'after-huge');
    assert.ok(entry!.value!.length <= DLQ_LIMITS[SYNC_DLQ_TOPIC]!);
    const decoded = DlqEntryContract.decode(entry!.value);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.truncated, true);
    assert.equal(decoded.value.valueBytes, huge.length);
    assert.equal(decoded.value.valueSha256, createHash('sha256').update(huge).digest('hex'));
    assert.ok(huge.subarray(0, 600_000).equals(Buffer.from(decoded.value.value, 'base64').subarray(0, 600_000)));
    assert.deepEqual(commitFailures, [], 'no commit failed, no rejoin');
  });

  it('a job whose output the broker refuses (too large) goes to the DLQ alone: the others of its group commit at once, no rejoin', async () => {
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runner = startRunner(async (job) => {
      // Every job finishes at the same moment, so their outputs share group commits with the refused one.
      if (++started === 12) release();
      await gate;
      // Random bytes: the broker measures the compressed batch (zstd), and 2 MiB of one letter would fit.
      const value = job.value.id === 'huge' ? randomBytes(2 * 1024 * 1024) : Buffer.from(job.value.id);
      return [{ topic: 'out', key: job.value.tenant, value }];
    }, { concurrency: 16 });
    const events: string[] = [];
    runner.events.on(RUNNER_EVENTS.COMMIT_FAILED, () => events.push('commit failed'));
    await runner.start();
    runner.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => events.push(`rebalanced: ${reason}`));
    await kafka.produce('in', Array.from({ length: 12 }, (_, i) => ({ value: testJob(i === 5 ? 'huge' : `ok${i}`), partition: i % 4 })));
    const startedAt = Date.now();
    const out = await kafka.readTopic('out', 11, { deadlineMs: 10_000 });
    assert.deepEqual(out.map((m) => m.value!.toString()).sort(), Array.from({ length: 12 }, (_, i) => `ok${i}`).filter((id) => id !== 'ok5').sort());
    const [entry] = await kafka.readTopic('dlq', 1, { deadlineMs: 10_000 });
    const decoded = DlqEntryContract.decode(entry!.value);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.errorClass, 'MESSAGE_TOO_LARGE');
    assert.equal(TestJobContract.decode(Buffer.from(decoded.value.value, 'base64')).ok, true, 'the entry holds the job\'s input');
    await waitFor(async () => {
      const [offsets] = await kafka.admin.fetchOffsets({ groupId: kafka.topic('group'), topics: [kafka.topic('in')] });
      return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) === 12;
    }, { deadlineMs: 10_000, description: 'every offset committed, the refused job\'s too' });
    assert.ok(Date.now() - startedAt < 10_000);
    assert.deepEqual(events, [], 'no failed commit, no rejoin');
  });

  it('a transaction still committing across a rebalance is not committed over its partition\'s next owner: each DLQ entry once', async () => {
    let hold: Promise<void> | undefined;
    let release!: () => void;
    let held = false;
    const first = startRunner(echo, {
      onTransactionSent: async () => {
        if (hold) return;
        hold = new Promise<void>((resolve) => (release = resolve));
        held = true;
        await hold;
      },
    });
    await first.start();
    // A poison message: its DLQ entry is the job's whole output, in the transaction held above.
    await kafka.produce('in', [{ key: 'p', value: '{poison', partition: 0 }]);
    await waitFor(() => held, { description: 'the DLQ entry sent, its transaction not yet committed' });
    const second = startRunner(echo);
    const joins: string[] = [];
    first.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => joins.push(`first ${reason}`));
    second.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => joins.push(`second ${reason}`));
    await second.start();
    await waitFor(() => joins.includes('first group join') && joins.includes('second group join'), { description: 'both runners in the new generation' });
    // Whoever owns partition 0 now reads its committed offset and runs the poison message again.
    await kafka.readTopic('dlq', 2, { readUncommitted: true, deadlineMs: 10_000 }).catch(() => undefined);
    release();
    await kafka.produce('in', [{ key: 'p', value: testJob('after', 'p'), partition: 0 }]);
    await kafka.readTopic('out', 1);
    await waitFor(async () => {
      const [offsets] = await kafka.admin.fetchOffsets({ groupId: kafka.topic('group'), topics: [kafka.topic('in')] });
      return offsets!.partitions.find((p) => p.partition === 0)?.offset === '2';
    }, { description: 'partition 0 committed past both messages' });
    const entries = await drainTopic(kafka, 'dlq');
    assert.equal(entries.length, 1, 'one committed DLQ entry');
  });

  it('keeps running other tenants\' jobs, on its partition and the others, while one job is slow', async () => {
    let releaseSlow!: () => void;
    const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowRunning = false;
    const runner = startRunner(async (job, ctx) => {
      if (job.value.id === 'slow') {
        slowRunning = true;
        await Promise.race([slowReleased, new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))]);
        slowRunning = false;
      }
      return echo(job, ctx);
    }, { jobTimeoutMs: 30_000 });
    await runner.start();
    await kafka.produce('in', [{ key: 'slow', value: testJob('slow', 'slow'), partition: 0 }]);
    await waitFor(() => slowRunning, { description: 'the slow job to start' });
    // Fast jobs of other tenants on every partition, the slow job's included, produced while it runs.
    await kafka.produce('in', Array.from({ length: 24 }, (_, i) => ({ value: testJob(`fast${i}`), partition: i % 4 })));
    const fast = await kafka.readTopic('out', 24, { deadlineMs: 20_000 });
    assert.equal(fast.length, 24);
    assert.ok(slowRunning, 'all fast jobs committed while the slow job was still running');
    releaseSlow();
    const all = await kafka.readTopic('out', 25);
    assert.ok(all.some((m) => m.value!.toString() === 'slow'));
  });

  it('aborts a job past its deadline and publishes what the failure handler decides', async () => {
    let sawAbort = false;
    const runner = startRunner(async (job, ctx) => {
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => { sawAbort = true; reject(ctx.signal.reason); }));
      return echo(job, ctx);
    }, { jobTimeoutMs: 300 });
    await runner.start();
    await kafka.produce('in', [{ value: testJob('stuck') }]);
    const [out] = await kafka.readTopic('out', 1);
    assert.equal(out!.value!.toString(), `failed:stuck:${DeadlineExceededError.name}`);
    assert.ok(sawAbort, 'the handler saw its signal fire');
  });

  it('runs one job per tenant at a time, even across partitions', async () => {
    let concurrentForTenant = 0;
    let maxConcurrent = 0;
    const runner = startRunner(async (job, ctx) => {
      concurrentForTenant++;
      maxConcurrent = Math.max(maxConcurrent, concurrentForTenant);
      await new Promise((resolve) => setImmediate(resolve));
      concurrentForTenant--;
      return echo(job, ctx);
    });
    await runner.start();
    await kafka.produce('in', Array.from({ length: 12 }, (_, i) => ({ value: testJob(`t${i}`, 'same'), partition: i % 4 })));
    await kafka.readTopic('out', 12);
    assert.equal(maxConcurrent, 1);
  });

  it('stop() drains: a job in flight finishes and commits before the runner leaves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const runner = startRunner(async (job, ctx) => {
      started = true;
      await gate;
      return echo(job, ctx);
    });
    await runner.start();
    await kafka.produce('in', [{ value: testJob('draining') }]);
    await waitFor(() => started, { description: 'the job to start' });
    const stopped = runner.stop();
    assert.equal(runner.state, 'draining');
    release();
    await stopped;
    assert.equal(runner.state, 'stopped');
    const [out] = await kafka.readTopic('out', 1);
    assert.equal(out!.value!.toString(), 'draining');
  });

  describe('in a separate process', () => {
    const fixture = fileURLToPath(new URL('../../fixtures/runner-process.ts', import.meta.url));
    const children: ChildProcess[] = [];
    afterEach(() => children.splice(0).forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

    function spawnRunner(env: Record<string, string>) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, TOPIC_PREFIX: kafka.prefix, GROUP_ID: 'group', INSTANCE_ID: 'instance-0', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      let stdout = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      return { child, output: () => stdout };
    }

    it('a job killed between produce and commit leaves no visible output and is redone once', async () => {
      await kafka.produce('in', [{ key: 'x', value: testJob('victim', 'x') }]);
      const first = spawnRunner({ HANG_AFTER_SEND: 'victim' });
      await waitFor(() => first.output().includes('SENT victim'), { deadlineMs: 30_000, description: 'the transaction to be sent' });
      // The records are in the log, but uncommitted: a read-uncommitted reader sees them, others must not.
      await kafka.readTopic('out', 1, { readUncommitted: true });
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));

      const second = spawnRunner({});
      await waitFor(() => second.output().includes('READY'), { deadlineMs: 30_000, description: 'the restarted runner' });
      const [out] = await kafka.readTopic('out', 1);
      assert.equal(out!.value!.toString(), 'victim');
      const committed = await drainTopic(kafka, 'out');
      assert.equal(committed.length, 1, 'exactly one committed copy');
      const everything = await drainTopic(kafka, 'out', { readUncommitted: true });
      assert.equal(everything.length, 2, 'the aborted copy is still in the log, invisible to read-committed readers');
    });

    it('after a crash, jobs that finished above an unfinished one are skipped, not redone', async () => {
      await kafka.produce('in', [
        { key: 'a', value: testJob('hang', 'a'), partition: 0 },
        { key: 'b', value: testJob('done-early', 'b'), partition: 0 },
      ]);
      const first = spawnRunner({ HANG_IN_JOB: 'hang' });
      await waitFor(() => first.output().includes('RUNNING hang') && first.output().includes('COMMITTED 1'), { deadlineMs: 30_000, description: 'offset 1 committed while offset 0 runs' });
      const [offsets] = await kafka.admin.fetchOffsets({ groupId: kafka.topic('group'), topics: [kafka.topic('in')] });
      const p0 = offsets!.partitions.find((p) => p.partition === 0)!;
      assert.equal(p0.offset, '0', 'the commit point stays at the unfinished job');
      assert.ok(p0.metadata, 'the finished offset above it is in the metadata');
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));

      const second = spawnRunner({});
      await waitFor(() => second.output().includes('COMMITTED 0'), { deadlineMs: 30_000, description: 'the unfinished job redone' });
      const out = (await drainTopic(kafka, 'out')).map((m) => m.value!.toString()).sort();
      assert.deepEqual(out, ['done-early', 'hang']);
      assert.ok(!second.output().includes('COMMITTED 1'), 'offset 1 was not redone');
    });

    it('after a kill -9, a replacement owns the partitions and commits within 10 s (default group timings)', async () => {
      const first = spawnRunner({});
      await waitFor(() => first.output().includes('READY'), { deadlineMs: 30_000, description: 'runner ready' });
      await kafka.produce('in', [{ value: testJob('before-kill') }]);
      await waitFor(() => first.output().includes('COMMITTED'), { deadlineMs: 30_000, description: 'a first commit' });
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const killedAt = Date.now();
      const second = spawnRunner({});
      await kafka.produce('in', [0, 1, 2, 3].map((partition) => ({ value: testJob(`after-kill-${partition}`), partition })));
      await waitFor(() => (second.output().match(/COMMITTED/g) ?? []).length >= 4, { deadlineMs: 45_000, description: 'the replacement to commit on every partition' });
      const rejoinMs = Date.now() - killedAt;
      process.stdout.write(`      rejoin after kill -9: ${rejoinMs} ms to the replacement's commits on all 4 partitions\n`);
      assert.ok(rejoinMs <= 10_000, `took ${rejoinMs} ms`);
    });

    it('SIGTERM drains and leaves the group cleanly', async () => {
      const proc = spawnRunner({});
      await waitFor(() => proc.output().includes('READY'), { deadlineMs: 30_000, description: 'runner ready' });
      await kafka.produce('in', [{ value: testJob('before-stop') }]);
      await kafka.readTopic('out', 1);
      proc.child.kill('SIGTERM');
      const code = await new Promise((resolve) => proc.child.once('exit', resolve));
      assert.equal(code, 0);
      assert.ok(proc.output().includes('STOPPED'));
      const group = await kafka.admin.describeGroups([kafka.topic('group')]);
      assert.equal(group.groups[0]!.members.length, 0, 'no member left behind');
    });
  });
});
