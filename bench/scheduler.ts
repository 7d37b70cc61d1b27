/**
 * `npm run bench -- scheduler [--json] [--tenants N] [--plan-tenants N]`: how flat the scheduler's load is, and
 * what a tick costs. No Kafka: the planner (producers/scheduler/slots.ts) is a pure function.
 *   value     flatness of our plan: max ÷ mean requests per minute over one period (6 h, the free tier's; the
 *             paid tier's hourly frames repeat six times in it), 10,000 tenants (30 % paid; 50 % Cafe24 only,
 *             30 % Ably only, 20 % both), a tick each minute after a warm-up tick. Target ≤ 1.2.
 *   baseline  the old plan for the same tenants: 4 fixed groups, each synced all at once at the start of its
 *             6-hour slot, over the same 6 h.
 *   plan_cpu_s  CPU seconds of one steady tick (10 s after the previous one) over 1 M tenants; also the cold
 *             tick (everything due at once, as after a first start) and the table's compile time.
 */
import { DEFAULT_POLICY, type SchedulerPolicy } from '../producers/scheduler/policy.js';
import { compileTable, createSlotState, planTick, recordEmitted, type LinkInput } from '../producers/scheduler/slots.js';
import type { BenchArgs, BenchResult } from './run.js';

const MINUTE = 60_000;
const PERIOD = 6 * 60 * MINUTE;
/** A Monday 00:00 UTC: frames of every period start on it. */
const T0 = Date.UTC(2026, 10, 30);

/** The realistic mix, deterministic: tenant i's tier and platforms from a small LCG over i. */
export function fleet(tenants: number): LinkInput[] {
  const links: LinkInput[] = [];
  let seed = 2026;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < tenants; i++) {
    const tier = next() < 0.3 ? 'paid' : 'free';
    const r = next();
    const tenantId = `t${i.toString(36).padStart(6, '0')}`;
    if (r < 0.7) links.push({ tenantId, platform: 'cafe24', tier, since: T0 - PERIOD });
    if (r >= 0.5) links.push({ tenantId, platform: 'ably', tier, since: T0 - PERIOD });
  }
  return links;
}

/** A scheduler that ran all along (no catch-up, no onboarding, every request ended at once). */
const STEADY: SchedulerPolicy = { ...DEFAULT_POLICY, overlap: { ...DEFAULT_POLICY.overlap, enabled: false }, onboarding: { ...DEFAULT_POLICY.onboarding, depthMs: 0 } };
const ALWAYS = { leaderSince: -Infinity };

function flatness(perMinute: Uint32Array): { max: number; mean: number; flatness: number } {
  let max = 0;
  let sum = 0;
  for (const n of perMinute) {
    max = Math.max(max, n);
    sum += n;
  }
  const mean = sum / perMinute.length;
  return { max, mean, flatness: max / mean };
}

function oursPerMinute(links: LinkInput[], phases: 'rank' | 'hash'): Uint32Array {
  const table = compileTable(links, STEADY, { phases });
  const state = createSlotState(table.size);
  recordEmitted(state, planTick(table, state, T0, STEADY, ALWAYS), T0);
  const perMinute = new Uint32Array(PERIOD / MINUTE);
  for (let m = 1; m <= perMinute.length; m++) {
    const now = T0 + m * MINUTE;
    const planned = planTick(table, state, now, STEADY, ALWAYS);
    recordEmitted(state, planned, now);
    perMinute[m - 1] = planned.length;
  }
  return perMinute;
}

/** The old plan over the same 6 h: each tenant's group g = i mod 4 syncs at g × 6 h, so one group fires at minute 0. */
function oldPlanPerMinute(links: LinkInput[]): Uint32Array {
  const perMinute = new Uint32Array(PERIOD / MINUTE);
  // Within one 6-hour window the old plan's requests are the firing group's, all at the window's first minute;
  // a paid tenant of that group synced no more often than a free one (the old system had one cadence).
  const groups = new Map<string, number>();
  for (const link of links) {
    if (!groups.has(link.tenantId)) groups.set(link.tenantId, groups.size % 4);
    if (groups.get(link.tenantId) === 0) perMinute[0]!++;
  }
  return perMinute;
}

function cpuSeconds(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

export async function run({ argv, log }: BenchArgs): Promise<BenchResult> {
  const option = (name: string, fallback: number) => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const tenants = option('--tenants', 10_000);
  const planTenants = option('--plan-tenants', 1_000_000);

  const links = fleet(tenants);
  const ours = flatness(oursPerMinute(links, 'rank'));
  const hashed = flatness(oursPerMinute(links, 'hash'));
  const old = flatness(oldPlanPerMinute(links));
  log(`${tenants} tenants, ${links.length} links, one 6 h period by minute:`);
  log(`  ours (ranked hash phases): max ${ours.max}/min, mean ${ours.mean.toFixed(1)}/min, flatness ${ours.flatness.toFixed(3)}`);
  log(`  plain hash phases:         max ${hashed.max}/min, mean ${hashed.mean.toFixed(1)}/min, flatness ${hashed.flatness.toFixed(3)}`);
  log(`  old plan (4 groups × 6 h): max ${old.max}/min, mean ${old.mean.toFixed(1)}/min, flatness ${old.flatness.toFixed(1)}`);

  const big = fleet(planTenants);
  let table = compileTable(big, STEADY);
  const compileS = cpuSeconds(() => {
    table = compileTable(big, STEADY);
  });
  const state = createSlotState(table.size);
  let coldRequests = 0;
  const coldS = cpuSeconds(() => {
    const planned = planTick(table, state, T0, STEADY, ALWAYS);
    coldRequests = planned.length;
    recordEmitted(state, planned, T0);
  });
  // Steady ticks every 10 s; the median of five is the figure (GC of the cold tick's garbage lands in one).
  const ticks: number[] = [];
  let steadyRequests = 0;
  for (let k = 1; k <= 5; k++) {
    const now = T0 + k * 10_000;
    ticks.push(cpuSeconds(() => {
      const planned = planTick(table, state, now, STEADY, ALWAYS);
      steadyRequests = planned.length;
      recordEmitted(state, planned, now);
    }));
  }
  const planS = ticks.sort((a, b) => a - b)[2]!;
  log(`${planTenants} tenants (${table.size} links): compile ${compileS.toFixed(2)} CPU s; cold tick ${coldS.toFixed(2)} CPU s (${coldRequests} requests);`);
  log(`  steady 10 s tick ${planS.toFixed(3)} CPU s (${steadyRequests} requests; five ticks ${ticks.map((t) => t.toFixed(3)).join(', ')})`);

  const round = (x: number, d = 3) => Number(x.toFixed(d));
  return {
    bench: 'scheduler',
    metric: 'flatness (max ÷ mean requests per minute over one period)',
    unit: 'ratio',
    value: round(ours.flatness),
    baseline: round(old.flatness, 1),
    ratio: round(old.flatness / ours.flatness, 1),
    bound: 1,
    of_bound: round(ours.flatness),
    target: 1.2,
    hash_only_flatness: round(hashed.flatness),
    tenants,
    links: links.length,
    plan_cpu_s: round(planS, 4),
    plan_tenants: planTenants,
    plan_links: table.size,
    plan_cold_cpu_s: round(coldS),
    plan_cold_requests: coldRequests,
    compile_cpu_s: round(compileS),
  };
}
