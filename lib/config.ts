/**
 * One convict schema for every process. Every setting has an env var; `loadConfig()` parses once and throws
 * a ConfigError whose message is one line naming the setting, which entry points print before exiting 1.
 */
import convict from 'convict';
import { parseProxyList } from './proxy-url.js';

/** No default in the schema: the component's defaults object applies (see `runner` and `sink` below). */
const COMPONENT_DEFAULT = undefined as number | undefined;

const schema = {
  env: { doc: 'Deployment environment', format: ['development', 'test', 'production'], default: 'development', env: 'NODE_ENV' },
  instanceId: {
    doc: 'Stable name of this process among its group; names its transactional ids, so a restart fences its predecessor',
    format: 'instance-id', default: 'local-0', env: 'INSTANCE_ID',
  },
  log: {
    level: { doc: 'pino log level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'LOG_LEVEL' },
  },
  kafka: {
    brokers: { doc: 'Comma-separated bootstrap brokers; unset, the local broker at 127.0.0.1:KAFKA_LOCAL_PORT', format: 'broker-list', default: '127.0.0.1:19092', env: 'KAFKA_BROKERS' },
    localPort: { doc: 'Port of the local broker (`npm run kafka`); the default of KAFKA_BROKERS follows it', format: 'port', default: 19092, env: 'KAFKA_LOCAL_PORT' },
    clientId: { doc: 'Kafka client id prefix', format: String, default: 'sellerstream', env: 'KAFKA_CLIENT_ID' },
    topicPrefix: { doc: 'Prepended to every topic and group name (several environments on one cluster)', format: 'topic-prefix', default: '', env: 'KAFKA_TOPIC_PREFIX' },
    connectionTimeoutMs: { doc: 'Broker connection timeout', format: 'nat', default: 3000, env: 'KAFKA_CONNECTION_TIMEOUT_MS' },
    transactionTimeoutMs: { doc: 'Producer transaction timeout of the platform consumers (an abandoned transaction is aborted after it)', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'KAFKA_TRANSACTION_TIMEOUT_MS' },
  },
  // Runner and sink settings have no default here: unset, the component's own defaults object applies
  // (DEFAULT_RUNNER_SETTINGS in lib/kafka/runner-options.ts, DEFAULT_SINK_TUNING in consumers/sink/options.ts).
  runner: {
    concurrency: { doc: 'Jobs in flight per consumer process', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'RUNNER_CONCURRENCY' },
    jobTimeoutMs: { doc: 'Time budget of one job; past it the job is aborted (its AbortSignal fires)', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'RUNNER_JOB_TIMEOUT_MS' },
    drainTimeoutMs: { doc: 'On SIGTERM, how long in-flight jobs may take to finish before the process leaves anyway', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'RUNNER_DRAIN_TIMEOUT_MS' },
    queuedPerPartition: { doc: 'Messages fetched ahead per partition before the partition is paused', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'RUNNER_QUEUED_PER_PARTITION' },
    lowPriorityShare: { doc: 'Minimum share of job starts reserved for low-priority topics while high has backlog', format: 'ratio', default: COMPONENT_DEFAULT, env: 'RUNNER_LOW_PRIORITY_SHARE' },
    lowAgeingMs: { doc: 'A low-priority request waiting longer than this competes as high (ageing)', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'RUNNER_LOW_AGEING_MS' },
    backlogPollMs: { doc: "How often the broker's high-priority backlog of this instance's partitions is polled", format: 'positive-int', default: COMPONENT_DEFAULT, env: 'RUNNER_BACKLOG_POLL_MS' },
  },
  sync: {
    stepMaxBytes: { doc: 'A sync job yields (the rest continues in a continuation request) once it holds this many bytes of fetched records', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SYNC_STEP_MAX_BYTES' },
    pageThreads: { doc: 'Threads of a platform consumer that read, scrub, serialise and map source pages beside the jobs\' thread (0: on it)', format: 'nat', default: COMPONENT_DEFAULT, env: 'SYNC_PAGE_THREADS' },
  },
  tiers: {
    paid: {
      intervalMinutes: { doc: 'Minutes between two scheduled syncs of a paid tenant', format: 'positive-int', default: 60, env: 'TIER_PAID_INTERVAL_MINUTES' },
      maxAttempts: { doc: 'Attempts of a paid tenant\'s job, the first included, before sync.dlq', format: 'positive-int', default: 5, env: 'TIER_PAID_MAX_ATTEMPTS' },
    },
    free: {
      intervalMinutes: { doc: 'Minutes between two scheduled syncs of a free tenant', format: 'positive-int', default: 360, env: 'TIER_FREE_INTERVAL_MINUTES' },
      maxAttempts: { doc: 'Attempts of a free tenant\'s job, the first included, before sync.dlq', format: 'positive-int', default: 2, env: 'TIER_FREE_MAX_ATTEMPTS' },
    },
  },
  scheduler: {
    tickMs: { doc: 'How often the scheduler leader plans and emits due slots', format: 'positive-int', default: 10_000, env: 'SCHEDULER_TICK_MS' },
    entities: { doc: 'JSON {platform: {entity: minutes}}: an entity synced at most every N minutes (0: every slot), merged over the defaults', format: 'json-object', default: '', env: 'SCHEDULER_ENTITIES' },
    windows: { doc: 'JSON {businessType: {avoid: ["11-14"], prefer: ["2-6"]}}: KST hours a business type avoids or prefers', format: 'json-object', default: '', env: 'SCHEDULER_WINDOWS' },
    catchUpSpreadMinutes: { doc: 'Slots missed while no scheduler led are emitted once, spread over up to this long', format: 'positive-int', default: 15, env: 'SCHEDULER_CATCH_UP_SPREAD_MINUTES' },
    onboardingDays: { doc: 'How far back the backfill of a new tenant reaches (0: no backfill)', format: 'nat', default: 90, env: 'SCHEDULER_ONBOARDING_DAYS' },
    onboardingStepDays: { doc: 'Days per request of an onboarding backfill', format: 'positive-int', default: 30, env: 'SCHEDULER_ONBOARDING_STEP_DAYS' },
    onboardingSpreadMinutes: { doc: 'New tenants\' backfills are spread over this long after they appear', format: 'positive-int', default: 10, env: 'SCHEDULER_ONBOARDING_SPREAD_MINUTES' },
  },
  warehouse: {
    url: { doc: 'ClickHouse HTTP URL; empty means the embedded chDB engine', format: String, default: '', env: 'CLICKHOUSE_URL' },
    database: { doc: 'ClickHouse database', format: 'sql-identifier', default: 'sellerstream', env: 'CLICKHOUSE_DATABASE' },
    user: { doc: 'ClickHouse user (server adapter)', format: String, default: 'default', env: 'CLICKHOUSE_USER' },
    password: { doc: 'ClickHouse password (server adapter)', format: String, default: '', env: 'CLICKHOUSE_PASSWORD', sensitive: true },
    dataDir: { doc: 'Data directory of the embedded engine (one per process)', format: String, default: '.local/chdb', env: 'CHDB_DATA_DIR' },
    requestTimeoutMs: { doc: 'ClickHouse request timeout', format: 'positive-int', default: 30_000, env: 'CLICKHOUSE_REQUEST_TIMEOUT_MS' },
  },
  secrets: {
    keys: {
      doc: 'Encryption keys for secrets at rest: "keyId:base64(32 bytes)" comma-separated; the first encrypts, all decrypt',
      format: 'key-list', default: '', env: 'SECRETS_KEYS', sensitive: true,
    },
    buyerHashSalt: { doc: 'Salt of the stable buyer-id hash', format: String, default: '', env: 'BUYER_HASH_SALT', sensitive: true },
  },
  cafe24: {
    apiBaseTemplate: { doc: 'Admin API origin per mall; {mall_id} is replaced by the validated mall id', format: 'url-template', default: 'https://{mall_id}.cafe24api.com', env: 'CAFE24_API_BASE_TEMPLATE' },
    apiVersion: { doc: 'X-Cafe24-Api-Version sent on every call (a pinned, tested version)', format: 'api-version', default: '2025-12-01', env: 'CAFE24_API_VERSION' },
    clientId: { doc: 'Our Cafe24 app client id', format: String, default: '', env: 'CAFE24_CLIENT_ID' },
    clientSecret: { doc: 'Our Cafe24 app client secret', format: String, default: '', env: 'CAFE24_CLIENT_SECRET', sensitive: true },
    redirectUri: { doc: 'Our Cafe24 app\'s registered redirect URI (sent again in the authorization-code exchange)', format: String, default: '', env: 'CAFE24_REDIRECT_URI' },
    lookbackDays: { doc: 'Orders placed this many days back are fetched again for status changes', format: 'positive-int', default: 15, env: 'CAFE24_LOOKBACK_DAYS' },
    initialDays: { doc: 'How far back a first sync reaches', format: 'positive-int', default: 90, env: 'CAFE24_INITIAL_DAYS' },
  },
  ably: {
    apiBaseUrl: { doc: 'Ably seller-center JSON API origin', format: String, default: 'https://api.a-bly.com', env: 'ABLY_API_BASE_URL' },
    webUrl: { doc: 'Ably seller web app origin (login page; sent as Origin/Referer)', format: String, default: 'https://my.a-bly.com', env: 'ABLY_WEB_URL' },
    hostRatePerSec: { doc: 'Calls per second to the Ably API per egress IP: from this process, or through each of ABLY_PROXIES', format: 'positive-int', default: 5, env: 'ABLY_HOST_RATE_PER_SEC' },
    accountRatePerSec: { doc: 'Calls per second per Ably seller account', format: 'positive-int', default: 2, env: 'ABLY_ACCOUNT_RATE_PER_SEC' },
    lookbackDays: { doc: 'Ably orders, claims and reviews this many days back are fetched again for status changes', format: 'positive-int', default: 7, env: 'ABLY_LOOKBACK_DAYS' },
    initialDays: { doc: 'How far back a first Ably sync reaches', format: 'positive-int', default: 90, env: 'ABLY_INITIAL_DAYS' },
    browserPages: { doc: 'Browser pages (logins) open at once in this process', format: 'positive-int', default: 3, env: 'ABLY_BROWSER_PAGES' },
    browserRetireAfter: { doc: 'Logins a Chromium serves before it is replaced', format: 'positive-int', default: 100, env: 'ABLY_BROWSER_RETIRE_AFTER' },
    browserMaxRssMb: { doc: 'Resident memory of a Chromium (all its processes) above which it is replaced', format: 'positive-int', default: 1024, env: 'ABLY_BROWSER_MAX_RSS_MB' },
    evidenceDir: { doc: 'Where screenshots of failed browser logins are written', format: String, default: '.local/ably-evidence', env: 'ABLY_EVIDENCE_DIR' },
    proxies: {
      doc: 'Comma-separated outbound proxies http://[user:pass@]host:port; each seller sticks to one (API calls and browser logins); empty: direct connections',
      format: 'proxy-list', default: '', env: 'ABLY_PROXIES', sensitive: true,
    },
  },
  sink: {
    batchRows: { doc: 'Rows of all open batches (all partitions and tables) at which they are sealed and flushed together', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_BATCH_ROWS' },
    batchBytes: { doc: 'Bytes of consumed messages of all open batches at which they are sealed and flushed', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_BATCH_BYTES' },
    batchAgeMs: { doc: 'Longest a message waits before its batch is flushed', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_BATCH_AGE_MS' },
    maxRecordBytes: { doc: 'A source record whose JSON is longer goes to sink.dlq instead of the tables', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_MAX_RECORD_BYTES' },
    maxBufferedBytes: { doc: 'Consumed but uncommitted bytes above which fetching pauses', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_MAX_BUFFERED_BYTES' },
    drainTimeoutMs: { doc: 'On SIGTERM, how long pending batches may take to land', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_DRAIN_TIMEOUT_MS' },
    sessionTimeoutMs: { doc: 'How soon a dead sink\'s partitions move to another instance', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_SESSION_TIMEOUT_MS' },
    maxBytesPerPartition: { doc: 'Fetch size per partition', format: 'positive-int', default: COMPONENT_DEFAULT, env: 'SINK_MAX_BYTES_PER_PARTITION' },
  },
  otel: {
    exporter: { doc: 'Trace exporter', format: ['none', 'console', 'otlp'], default: 'none', env: 'OTEL_TRACES_EXPORTER' },
    endpoint: { doc: 'OTLP/HTTP traces endpoint', format: String, default: 'http://127.0.0.1:4318/v1/traces', env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' },
    serviceName: { doc: 'service.name resource attribute', format: String, default: 'sellerstream', env: 'OTEL_SERVICE_NAME' },
  },
  metrics: {
    enabled: { doc: 'Serve /metrics, /healthz and /readyz from this process', format: Boolean, default: true, env: 'METRICS_ENABLED' },
    host: { doc: 'Address of /metrics, /healthz and /readyz (loopback keeps them off the network)', format: String, default: '127.0.0.1', env: 'METRICS_HOST' },
    port: { doc: 'Port of /metrics, /healthz and /readyz, one per process on a host; 0 picks a free one (logged)', format: 'port', default: 9464, env: 'METRICS_PORT' },
    lagIntervalMs: { doc: 'How often consumer lag is read from the broker\'s offsets', format: 'positive-int', default: 15_000, env: 'METRICS_LAG_INTERVAL_MS' },
  },
  alerts: {
    rulesFile: { doc: 'The alert rules (JSON, otel/alerter/rules.ts)', format: String, default: 'deploy/alerts/rules.json', env: 'ALERT_RULES_FILE' },
    intervalMs: { doc: 'How often the alerter evaluates every rule', format: 'positive-int', default: 60_000, env: 'ALERT_INTERVAL_MS' },
    metricsTargets: { doc: 'Comma-separated /metrics URLs the alerter reads lag and breaker state from', format: String, default: '', env: 'ALERT_METRICS_TARGETS' },
    slackWebhookUrl: { doc: 'Slack incoming webhook for alerts; empty: no Slack', format: String, default: '', env: 'SLACK_WEBHOOK_URL', sensitive: true },
    smtpUrl: { doc: 'SMTP server for alert e-mail (smtp://user:pass@host:587); empty: no e-mail', format: String, default: '', env: 'SMTP_URL', sensitive: true },
    emailFrom: { doc: 'Sender of alert e-mail', format: String, default: 'sellerstream-alerts@localhost', env: 'ALERT_EMAIL_FROM' },
    emailTo: { doc: 'Comma-separated recipients of alert e-mail', format: String, default: '', env: 'ALERT_EMAIL_TO' },
  },
};

convict.addFormats({
  'instance-id': {
    validate(value: unknown) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(String(value))) throw new Error('must be 1-64 of [A-Za-z0-9._-]');
    },
  },
  'topic-prefix': {
    validate(value: unknown) {
      if (!/^[A-Za-z0-9._-]{0,64}$/.test(String(value))) throw new Error('must be up to 64 of [A-Za-z0-9._-]');
    },
  },
  'sql-identifier': {
    validate(value: unknown) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(String(value))) throw new Error('must be a plain SQL identifier');
    },
  },
  'broker-list': {
    validate(value: unknown) {
      const brokers = String(value).split(',').map((b) => b.trim());
      if (brokers.some((b) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(b))) throw new Error('must be host:port[,host:port…]');
    },
  },
  // The error names the bad entry with its credentials redacted (lib/proxy-url.ts); the setting is sensitive, so
  // convict does not append the raw value either.
  'proxy-list': {
    validate(value: unknown) {
      parseProxyList(String(value));
    },
  },
  'url-template': {
    validate(value: unknown) {
      const text = String(value);
      if (!text.includes('{mall_id}') || !/^https?:\/\/[^\s]+$/.test(text)) throw new Error('must be an http(s) URL containing {mall_id}');
    },
  },
  'api-version': {
    validate(value: unknown) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(String(value))) throw new Error('must be a YYYY-MM-DD version');
    },
  },
  'json-object': {
    validate(value: unknown) {
      if (value === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(value));
      } catch {
        throw new Error('must be a JSON object');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object');
    },
  },
  'positive-int': {
    coerce: Number,
    validate(value: unknown) {
      if (!Number.isInteger(value) || (value as number) <= 0) throw new Error('must be a positive integer');
    },
  },
  ratio: {
    coerce: Number,
    validate(value: unknown) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new Error('must be a number from 0 to 1');
    },
  },
  'key-list': {
    validate(value: unknown) {
      if (value === '') return;
      for (const entry of String(value).split(',')) {
        const [id, key] = entry.split(':');
        if (!id || !/^[A-Za-z0-9_-]{1,16}$/.test(id) || !key || Buffer.from(key, 'base64').length !== 32) {
          throw new Error('must be keyId:base64(32 bytes)[,…]');
        }
      }
    },
  },
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = convict(schema, { env, args: [] });
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    // convict lists every problem on its own line; the first names the setting and its env var.
    const first = String((error as Error).message).split('\n')[0] ?? 'unknown problem';
    const path = first.split(':')[0] ?? '';
    const envName = envOf(path);
    throw new ConfigError(`invalid configuration: ${first}${envName ? ` (set by ${envName})` : ''}`);
  }
  const props = config.getProperties();
  return {
    ...props,
    kafka: { ...props.kafka, brokers: (env.KAFKA_BROKERS ? props.kafka.brokers : `127.0.0.1:${props.kafka.localPort}`).split(',').map((b) => b.trim()) },
    otel: { ...props.otel, exporter: props.otel.exporter as 'none' | 'console' | 'otlp' },
    ably: { ...props.ably, proxies: parseProxyList(props.ably.proxies) },
  };
}

/** The meaning and default of a setting, by its env var (for --help, lib/cli/command.ts). */
export function describeEnv(name: string, node: unknown = schema): { doc: string; default: unknown } | undefined {
  const leaf = node as { env?: unknown; doc?: string; default?: unknown };
  if (typeof node !== 'object' || node === null) return undefined;
  if (typeof leaf.env === 'string') return leaf.env === name ? { doc: leaf.doc ?? '', default: leaf.default } : undefined;
  for (const child of Object.values(node)) {
    const found = describeEnv(name, child);
    if (found) return found;
  }
  return undefined;
}

function envOf(path: string): string | undefined {
  let node: unknown = schema;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return (node as { env?: string } | undefined)?.env;
}

/** For entry points: the config, or one line on stderr and exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
