/**
 * What a command needs, opened on first use and closed once at the end: the config, Kafka (after a quick check
 * that a broker answers, so "no broker" is one line and exit 4 in seconds), a publisher, the tenants view, the
 * credentials store (which needs SECRETS_KEYS), the warehouse. A command touches only what it uses.
 */
import { loadConfig, type Config } from '../../lib/config.js';
import { createCredentialsStore, type CredentialsStore } from '../../lib/credentials/credentials-store.js';
import { TENANTS_TOPIC, TenantContract, type Tenant } from '../../lib/contracts/tenant.js';
import { waitForBroker } from '../../lib/kafka/broker-check.js';
import { createKafka, type KafkaContext } from '../../lib/kafka/client.js';
import { createCompactedView, type CompactedView } from '../../lib/kafka/compacted-view.js';
import { createPublisher, type Publisher } from '../../lib/kafka/publisher.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { createKeyring } from '../../lib/secrets.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { NotFoundError, UnavailableError } from './errors.js';

export interface CliContext {
  config: Config;
  logger: Logger;
  /** Write the result as JSON (one document on stdout). */
  json: boolean;
  kafka(): Promise<KafkaContext>;
  publisher(): Promise<Publisher>;
  tenants(): Promise<CompactedView<Tenant>>;
  /** The tenant, or exit 3. */
  tenant(id: string): Promise<Tenant>;
  credentials(): Promise<CredentialsStore>;
  warehouse(): Promise<Warehouse>;
  close(): Promise<void>;
}

/** A command's action given its context; `withContext` opens it, runs the action, and closes it. */
export type Action = (ctx: CliContext, ...args: any[]) => Promise<void>;
export type WithContext = (run: Action) => (...args: any[]) => Promise<void>;

export function createCliContext({ json }: { json: boolean }): CliContext {
  const config = loadConfig();
  // The CLI's own output is the point: only errors of the libraries underneath reach stderr, as JSON lines.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', name: 'sellerstream', destination: process.stderr });
  const closers: (() => Promise<void>)[] = [];
  const once = <T>(open: () => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= open());
  };

  const kafka = once(async () => {
    await waitForBroker(config.kafka.brokers);
    return createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-cli`, topicPrefix: config.kafka.topicPrefix, connectionTimeoutMs: config.kafka.connectionTimeoutMs, logger });
  });
  const publisher = once(async () => {
    const p = await createPublisher(await kafka());
    closers.push(() => p.close());
    return p;
  });
  const tenants = once(async () => {
    const view = createCompactedView({ kafka: await kafka(), topic: TENANTS_TOPIC, contract: TenantContract, readerId: 'cli', logger });
    await view.start();
    closers.push(() => view.stop());
    return view;
  });
  const credentials = once(async () => {
    const keyring = createKeyring(config.secrets.keys);
    const store = createCredentialsStore({ kafka: await kafka(), keyring, readerId: 'cli', logger });
    await store.start();
    closers.push(() => store.stop());
    return store;
  });
  const warehouse = once(async () => {
    try {
      const { openWarehouse } = await import('../../lib/warehouse/open-warehouse.js');
      const w = await openWarehouse({ ...config.warehouse, createDatabase: false });
      closers.push(() => w.close());
      return w;
    } catch (error) {
      const where = config.warehouse.url || `the embedded engine in ${config.warehouse.dataDir}`;
      const held = /lock|another server instance/i.test(String((error as Error)?.message) + String(((error as Error)?.cause as Error)?.message ?? ''));
      throw new UnavailableError(held
        ? `ClickHouse: ${where} is held by another process (the sink); set CLICKHOUSE_URL to read a ClickHouse server instead`
        : `ClickHouse is not reachable at ${where}: ${(error as Error).message}`);
    }
  });

  return {
    config, logger, json, kafka, publisher, tenants, credentials, warehouse,
    async tenant(id) {
      const found = await (await tenants()).get(id);
      if (!found) throw new NotFoundError(`no tenant ${id} (see \`sellerstream tenants list\`)`);
      return found;
    },
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
