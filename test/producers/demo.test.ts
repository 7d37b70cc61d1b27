import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPrefix } from '../helpers/kafka.js';

describe('the demo (npm start -- --once)', function () {
  this.timeout(240_000);

  it('syncs every demo shop into ClickHouse, prints the summary and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sellerstream-demo-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../producers/demo.ts', import.meta.url)), '--once', '--shops', '6'], {
        env: { ...process.env, CHDB_DATA_DIR: dataDir, LOG_LEVEL: 'error', KAFKA_TOPIC_PREFIX: testPrefix('demo') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(code, 0, out);
      assert.match(out, /round 1: 6 shops in [\d.]+ s/);
      assert.match(out, /jobs \d+, p50 \d+ ms, p95 \d+ ms, errors 0/);
      const rows = Object.fromEntries([...out.matchAll(/(\w+) (\d+)(?:,|$)/gm)].map((m) => [m[1], Number(m[2])]));
      for (const table of ['orders', 'order_items', 'products', 'categories', 'raw_records']) assert.ok(rows[table]! > 0, `${table} has rows: ${out}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
