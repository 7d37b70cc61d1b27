/**
 * CLI for manual use: `tsx simulators/cafe24/main.ts --port 18090 --shops 20`.
 *
 *   --port N          listen port (default 18090; 0 = any)
 *   --shops N         number of malls: shop0001..shopNNNN (default 5)
 *   --fleet           size malls like the benchmark fleet (mostly small, a few large) instead of uniformly
 *   --products N      products per mall when not --fleet (default 50)
 *   --orders N        orders per mall when not --fleet (default 300)
 *   --seed N          data seed (default 42)
 *   --latency-ms N    fixed latency per Admin API response (default 0)
 *   --speed N         simulated time runs N times faster than wall time (default 1)
 *
 * Prints the base URL template, the app credentials and a ready access token for the first mall; more tokens
 * come from `POST /__sim/malls/{mall}/tokens`.
 */
import { parseArgs } from 'node:util';
import { createScaledClock, systemClock } from './clock.js';
import { fleetSpecs } from './shop-spec.js';
import { startCafe24Simulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '18090' },
    shops: { type: 'string', default: '5' },
    fleet: { type: 'boolean', default: false },
    products: { type: 'string', default: '50' },
    orders: { type: 'string', default: '300' },
    seed: { type: 'string', default: '42' },
    'latency-ms': { type: 'string', default: '0' },
    speed: { type: 'string', default: '1' },
  },
});

const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a number >= 0, got ${String(values[name])}`);
    process.exit(2);
  }
  return value;
};

const seed = number('seed');
const count = number('shops');
const speed = number('speed');
const specs = values.fleet
  ? fleetSpecs({ count, seed })
  : fleetSpecs({ count, seed, multiShopShare: 0 }).map((s) => ({ ...s, products: number('products'), orders: number('orders') }));

const sim = await startCafe24Simulator({
  port: number('port'),
  seed,
  shops: specs,
  clock: speed === 1 ? systemClock : createScaledClock({ speed }),
  latencyMs: number('latency-ms'),
});
const first = specs[0]?.mallId;
console.log(JSON.stringify({
  apiBaseTemplate: sim.apiBaseTemplate,
  malls: specs.length,
  firstMalls: specs.slice(0, 5).map((s) => s.mallId),
  clientId: sim.app.clientId,
  clientSecret: sim.app.clientSecret,
  redirectUri: sim.app.redirectUri,
  ...(first ? { example: { mallId: first, tokens: (await sim.issueTokens(first)).response } } : {}),
}, null, 2));

const stop = () => {
  sim.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
