/**
 * `npm run bench -- tracing [--json] [--shops N] [--rounds N]`: the cost of tracing and metrics on the Cafe24
 * workload. The same first sync of every shop (the simulator in its own process, fresh tokens each round) runs
 * with telemetry off and on, in ABBA order (off, on, on, off), each round in a fresh consumer process (bench/tracing-worker.ts):
 * on = traces exported over OTLP/HTTP in batches to a local receiver (this process) plus metrics (the /metrics
 * server, kernel subscribers, the connector wrapper). Value: orders per second with telemetry on; baseline: off;
 * ratio = on ÷ off (the target: ≥ 0.95). Also the consumer's CPU µs per order for each, medians of the
 * rounds, and `cpu_ratio` (CPU per order off ÷ on), which a loaded machine moves less than the throughput. Only
 * the consumer group is measured: it is where a job's spans, HTTP-call spans and metrics are made.
 *
 * Options: --shops N (40) · --rounds N (2 per setting, in the order off, on, on, off, …) · --latency-ms N (20) · --concurrency N (64) · --seed N (2026)
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createKafka } from '../lib/kafka/client.js';
import { ensureLocalBroker } from '../scripts/kafka/local-broker.js';
import { startChild } from './cafe24-ipc.js';
import type { SimInfo } from './cafe24-sim.js';
import type { BenchArgs, BenchResult } from './run.js';
import type { RoundArgs, RoundResult } from './tracing-worker.js';

const option = (argv: string[], name: string, fallback: number) => {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

async function deleteTopicsOf(brokers: string[], prefixes: string[]): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'bench-tracing-cleanup' });
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  const shops = option(argv, '--shops', 40);
  const rounds = option(argv, '--rounds', 2);
  const latencyMs = option(argv, '--latency-ms', 20);
  const concurrency = option(argv, '--concurrency', 64);
  const seed = option(argv, '--seed', 2026);
  const broker = await ensureLocalBroker(log);
  const brokers = broker.brokers.split(',');

  // The OTLP receiver: accepts every export, counts what arrived.
  let exports = 0;
  let exportedBytes = 0;
  const receiver = createServer((req, res) => {
    req.on('data', (c: Buffer) => (exportedBytes += c.length));
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const otlpEndpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;

  const sim = startChild('cafe24-sim.ts');
  const prefixes: string[] = [];
  const results: { on: RoundResult[]; off: RoundResult[] } = { on: [], off: [] };
  try {
    const info = await sim.call<SimInfo>('start', { shops, seed, prefix: 'trace', latencyMs, dataAnchorMs: Math.floor(Date.now() / 3_600_000) * 3_600_000 });
    log(`tracing bench: ${shops} shops, ${latencyMs} ms per call, ${rounds} round(s) per setting, in the order off, on, on, off, …`);
    for (let i = 0; i < rounds * 2; i += 1) {
      // ABBA: rounds drift with time (the simulator's heap, the broker's page cache), and a plain alternation
      // gives one setting every later slot; off, on, on, off, … puts both settings at the same mean position.
      const telemetry = i % 4 === 1 || i % 4 === 2;
      const prefix = `bench-trace-${randomBytes(4).toString('hex')}.`;
      prefixes.push(prefix);
      const tokens = await sim.call<unknown[]>('tokens', { mallIds: info.mallIds });
      const worker = startChild('tracing-worker.ts');
      try {
        const args: RoundArgs = { brokers, prefix, topicsFile: fileURLToPath(new URL('../topics.json', import.meta.url)), info, tokens, telemetry, otlpEndpoint, concurrency };
        const r = await worker.call<RoundResult>('round', args);
        results[telemetry ? 'on' : 'off'].push(r);
        log(`  round ${i + 1} telemetry ${telemetry ? 'on ' : 'off'}: ${r.orders} orders in ${r.wallS.toFixed(1)} s = ${(r.orders / r.wallS).toFixed(0)} orders/s, ` +
          `${((r.cpuMs * 1000) / Math.max(1, r.orders)).toFixed(1)} CPU µs/order, runs ${JSON.stringify(r.byStatus)}`);
      } finally {
        await worker.close();
        // Each round's topics go with it, so no round works beside the partitions of the rounds before it.
        await deleteTopicsOf(brokers, [prefix]);
      }
    }
  } finally {
    await sim.close();
    receiver.close();
    await deleteTopicsOf(brokers, prefixes);
    await broker.stop();
  }

  const rate = (r: RoundResult) => r.orders / r.wallS;
  const cpuPerOrder = (r: RoundResult) => (r.cpuMs * 1000) / Math.max(1, r.orders);
  const on = median(results.on.map(rate));
  const off = median(results.off.map(rate));
  const ratio = on / off;
  log(`RESULT telemetry on ${on.toFixed(0)} orders/s, off ${off.toFixed(0)} orders/s: ratio ${ratio.toFixed(3)} (target ≥ 0.95); ` +
    `CPU µs/order on ${median(results.on.map(cpuPerOrder)).toFixed(1)}, off ${median(results.off.map(cpuPerOrder)).toFixed(1)}; ${exports} OTLP exports, ${(exportedBytes / 2 ** 20).toFixed(1)} MiB`);
  return {
    bench: 'tracing', metric: 'throughput', unit: 'orders/s', value: Math.round(on), baseline: Math.round(off), ratio: round2(ratio),
    target_ratio: 0.95,
    cpu_us_per_order_on: round2(median(results.on.map(cpuPerOrder))), cpu_us_per_order_off: round2(median(results.off.map(cpuPerOrder))),
    // Throughput moves with whatever else the machine runs; CPU per order much less: off ÷ on of the medians.
    cpu_ratio: round2(median(results.off.map(cpuPerOrder)) / median(results.on.map(cpuPerOrder))),
    rounds_on: results.on.map((r) => round2(rate(r))), rounds_off: results.off.map((r) => round2(rate(r))),
    orders: results.on[0]?.orders ?? 0, shops, otlp_exports: exports, otlp_mib: round2(exportedBytes / 2 ** 20),
  };
}
