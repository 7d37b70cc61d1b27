/**
 * Transport contract of the server adapter against a real clickhouse-server: CLICKHOUSE_TEST_URL when set,
 * otherwise Debian's clickhouse-server started here through scripts/clickhouse/local-server.sh (and stopped
 * after, unless it was already running). Debian ships 18.16, far too old for the analytics schema: only plain
 * types are used here, and the conformance capabilities follow the server's version.
 * Without a server: CI=true fails; elsewhere the suite is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openHttpWarehouse } from '../../../lib/warehouse/http-warehouse.js';
import { WarehouseRetriableError } from '../../../lib/warehouse/parse-error.js';
import type { Warehouse } from '../../../lib/warehouse/warehouse.js';
import { uniqueDatabase } from '../../helpers/warehouse.js';
import { describeWarehouseConformance, type WarehouseCapabilities } from './conformance.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/clickhouse/local-server.sh', import.meta.url));

describe('http-warehouse against clickhouse-server', function () {
  let url: string;
  let stopAfter = false;
  let capabilities: WarehouseCapabilities;

  before(async function () {
    this.timeout(90_000);
    const found = process.env.CLICKHOUSE_TEST_URL ?? (await startLocalServer());
    if (found === undefined) {
      const reason = `no ClickHouse server: CLICKHOUSE_TEST_URL is unset and ${SCRIPT} up failed`;
      if (process.env.CI === 'true') throw new Error(reason);
      console.warn(`      skipping the server adapter's transport tests: ${reason}`);
      this.skip();
    }
    url = found as string;
    capabilities = capabilitiesOf(await serverVersion(url));
  });

  after(async function () {
    if (stopAfter) await run('bash', [SCRIPT, 'down']);
  });

  /** Starts the local server; undefined when it cannot. Remembers to stop it only if it was not running. */
  async function startLocalServer(): Promise<string | undefined> {
    const wasRunning = await run('bash', [SCRIPT, 'status']).then(
      () => true,
      () => false,
    );
    try {
      const { stdout } = await run('bash', [SCRIPT, 'up'], { timeout: 80_000 });
      stopAfter = !wasRunning;
      return stdout.trim().split('\n').pop();
    } catch (error) {
      console.warn(`      ${SCRIPT} up: ${(error as { stderr?: string }).stderr ?? String(error)}`);
      return undefined;
    }
  }

  const open = (options: { requestTimeoutMs?: number; url?: string } = {}): Promise<Warehouse> =>
    openHttpWarehouse({ url: options.url ?? url, database: uniqueDatabase(), createDatabase: true, ...options });

  describeWarehouseConformance('server (@clickhouse/client over HTTP)', () => ({
    open: () => open(),
    dispose: async (warehouse) => {
      try {
        await warehouse.command(`DROP DATABASE IF EXISTS ${warehouse.database}`);
      } finally {
        await warehouse.close();
      }
    },
    capabilities,
  }));

  describe('transport', function () {
    it('turns a request timeout into a retriable TIMEOUT and stays usable', async function () {
      const warehouse = await open({ requestTimeoutMs: 500 });
      try {
        const started = Date.now();
        await assert.rejects(warehouse.query('SELECT sleep(3)'), (error) => {
          assert.ok(error instanceof WarehouseRetriableError, String(error));
          assert.equal(error.type, 'TIMEOUT');
          return true;
        });
        assert.ok(Date.now() - started < 2_500, 'rejected at the client timeout, not when the query ended');
        await warehouse.ping();
      } finally {
        await warehouse.command(`DROP DATABASE IF EXISTS ${warehouse.database}`).finally(() => warehouse.close());
      }
    });

    it('turns a refused connection into a retriable ECONNREFUSED', async function () {
      // Port 9 (discard) is not served on 127.0.0.1 here; nothing is created on the real server.
      const warehouse = await openHttpWarehouse({ url: 'http://127.0.0.1:9', database: 'unreachable' });
      try {
        await assert.rejects(warehouse.query('SELECT 1'), (error) => {
          assert.ok(error instanceof WarehouseRetriableError, String(error));
          assert.equal(error.type, 'ECONNREFUSED');
          return true;
        });
        await assert.rejects(warehouse.ping(), WarehouseRetriableError);
      } finally {
        await warehouse.close();
      }
    });
  });
});

async function serverVersion(url: string): Promise<string> {
  const warehouse = await openHttpWarehouse({ url, database: 'default' });
  try {
    const [row] = await warehouse.query<{ v: string }>('SELECT version() AS v');
    return row?.v ?? '0';
  } finally {
    await warehouse.close();
  }
}

/** What the server can do, from its version (see WarehouseCapabilities for where each feature arrived). */
function capabilitiesOf(version: string): WarehouseCapabilities {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const atLeast = (m: number, n: number) => major > m || (major === m && minor >= n);
  return { queryParams: atLeast(19, 15), deduplicationToken: atLeast(22, 2), modernTypes: atLeast(20, 1) };
}
