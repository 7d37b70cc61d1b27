/**
 * What an entry point starts for its process's observability, in one call: the metrics (metrics.ts) fed by the
 * kernel's instrumentation events (kernel-metrics.ts), the /metrics, /healthz and /readyz server
 * (health-server.ts; none with METRICS_ENABLED=false), and consumer lag from the broker's offsets for the groups
 * the process runs (consumer-lag.ts). Readiness: the broker answers, and each group of the process is joined
 * (its runner or sink reports running and the broker says the group is Stable), plus any check the caller adds
 * (the sink: the warehouse takes inserts).
 */
import type { Admin } from 'kafkajs';
import { waitForBroker } from '../lib/kafka/broker-check.js';
import type { KafkaContext } from '../lib/kafka/client.js';
import type { Logger } from '../lib/logger.js';
import type { Platform } from '../lib/contracts/fields.js';
import { retryTopic, syncTopic } from '../lib/contracts/sync-request.js';
import { groupIdOf } from '../lib/sync/sync-consumer.js';
import { createConsumerLag } from './consumer-lag.js';
import { startHealthServer, type HealthServer, type ReadinessCheck } from './health-server.js';
import { subscribeKernelMetrics, type KernelMetrics } from './kernel-metrics.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface ObservabilityOptions {
  settings: { enabled: boolean; host: string; port: number; lagIntervalMs: number };
  kafka: KafkaContext;
  brokers: string[];
  logger: Logger;
  /** The consumer groups this process runs (base names) and the base topics each consumes. */
  groups?: { group: string; topics: string[] }[];
}

export interface Observability {
  metrics: Metrics;
  kernel: KernelMetrics;
  /** Starts lag polling and the server with the built-in checks and `checks`; resolves with the port (undefined when disabled). */
  serve(checks?: readonly ReadinessCheck[]): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** A platform consumer's group and the topics it consumes, for its lag and readiness. */
export function syncGroupOf(platform: Platform): { group: string; topics: string[] } {
  return { group: groupIdOf(platform), topics: [syncTopic(platform, 'high'), retryTopic(platform), syncTopic(platform, 'low')] };
}

export function createObservability({ settings, kafka, brokers, logger, groups = [] }: ObservabilityOptions): Observability {
  const metrics = createMetrics();
  const kernel = subscribeKernelMetrics(metrics, (groupId) => kafka.baseTopic(groupId));
  const lag = groups.length ? createConsumerLag({ kafka, groups, metrics, logger, intervalMs: settings.lagIntervalMs }) : undefined;
  let admin: Admin | undefined;
  let server: HealthServer | undefined;

  const broker: ReadinessCheck = {
    name: 'broker reachable',
    check: () => waitForBroker(brokers, { deadlineMs: 1_000 }).then(() => true, () => false),
  };
  const joined = groups.map(({ group }): ReadinessCheck => ({
    name: `group ${group} joined`,
    async check() {
      if (kernel.stateOf(kafka.topic(group)) !== 'running') return false;
      if (!admin) {
        admin = kafka.kafka.admin({ retry: { retries: 0 } });
        await admin.connect();
      }
      const { groups: [described] } = await admin.describeGroups([kafka.topic(group)]);
      return described?.state === 'Stable' && described.members.length > 0;
    },
  }));

  return {
    metrics,
    kernel,
    async serve(checks = []) {
      lag?.start();
      if (!settings.enabled) return undefined;
      const start = (port: number) => startHealthServer({ host: settings.host, port, metrics, checks: [broker, ...joined, ...checks] });
      server = await start(settings.port).catch((error: NodeJS.ErrnoException) => {
        // Two roles on one host with the default port: the second still serves, where the log says.
        if (error.code !== 'EADDRINUSE' || settings.port === 0) throw error;
        logger.warn({ port: settings.port }, 'METRICS_PORT is in use (another sellerstream process on this host?): serving on a free port; give each process its own METRICS_PORT');
        return start(0);
      });
      logger.info({ host: settings.host, port: server.port }, 'serving /metrics, /healthz, /readyz');
      return server.port;
    },
    async stop() {
      kernel.stop();
      await lag?.stop();
      await server?.close();
      await admin?.disconnect().catch(() => undefined);
      await metrics.shutdown().catch(() => undefined);
    },
  };
}
