/**
 * Exactly-once across kill -9: the sink runs in a child process that is killed at chosen and at random points of
 * its batches, several times during one run, then a last one finishes. Afterwards every produced record is in
 * ClickHouse exactly once per table: with FINAL, and also without it (merges are stopped in the child, so a
 * duplicate insert would stay visible): the deduplication tokens, re-formed from the intents, did the work.
 *
 * chDB binds one data directory per process: the children use their own directory, one at a time (each is dead
 * before the next starts), and the counts are read by one more child after the last sink exited; this test
 * process never opens that directory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAW_RESULTS_TOPIC } from '../../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC, SyncRunContract } from '../../../lib/contracts/sync-run.js';
import { testKafka, type TestKafka } from '../../helpers/kafka.js';
import { cafe24Category, cafe24Order, cafe24Product, encodeRawResult, expectedCafe24Rows, rawResult, seeded } from '../../fixtures/sink-records.js';
import { startFixture, type Child } from './child-process.js';
import { waitForCommittedEnd, withZeros } from './helpers.js';

describe('sink: kill -9 at any point of a batch', function () {
  this.timeout(240_000);
  let kafka: TestKafka;
  let dataDir: string;
  let child: Child | undefined;

  beforeEach(async function () {
    kafka = await testKafka('crash');
    await kafka.createTopics('all');
    dataDir = mkdtempSync(join(tmpdir(), 'sink-crash-'));
  });

  afterEach(async function () {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await kafka.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lands every record exactly once after repeated kills, with and without FINAL', async function () {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = seeded(seed);
    const database = `crash_${randomBytes(4).toString('hex')}`;
    const tenants = ['t-alpha', 't-bravo', 't-charlie', 't-delta', 't-echo', 't-foxtrot'];
    const orders = Array.from({ length: 9_000 }, (_, i) => cafe24Order(i));
    const products = Array.from({ length: 600 }, (_, i) => cafe24Product(i + 1));
    const categories = Array.from({ length: 60 }, (_, i) => cafe24Category(i + 2));
    const messages = [];
    for (let i = 0; i < orders.length; i += 60) {
      const tenant = tenants[(i / 60) % tenants.length]!;
      messages.push({ key: tenant, value: encodeRawResult(rawResult(tenant, 'orders', orders.slice(i, i + 60), { chunk: i / 60 })) });
    }
    for (let i = 0; i < products.length; i += 100) {
      messages.push({ key: tenants[i / 100]!, value: encodeRawResult(rawResult(tenants[i / 100]!, 'products', products.slice(i, i + 100))) });
    }
    messages.push({ key: 't-alpha', value: encodeRawResult(rawResult('t-alpha', 'categories', categories)) });
    // A few messages per request: a producer batch is one Kafka record batch, bounded by max.message.bytes.
    for (let i = 0; i < messages.length; i += 8) await kafka.produce(RAW_RESULTS_TOPIC, messages.slice(i, i + 8));
    await kafka.produce(SYNC_RUNS_TOPIC, tenants.map((tenant) => ({
      key: tenant,
      value: SyncRunContract.encode({
        v: 1, requestId: `run-${tenant}`, attempt: 1, tenantId: tenant, platform: 'cafe24', status: 'succeeded',
        startedAt: new Date(Date.now() - 3_600_000).toISOString(), durationMs: 900, counts: { orders: 800 }, dataAsOf: { orders: '2026-11-30T09:00:00+09:00' },
      }),
    })));

    const base = { KAFKA_BROKERS: process.env.KAFKA_BROKERS!, TOPIC_PREFIX: kafka.prefix, CHDB_DATA_DIR: dataDir, DATABASE: database, STOP_MERGES: '1' };
    // Each run batches differently (as after a config change, or when age rather than size seals a batch), so a
    // re-formed batch matches its predecessor only because the intent says where it ends.
    const envOf = () => ({ ...base, BATCH_ROWS: String(random.int(400, 1_200)) });
    // Each window of a batch once, in a seeded order, plus a kill at a random moment of a running sink.
    const kills = shuffle(['intent-recorded', 'table-inserted', 'all-inserted', 'committed', 'random', 'all-inserted'], random);
    const resumed: number[] = [];
    for (const kill of kills) {
      const nth = random.int(1, 3);
      child = startFixture('sink-process.ts', kill === 'random' ? envOf() : { ...envOf(), HANG_AT: `${kill}:${nth}` });
      if (kill === 'random') await child.line(new RegExp(`^STAGE ${random.int(3, 12)} `));
      else await child.line(/^HUNG$/);
      child.process.kill('SIGKILL');
      const { signal } = await child.exited;
      assert.equal(signal, 'SIGKILL');
      resumed.push(Number(/resuming (\d+)/.exec(child.lines.find((l) => l.startsWith('ASSIGNED')) ?? '')?.[1] ?? 0));
    }

    child = startFixture('sink-process.ts', envOf());
    await child.line(/^READY$/);
    await waitForCommittedEnd(kafka, RAW_RESULTS_TOPIC, 'sink', 120_000);
    await waitForCommittedEnd(kafka, SYNC_RUNS_TOPIC, 'sink', 30_000);
    child.process.kill('SIGTERM');
    assert.equal((await child.exited).code, 0, 'a SIGTERM drains and exits 0');
    resumed.push(Number(/resuming (\d+)/.exec(child.lines.find((l) => l.startsWith('ASSIGNED')) ?? '')?.[1] ?? 0));
    child = undefined;

    const counter = startFixture('sink-count.ts', { CHDB_DATA_DIR: dataDir, DATABASE: database });
    const line = await counter.line(/^\{/);
    assert.equal((await counter.exited).code, 0);
    const { plain, final } = JSON.parse(line) as { plain: Record<string, number>; final: Record<string, number> };
    const expected = withZeros({ ...expectedCafe24Rows({ orders, products, categories }), sync_runs: tenants.length, freshness: tenants.length });
    assert.deepEqual(final, expected, `FINAL counts (seed ${seed})`);
    assert.deepEqual(plain, expected, `plain counts: a duplicate insert slipped past the tokens (seed ${seed})`);
    assert.ok(resumed.some((n) => n > 0), `some restart re-formed an intent (resuming per start: ${resumed.join(', ')})`);
  });
});

function shuffle<T>(items: T[], random: { int(min: number, max: number): number }): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
