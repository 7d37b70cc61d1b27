/**
 * One measured round of bench/tracing.ts, in a process of its own so telemetry is either wholly on or wholly
 * off: the Cafe24 consumer group syncing every shop once (a first sync of 90 days), with tracing (OTLP to a local
 * receiver, batch export) and metrics (the /metrics server, kernel subscribers, the connector wrapper) as asked.
 * Telemetry starts before the consumer exists, as in the entry points.
 */
import { createKafka } from '../lib/kafka/client.js';
import { createPublisher } from '../lib/kafka/publisher.js';
import { RUNNER_EVENTS } from '../lib/kafka/runner.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';
import { createLogger } from '../lib/logger.js';
import { createKeyring, generateKeySpec } from '../lib/secrets.js';
import { waitFor } from '../lib/wait-for.js';
import { createCafe24Consumer } from '../consumers/cafe24/cafe24-consumer.js';
import { instrumentConnector, instrumentRateLimiter } from '../otel/kernel-metrics.js';
import { createObservability, syncGroupOf } from '../otel/observability.js';
import { startTelemetry } from '../otel/sdk.js';
import { buildSyncRequest, publishSyncRequests } from '../producers/sync-requests.js';
import { connectCafe24 } from '../producers/tenant-admin.js';
import { serve } from './cafe24-ipc.js';
import type { SimInfo } from './cafe24-sim.js';
import { watchRuns } from './pipeline-marks.js';

export interface RoundArgs {
  brokers: string[];
  prefix: string;
  topicsFile: string;
  info: SimInfo;
  tokens: unknown[];
  telemetry: boolean;
  otlpEndpoint: string;
  concurrency: number;
}

export interface RoundResult {
  wallS: number;
  cpuMs: number;
  orders: number;
  runs: number;
  byStatus: Record<string, number>;
}

const TERMINAL = new Set(['succeeded', 'dead', 'needs_reauth']);

async function round(a: RoundArgs): Promise<RoundResult> {
  const telemetry = a.telemetry ? startTelemetry({ serviceName: 'bench-tracing', exporter: 'otlp', endpoint: a.otlpEndpoint }) : undefined;
  const logger = createLogger({ level: 'warn', name: 'bench-tracing', destination: process.stderr });
  const kafka = createKafka({ brokers: a.brokers, clientId: 'bench-tracing', topicPrefix: a.prefix, logger });
  const admin = kafka.kafka.admin();
  await admin.connect();
  await applyTopics(admin, await readTopicSpecs(a.topicsFile), { prefix: a.prefix });
  await admin.disconnect();
  const observability = a.telemetry
    ? createObservability({ settings: { enabled: true, host: '127.0.0.1', port: 0, lagIntervalMs: 15_000 }, kafka, brokers: a.brokers, logger, groups: [syncGroupOf('cafe24')] })
    : undefined;
  const consumer = createCafe24Consumer({
    kafka, logger, instanceId: 'bench-tracing', keyring: createKeyring(generateKeySpec('bench')), buyerHashSalt: 'bench-salt', concurrency: a.concurrency,
    cafe24: { apiBaseTemplate: a.info.apiBaseTemplate, apiVersion: '2025-12-01', clientId: a.info.clientId, clientSecret: a.info.clientSecret, lookbackDays: 15, initialDays: 90 },
    ...(observability ? { wrapConnector: (c) => instrumentConnector(observability.metrics, c) } : {}),
  });
  if (observability) instrumentRateLimiter(observability.metrics, 'cafe24', consumer.stack.limiter);
  let joined = false;
  consumer.events.on(RUNNER_EVENTS.REBALANCED, ({ reason }) => void (joined ||= reason === 'group join'));
  await consumer.start();
  await observability?.serve();
  const tenants = a.info.mallIds.map((mallId) => ({ tenantId: `t-${mallId}`, mallId }));
  await Promise.all(tenants.map((t, i) => connectCafe24(consumer.credentials, t.tenantId, t.mallId, a.tokens[i])));
  await waitFor(() => joined, { deadlineMs: 60_000, description: 'the consumer group to join' });

  const terminal = new Set<string>();
  const byStatus: Record<string, number> = {};
  let orders = 0;
  let runs = 0;
  const watcher = await watchRuns(kafka, (run) => {
    runs += 1;
    byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
    orders += run.counts.orders ?? 0;
    if (TERMINAL.has(run.status)) terminal.add(run.tenantId);
  });
  const publisher = await createPublisher(kafka);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await publishSyncRequests(publisher, tenants.map((t) => buildSyncRequest({ tenantId: t.tenantId, platform: 'cafe24', tier: 'paid' }, 'scheduled')));
  await waitFor(() => terminal.size >= tenants.length, { intervalMs: 20, deadlineMs: 30 * 60_000, description: 'every shop synced' });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await consumer.stop();
  await publisher.close();
  await watcher.disconnect();
  await observability?.stop();
  await telemetry?.shutdown();
  return { wallS, cpuMs: (cpu.user + cpu.system) / 1000, orders, runs, byStatus };
}

serve({ round });
