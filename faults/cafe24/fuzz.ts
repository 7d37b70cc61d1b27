/**
 * 10,000 fuzzed messages (reduced: 1,000) across every input topic of the Cafe24 consumer group and the sink, and
 * the compacted topics their views read: random bytes, truncated JSON, wrong versions, hostile ids, wrong
 * platforms, and messages up to each topic's `max.message.bytes`. No process may crash; every message to a
 * consumer group's input lands in its DLQ exactly once (sync.dlq, sink.dlq), none is retried onto another
 * platform's topics, and a valid request produced after the fuzz is synced within a deadline: nothing stalls.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DlqEntryContract } from '../../lib/contracts/dlq.js';
import type { Rng } from '../../simulators/cafe24/seeded-random.js';
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { openStage } from './stage.js';
import { shopsFor } from './common.js';

/** Where each fuzzed topic's messages must end: a DLQ, or (compacted views) nowhere, without a crash. */
const TARGETS = [
  { topic: 'sync.cafe24.high', dlq: 'sync.dlq', share: 0.25 },
  { topic: 'sync.cafe24.low', dlq: 'sync.dlq', share: 0.15 },
  { topic: 'sync.cafe24.retry', dlq: 'sync.dlq', share: 0.1 },
  { topic: 'raw.results', dlq: 'sink.dlq', share: 0.25 },
  { topic: 'sync.runs', dlq: 'sink.dlq', share: 0.15 },
  { topic: 'credentials', dlq: undefined, share: 0.05 },
  { topic: 'sync.state', dlq: undefined, share: 0.05 },
] as const;
/** The broker's message.max.bytes, for topics that set no max.message.bytes of their own. */
const BROKER_MAX_MESSAGE_BYTES = 1_048_588;
/** Room for the record batch and record headers around the value. */
const RECORD_OVERHEAD = 1_024;
const DEADLINE_MS = 180_000;

const HOSTILE_IDS = [
  '../../etc/passwd', "'; DROP TABLE orders; --", 'a'.repeat(5_000), '\u0000', '\u202etnanet', '<script>alert(1)</script>', '%2e%2e%2f',
  '{mall_id}', '$(reboot)', 'tenant\nInjected: header', '🙂', '', ' ', '-leading-dash', 'x'.repeat(65),
];

function topicLimits(): Record<string, number> {
  const file = fileURLToPath(new URL('../../topics.json', import.meta.url));
  const specs = JSON.parse(readFileSync(file, 'utf8')) as { topics: { name: string; configs?: Record<string, string> }[] };
  return Object.fromEntries(specs.topics.map((t) => [t.name, Number(t.configs?.['max.message.bytes'] ?? BROKER_MAX_MESSAGE_BYTES)]));
}

/** A message that looks like the topic's own, as a plain object. */
function lookalike(topic: string, rng: Rng, over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  const base: Record<string, unknown> = topic.startsWith('sync.cafe24')
    ? { v: 1, requestId: `fuzz-${rng.int(1e6, 9e6)}`, tenantId: 't-fuzz', platform: 'cafe24', tier: 'paid', reason: 'manual', attempt: 1, requestedAt: now }
    : topic === 'raw.results'
      ? { v: 1, requestId: `fuzz-${rng.int(1e6, 9e6)}`, tenantId: 't-fuzz', platform: 'cafe24', entity: 'orders', fetchedAt: now, chunk: 0, records: [] }
      : topic === 'sync.runs'
        ? { v: 1, requestId: `fuzz-${rng.int(1e6, 9e6)}`, attempt: 1, tenantId: 't-fuzz', platform: 'cafe24', status: 'succeeded', startedAt: now, durationMs: 5, counts: {} }
        : { v: 1, tenantId: 't-fuzz', platform: 'cafe24', sealed: 'x', updatedAt: now };
  return { ...base, ...over };
}

/**
 * A field the topic's contract bounds, filled with `pad` (unknown fields are dropped by the contracts, so padding
 * must sit where a limit applies): a continuation cursor, a run's error message, a chunk whose records are text.
 */
function oversizeField(topic: string, pad: string): Record<string, unknown> {
  if (topic.startsWith('sync.cafe24')) return { cursor: { 'orders:1': pad } };
  if (topic === 'raw.results') return { records: pad };
  if (topic === 'sync.runs') return { errorMessage: pad };
  return { sealed: pad, v: 'x' };
}

/** One fuzzed value for the topic; every kind is invalid for its contract. */
function fuzzValue(topic: string, rng: Rng, limit: number): { kind: string; value: Buffer } {
  const pick = rng.next();
  if (pick < 0.01) {
    // Oversized: a lookalike padded to between half the topic's limit and the limit itself.
    const size = rng.int(Math.floor(limit / 2), limit - RECORD_OVERHEAD);
    const bare = JSON.stringify(lookalike(topic, rng, oversizeField(topic, ''))).length;
    return { kind: 'oversized', value: Buffer.from(JSON.stringify(lookalike(topic, rng, oversizeField(topic, 'x'.repeat(Math.max(0, size - bare)))))) };
  }
  if (pick < 0.3) return { kind: 'random-bytes', value: Buffer.from(Array.from({ length: rng.int(0, 4_096) }, () => rng.int(0, 255))) };
  if (pick < 0.5) {
    const text = JSON.stringify(lookalike(topic, rng));
    return { kind: 'truncated-json', value: Buffer.from(text.slice(0, rng.int(0, text.length - 1))) };
  }
  if (pick < 0.62) return { kind: 'wrong-version', value: Buffer.from(JSON.stringify(lookalike(topic, rng, { v: rng.pick([0, 2, '1', null, 1.5]) }))) };
  if (pick < 0.8) {
    const id = rng.pick(HOSTILE_IDS);
    const field = rng.pick(['tenantId', 'requestId']);
    return { kind: 'hostile-id', value: Buffer.from(JSON.stringify(lookalike(topic, rng, { [field]: id }))) };
  }
  if (pick < 0.92) {
    // On a Cafe24 request topic an Ably request is wrong; on the sink's topics Ably is a platform like any other.
    const platforms = topic.startsWith('sync.cafe24') ? ['ably', 'shopify', 'CAFE24', '', 7] : ['shopify', 'CAFE24', '', 7];
    return { kind: 'wrong-platform', value: Buffer.from(JSON.stringify(lookalike(topic, rng, { platform: rng.pick(platforms) }))) };
  }
  return { kind: 'not-an-object', value: Buffer.from(JSON.stringify(rng.pick([null, [], 'text', 42, true, [lookalike(topic, rng)]]))) };
}

export const fuzz: Fault = {
  name: 'fuzz',
  description: '10,000 fuzzed messages (reduced 1,000) on every input topic: DLQ once each, no crash, no stall',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const total = ctx.reduced ? 1_000 : 10_000;
    const limits = topicLimits();
    const stage = await openStage(ctx, 'fz', { shops: shopsFor(ctx, 'fz', 1) });
    try {
      const dlq = new Map<string, { topic: string; position: string }[]>([['sync.dlq', []], ['sink.dlq', []]]);
      for (const [name, entries] of dlq) {
        await stage.follow(name, (m) => {
          const decoded = DlqEntryContract.decode(m.value);
          if (decoded.ok) entries.push({ topic: decoded.value.source.topic, position: `${decoded.value.source.topic}:${decoded.value.source.partition}:${decoded.value.source.offset}` });
          else report.failures.push(`an invalid entry on ${name}: ${decoded.reason}`);
        });
      }
      let misrouted = 0;
      for (const topic of ['sync.ably.high', 'sync.ably.low', 'sync.ably.retry']) await stage.follow(topic, () => void (misrouted += 1));
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);

      const produced = new Map<string, number>();
      const kinds: Record<string, number> = {};
      const t0 = performance.now();
      for (const target of TARGETS) {
        const count = Math.round(total * target.share);
        produced.set(target.topic, count);
        const limit = limits[target.topic] ?? BROKER_MAX_MESSAGE_BYTES;
        let batch: { key: Buffer; value: Buffer }[] = [];
        let batchBytes = 0;
        for (let i = 0; i < count; i++) {
          const { kind, value } = fuzzValue(target.topic, ctx.rng, limit);
          kinds[kind] = (kinds[kind] ?? 0) + 1;
          const key = Buffer.from(ctx.rng.chance(0.5) ? `t-fuzz-${ctx.rng.int(0, 50)}` : ctx.rng.pick(HOSTILE_IDS).slice(0, 200));
          // A produce request is one record batch per partition, itself bounded by the limit: big ones go alone.
          if (batchBytes + value.length > limit / 4 && batch.length > 0) {
            await stage.produceRaw(target.topic, batch);
            batch = [];
            batchBytes = 0;
          }
          batch.push({ key, value });
          batchBytes += value.length + key.length;
        }
        if (batch.length > 0) await stage.produceRaw(target.topic, batch);
      }
      ctx.log(`produced ${total} fuzzed messages in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(kinds)}`);

      // No stall: a valid request produced after the fuzz is synced.
      const probeAt = performance.now();
      const [probe] = await stage.publish();
      try {
        await stage.settle(DEADLINE_MS);
        report.nextCommitS.push((performance.now() - probeAt) / 1000);
      } catch {
        report.failures.push(`stall: a valid request produced after the fuzz was not synced within ${DEADLINE_MS / 1000} s (request ${probe!.requestId})`);
      }
      const expected = (name: string) => TARGETS.filter((t) => t.dlq === name).reduce((n, t) => n + (produced.get(t.topic) ?? 0), 0);
      const complete = () => [...dlq].every(([name, entries]) => new Set(entries.map((e) => e.position)).size >= expected(name));
      const waitUntil = performance.now() + 60_000;
      while (!complete() && performance.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 500));
      for (const [name, entries] of dlq) {
        const distinct = new Set(entries.map((e) => e.position)).size;
        report.duplicated += entries.length - distinct;
        report.details[`${name.replace('.', '_')}_entries`] = entries.length;
        if (distinct < expected(name)) report.failures.push(`${expected(name) - distinct} of ${expected(name)} fuzzed messages have no ${name} entry`);
        if (entries.length > distinct) report.failures.push(`${entries.length - distinct} ${name} entries written more than once`);
      }
      report.details.misrouted = misrouted;
      if (misrouted > 0) report.failures.push(`${misrouted} message(s) re-published onto Ably's topics from Cafe24's`);
      await stage.reconcile(report);
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
