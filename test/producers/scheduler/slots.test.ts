import assert from 'node:assert/strict';
import { DEFAULT_POLICY, parseWindows, type SchedulerPolicy } from '../../../producers/scheduler/policy.js';
import {
  compileTable, createSlotState, linkKey, planTick, recordEmitted, type LinkInput, type PlannedRequest, type PlanTable, type SlotState,
} from '../../../producers/scheduler/slots.js';
import { SyncRequestContract } from '../../../lib/contracts/sync-request.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 2026-11-30 00:00 UTC = 09:00 KST. */
const T0 = Date.UTC(2026, 10, 30);
const KST_HOUR = (t: number) => Math.floor((t + 9 * HOUR) / HOUR) % 24;

/** A scheduler that has been running: no onboarding, no overlap, no catch-up. */
const STEADY: SchedulerPolicy = { ...DEFAULT_POLICY, overlap: { ...DEFAULT_POLICY.overlap, enabled: false }, onboarding: { ...DEFAULT_POLICY.onboarding, depthMs: 0 } };
const ALWAYS = { leaderSince: -Infinity };

function links(n: number, extra: (i: number) => Partial<LinkInput> = () => ({})): LinkInput[] {
  return Array.from({ length: n }, (_, i) => ({
    tenantId: `tenant-${i}`, platform: i % 3 === 0 ? 'ably' : 'cafe24', tier: i % 4 === 0 ? 'paid' : 'free', since: T0 - DAY, ...extra(i),
  }) as LinkInput);
}

interface Emission extends PlannedRequest {
  at: number;
}

/** Ticks from `from` to `to` every `stepMs`, recording what was emitted and when. */
function simulate(table: PlanTable, state: SlotState, from: number, to: number, stepMs: number, policy: SchedulerPolicy, leaderSince = -Infinity): Emission[] {
  const seen: Emission[] = [];
  for (let now = from; now <= to; now += stepMs) {
    const planned = planTick(table, state, now, policy, { leaderSince });
    recordEmitted(state, planned, now);
    for (const p of planned) seen.push({ ...p, at: now });
  }
  return seen;
}

/** A warm state: every link's latest slot at `at` already emitted. */
function warm(table: PlanTable, at: number, policy = STEADY): SlotState {
  const state = createSlotState(table.size);
  recordEmitted(state, planTick(table, state, at, policy, ALWAYS), at);
  state.runningSince.fill(NaN);
  return state;
}

const periodOf = (table: PlanTable, row: number) => table.groups[table.group[row]!]!.periodMs;

describe('scheduler slots (pure planner)', () => {
  it('gives each link the same phase and the same request ids whatever the order of the tenant table', () => {
    const a = links(500);
    const b = [...a].reverse();
    const ta = compileTable(a, STEADY);
    const tb = compileTable(b, STEADY);
    for (const link of a) {
      const key = linkKey(link.tenantId, link.platform);
      assert.equal(ta.phase[ta.rowOf.get(key)!], tb.phase[tb.rowOf.get(key)!], key);
    }
    const ids = (t: PlanTable) => new Set(simulate(t, warm(t, T0), T0 + MINUTE, T0 + 6 * HOUR, MINUTE, STEADY).map((e) => e.request.requestId));
    assert.deepEqual([...ids(ta)].sort(), [...ids(tb)].sort());
  });

  it('spreads one period flat: max ÷ mean requests per minute ≤ 1.2 for 10,000 links (plain hashing would not)', () => {
    const perMinute = (table: PlanTable) => {
      const counts = new Array<number>(360).fill(0);
      for (const e of simulate(table, warm(table, T0), T0 + MINUTE, T0 + 6 * HOUR, MINUTE, STEADY)) counts[(e.at - T0) / MINUTE - 1]!++;
      return Math.max(...counts) / (counts.reduce((x, y) => x + y, 0) / counts.length);
    };
    const fleet = links(10_000);
    const ranked = perMinute(compileTable(fleet, STEADY));
    const hashed = perMinute(compileTable(fleet, STEADY, { phases: 'hash' }));
    assert.ok(ranked <= 1.2, `flatness ${ranked}`);
    assert.ok(hashed > 1.2, `plain hash flatness ${hashed} (the reason for ranks)`);
  });

  it('never emits a slot before its time, and emits each at its first tick after it', () => {
    const table = compileTable(links(300), STEADY);
    const emissions = simulate(table, warm(table, T0), T0 + 1000, T0 + 6 * HOUR, 1000, STEADY);
    assert.ok(emissions.length > 300);
    for (const e of emissions) {
      const slotTime = e.slotStart + table.phase[e.row]! * periodOf(table, e.row);
      assert.ok(e.at >= slotTime, `${e.request.requestId} at ${e.at} before its time ${slotTime}`);
      assert.ok(e.at < slotTime + 1000, `${e.request.requestId} late`);
    }
  });

  it('keeps slots out of avoided hours and inside preferred ones (KST)', () => {
    const policy: SchedulerPolicy = { ...STEADY, windows: parseWindows({ restaurant: { avoid: ['11-14', '17-21'] }, night: { prefer: ['0-6'] } }) };
    const fleet = [
      ...links(200, () => ({ tier: 'paid', businessType: 'restaurant' })),
      ...links(200, (i) => ({ tenantId: `night-${i}`, tier: 'free', businessType: 'night' })),
    ];
    const table = compileTable(fleet, policy);
    const emissions = simulate(table, warm(table, T0, policy), T0 + MINUTE, T0 + 2 * DAY, MINUTE, policy);
    const restaurant = emissions.filter((e) => table.tenantIds[e.row]!.startsWith('tenant-'));
    const night = emissions.filter((e) => table.tenantIds[e.row]!.startsWith('night-'));
    // A slot at the end of an allowed hour may leave at the next tick (one minute here), never later in an avoided one.
    for (const e of restaurant) {
      const avoided = [11, 12, 13, 17, 18, 19, 20].includes(KST_HOUR(e.at));
      assert.ok(!avoided || e.at % HOUR < MINUTE, `restaurant slot at ${new Date(e.at + 9 * HOUR).toISOString()} KST`);
    }
    // Hourly slots: 24 − 7 avoided hours = 17 a day for each restaurant link.
    assert.equal(restaurant.length, 200 * 17 * 2);
    // 6-hour frames are 09-15, 15-21, 21-03, 03-09 KST: the last two hold preferred hours, so their slots sit in them.
    for (const e of night) {
      const frameStartKst = KST_HOUR(e.slotStart);
      if (frameStartKst === 21 || frameStartKst === 3) assert.ok(KST_HOUR(e.at - 1) < 6, `night slot at ${KST_HOUR(e.at)}h KST`);
    }
    assert.equal(night.length, 200 * 4 * 2);
  });

  it('holds the next slot while the previous request runs, then emits it once with the entities of every frame it covers', () => {
    const policy: SchedulerPolicy = { ...STEADY, overlap: { enabled: true, staleAfterPeriods: 100 } };
    const table = compileTable([{ tenantId: 'busy', platform: 'cafe24', tier: 'paid', since: T0 - DAY }], policy);
    const state = warm(table, T0, policy);
    state.runningSince[0] = T0;
    const held = simulate(table, state, T0 + MINUTE, T0 + 7 * HOUR, MINUTE, policy);
    assert.deepEqual(held, [], 'nothing while the request runs');
    state.runningSince[0] = NaN; // its run ended
    const after = simulate(table, state, T0 + 7 * HOUR + MINUTE, T0 + 7 * HOUR + 2 * MINUTE, MINUTE, policy);
    assert.equal(after.length, 1, 'one coalesced request');
    assert.equal(after[0]!.request.entities, undefined, 'six hours of frames include categories: every entity');
  });

  it('after the scheduler was down, emits at most one catch-up per link, spread over the catch-up window', () => {
    const policy: SchedulerPolicy = { ...STEADY, catchUpSpreadMs: 15 * MINUTE };
    const fleet = links(2_000, () => ({ tier: 'paid' }));
    const table = compileTable(fleet, policy);
    const state = warm(table, T0, policy);
    const back = T0 + 3 * HOUR + 30 * MINUTE; // down for three and a half hours
    const emissions = simulate(table, state, back, back + 2 * HOUR, 10_000, policy, back);
    // Every link missed three slots and gets one catch-up for the latest; then its frames follow one by one.
    const caughtUp = emissions.filter((e) => e.slotStart + table.phase[e.row]! * HOUR <= back);
    const rows = new Set(caughtUp.map((e) => e.row));
    assert.equal(rows.size, caughtUp.length, 'at most one catch-up per link');
    // Only a link whose regular slot follows within the first tick has its catch-up in that slot.
    for (let row = 0; row < table.size; row++) {
      if (!rows.has(row)) assert.ok(emissions.find((e) => e.row === row)!.at <= back + 10_000, `link ${row} lost its catch-up`);
    }
    assert.ok(caughtUp.length > 1_990);
    assert.ok(caughtUp.every((e) => e.at <= back + 15 * MINUTE), 'within the spread (and the tick after it)');
    for (let row = 0; row < table.size; row++) {
      const frames = emissions.filter((e) => e.row === row).map((e) => e.slotStart);
      for (let k = 1; k < frames.length; k++) assert.equal(frames[k]! - frames[k - 1]!, HOUR, 'no frame missed after the catch-up');
    }
    const first = emissions.filter((e) => e.at === back).length;
    assert.ok(first < 150, `${first} of ${emissions.length} at the first tick: spread, not a spike`);
  });

  it('backfills a new link first (depth cut into steps, newest first, low priority), then schedules it normally', () => {
    const policy: SchedulerPolicy = { ...STEADY, onboarding: { depthMs: 90 * DAY, stepMs: 30 * DAY, spreadMs: 10 * MINUTE } };
    const since = T0 + 5 * MINUTE;
    const table = compileTable([{ tenantId: 'newbie', platform: 'cafe24', tier: 'paid', since }], policy);
    const state = createSlotState(table.size);
    const emissions = simulate(table, state, T0, T0 + 3 * HOUR, MINUTE, policy, T0);
    const backfill = emissions.filter((e) => e.request.reason === 'backfill');
    assert.equal(backfill.length, 3);
    assert.ok(backfill.every((e) => e.topic === 'sync.cafe24.low' && e.at === backfill[0]!.at));
    assert.ok(backfill[0]!.at >= since && backfill[0]!.at <= since + 10 * MINUTE);
    const [newest, middle, oldest] = backfill.map((e) => e.request);
    assert.equal(newest!.until, undefined);
    assert.equal(middle!.until, newest!.since);
    assert.equal(oldest!.until, middle!.since);
    const anchor = backfill[0]!.slotStart + HOUR;
    assert.equal(Date.parse(oldest!.since!), anchor - 90 * DAY);
    for (const e of backfill) assert.ok(SyncRequestContract.decode(SyncRequestContract.encode(e.request)).ok);
    const regular = emissions.filter((e) => e.request.reason === 'scheduled');
    assert.deepEqual(regular.map((e) => e.slotStart - T0), [0, HOUR, 2 * HOUR], 'every frame after the backfilled one');
    assert.ok(regular.every((e) => e.topic === 'sync.cafe24.high'));
  });

  it('a failover continues from the durable last slot: no slot missed, none doubled, ids identical', () => {
    const fleet = links(400);
    const first = compileTable(fleet, STEADY);
    const stateA = warm(first, T0);
    const a = simulate(first, stateA, T0 + MINUTE, T0 + 5 * HOUR, MINUTE, STEADY);
    // The successor rebuilds the table from a differently ordered read and the state from scheduler.state by key.
    const shuffled = [...fleet].sort((x, y) => (x.tenantId < y.tenantId ? 1 : -1));
    const second = compileTable(shuffled, STEADY);
    const stateB = createSlotState(second.size);
    for (const [key, row] of first.rowOf) stateB.lastSlot[second.rowOf.get(key)!] = stateA.lastSlot[row]!;
    const takeover = T0 + 5 * HOUR + 17 * MINUTE; // 17 minutes without a leader
    const b = simulate(second, stateB, takeover, T0 + 12 * HOUR, MINUTE, STEADY, takeover);
    const ids = [...a, ...b].map((e) => e.request.requestId);
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    const slotsOf = new Map<string, number[]>();
    for (const [e, table] of [...a.map((e) => [e, first] as const), ...b.map((e) => [e, second] as const)]) {
      const key = linkKey(table.tenantIds[e.row]!, e.request.platform);
      slotsOf.set(key, [...(slotsOf.get(key) ?? []), e.slotStart]);
    }
    for (const [key, slots] of slotsOf) {
      const period = periodOf(first, first.rowOf.get(key)!);
      for (let k = 1; k < slots.length; k++) {
        const gap = slots[k]! - slots[k - 1]!;
        // Consecutive frames, except across the 17 leaderless minutes, where at most the missed one is folded in.
        assert.ok(gap === period || (gap === 2 * period && slots[k - 1]! < takeover && slots[k]! >= takeover - period), `${key}: gap ${gap / MINUTE} min`);
      }
    }
    // Replaying B's first tick from A's state again (a second successor) emits nothing new.
    const again = planTick(second, stateB, T0 + 12 * HOUR, STEADY, { leaderSince: takeover });
    assert.deepEqual(again, []);
  });

  it('syncs an entity with its own interval only as often as that: categories every 6 h, settlements daily', () => {
    const table = compileTable([
      { tenantId: 'shop', platform: 'cafe24', tier: 'paid', since: T0 - DAY },
      { tenantId: 'shop', platform: 'ably', tier: 'paid', since: T0 - DAY },
    ], STEADY);
    const emissions = simulate(table, warm(table, T0), T0 + MINUTE, T0 + 2 * DAY, MINUTE, STEADY);
    const withEntity = (platform: string, entity: string) =>
      emissions.filter((e) => e.request.platform === platform && (e.request.entities === undefined || e.request.entities.includes(entity)));
    assert.equal(emissions.filter((e) => e.request.platform === 'cafe24').length, 48);
    assert.equal(withEntity('cafe24', 'categories').length, 8);
    assert.equal(withEntity('cafe24', 'orders').length, 48);
    assert.equal(withEntity('ably', 'settlements').length, 2);
    assert.equal(withEntity('ably', 'product_daily_stats').length, 2);
    for (const e of emissions) assert.ok(SyncRequestContract.decode(SyncRequestContract.encode(e.request)).ok, e.request.requestId);
  });
});
