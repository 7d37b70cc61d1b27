import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPrefix } from '../helpers/kafka.js';

describe('the demo (npm start -- --once)', function () {
  this.timeout(300_000);

  it('syncs every demo shop and Ably seller into ClickHouse, prints the summary per platform and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sellerstream-demo-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../producers/demo.ts', import.meta.url)), '--once', '--shops', '6', '--ably', '3'], {
        env: { ...process.env, CHDB_DATA_DIR: dataDir, LOG_LEVEL: 'error', KAFKA_TOPIC_PREFIX: testPrefix('demo') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(code, 0, out);
      assert.match(out, /round 1: 6 shops and 3 Ably sellers in [\d.]+ s/);
      const rowsOf = (platform: string) => {
        const block = new RegExp(`  ${platform}: jobs \\d+, p50 \\d+ ms, p95 \\d+ ms, errors 0\\n    rows: (.*)`).exec(out);
        assert.ok(block, `${platform} summary without errors: ${out}`);
        return Object.fromEntries([...block[1]!.matchAll(/(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
      };
      const cafe24 = rowsOf('cafe24');
      for (const table of ['orders', 'order_items', 'products', 'categories', 'raw_records']) assert.ok(cafe24[table]! > 0, `cafe24 ${table} has rows: ${out}`);
      const ably = rowsOf('ably');
      for (const table of ['orders', 'order_items', 'order_claims', 'products', 'product_daily_stats', 'settlements', 'reviews', 'raw_records']) {
        assert.ok(ably[table]! > 0, `ably ${table} has rows: ${out}`);
      }
      // The first seller's API login is refused with a challenge: Chromium logs it in, the others log in over the API.
      assert.match(out, /logins so far: 2 over the API, 1 in Chromium \(1 launch\)/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
