/**
 * Slot planning, pure: which sync requests are due now, as a function of the tenant table, the last slot emitted
 * per tenant × platform, the time and the policy. No I/O and no clock, so it is tested without Kafka, and two
 * leaders given the same inputs plan the same requests with the same ids.
 *
 * The rules:
 * - **Frames.** Time is cut into frames of the tenant's period P, aligned on the epoch (hourly frames start on
 *   the hour). Each frame holds one slot; the slot's identity is its frame start, so a request id derived from it
 *   (`requestIdOf`) is the same on every instance, and `lastSlot` (the durable frame start of the last emitted
 *   slot) tells a new leader exactly what is left to do: a failover neither skips nor repeats a slot.
 * - **Phase.** A link's slot sits at a fixed place u·P in each frame. u comes from a stable hash of
 *   `tenantId/platform` (Fivetran staggers by a hash the same way), but as the link's *rank* among its group's
 *   hashes, u = (rank + ½) / n: independent hashes are Poisson-noisy (10,000 tenants put max ÷ mean requests per
 *   minute near 1.4), ranks are flat to one request. A link joining or leaving moves the others by < P/n.
 * - **Windows.** A business type's avoided hours (KST) carry no slot; if a frame has preferred hours, the slot is
 *   placed among them, else among the normal ones (u·eligible time); a frame wholly avoided is skipped.
 * - **Never early** (Temporal): a slot is emitted at or after its time, never before.
 * - **One emission per tenant per tick, coalesced.** Only the latest due frame is emitted, carrying the entities
 *   of every frame since the last emitted one. Entities with their own interval (settlements daily) ride the
 *   slot whose frame passes their hashed place in that interval.
 * - **Overlap.** While a link's previous request has not ended, its next slot is held (not skipped): it is
 *   emitted, once, when that request ends, or when the request is older than `staleAfterPeriods` periods.
 * - **Bounded catch-up.** A slot that came due while no leader ran (before `leaderSince`) is emitted once,
 *   delayed by a hashed share of min(catch-up spread, how late it is), so a restart is not a spike, and kept a
 *   spread ahead of the link's next regular slot where the takeover leaves room (it is never folded into it,
 *   so no slot is lost).
 * - **Onboarding.** A link with no emitted slot gets a backfill first (policy depth, cut into steps, newest
 *   first, on the low-priority topic), spread over `onboarding.spreadMs` after it appeared.
 *
 * Speed: the table is columns of typed arrays built once per tenant-table change (`compileTable`); a tick is
 * one flat loop over them that allocates only the requests it emits (1 M links in about 20 ms: bench/scheduler.ts).
 */
import { PLATFORMS, TIERS, type Platform, type Tier } from '../../lib/contracts/fields.js';
import { priorityOf, syncTopic, type SyncRequest } from '../../lib/contracts/sync-request.js';
import { stringHash } from '../../lib/string-hash.js';
import type { HourClasses, SchedulerPolicy } from './policy.js';

/** One tenant × platform to schedule (paused, removed and parked links are left out before this). */
export interface LinkInput {
  tenantId: string;
  platform: Platform;
  tier: Tier;
  /** The tenant's own period (its record's syncIntervalMinutes); absent: the tier's. */
  periodMs?: number;
  businessType?: string;
  /** When the link appeared (its tenant record's updatedAt), ms since the epoch: where onboarding spreads from. */
  since: number;
}

interface PlanGroup {
  platform: number;
  periodMs: number;
  window: HourClasses | undefined;
}

/** The tenant table as columns, one row per link. */
export interface PlanTable {
  readonly size: number;
  readonly tenantIds: readonly string[];
  readonly platform: Uint8Array;
  readonly tier: Uint8Array;
  readonly group: Uint16Array;
  /** u ∈ (0, 1): the slot's place in its frame. */
  readonly phase: Float64Array;
  /** A second, independent hash fraction: catch-up and onboarding delays, entity places. */
  readonly spread: Float64Array;
  readonly since: Float64Array;
  /** 96 hash bits of `tenantId/platform`, hex: the link's part of its request ids. */
  readonly idTag: readonly string[];
  readonly groups: readonly PlanGroup[];
  /** Row of `tenantId/platform`. */
  readonly rowOf: ReadonlyMap<string, number>;
}

export interface CompileOptions {
  /** `rank` (default): flat phases from hash ranks; `hash`: the hash fraction itself (for comparison only). */
  phases?: 'rank' | 'hash';
}

const TWO32 = 2 ** 32;
/** Rows per group that a rank key (hash × 2^21 + position) holds exactly in a double. */
const MAX_GROUP_ROWS = 2 ** 21;

export const linkKey = (tenantId: string, platform: Platform) => `${tenantId}/${platform}`;

export function compileTable(links: readonly LinkInput[], policy: SchedulerPolicy, { phases = 'rank' }: CompileOptions = {}): PlanTable {
  const size = links.length;
  const tenantIds: string[] = new Array(size);
  const idTag: string[] = new Array(size);
  const platform = new Uint8Array(size);
  const tier = new Uint8Array(size);
  const group = new Uint16Array(size);
  const phase = new Float64Array(size);
  const spread = new Float64Array(size);
  const since = new Float64Array(size);
  const rawPhase = new Uint32Array(size);
  const rowOf = new Map<string, number>();
  const groups: PlanGroup[] = [];
  const groupOf = new Map<number | string, number>();
  for (let i = 0; i < size; i++) {
    const link = links[i]!;
    const key = linkKey(link.tenantId, link.platform);
    const h1 = stringHash(key, 0x9e3779b9);
    const h2 = stringHash(key, 0x85ebca6b);
    const p = PLATFORMS.indexOf(link.platform);
    const periodMs = link.periodMs ?? policy.periodMs[link.tier];
    const window = link.businessType === undefined ? undefined : policy.windows[link.businessType];
    const gk = window ? `${p}|${periodMs}|${link.businessType}` : periodMs * 2 + p;
    let g = groupOf.get(gk);
    if (g === undefined) {
      g = groups.length;
      groups.push({ platform: p, periodMs, window });
      groupOf.set(gk, g);
    }
    tenantIds[i] = link.tenantId;
    idTag[i] = hex48(h1) + hex48(h2);
    platform[i] = p;
    tier[i] = TIERS.indexOf(link.tier);
    group[i] = g;
    rawPhase[i] = h1 % TWO32;
    phase[i] = (rawPhase[i]! + 0.5) / TWO32;
    spread[i] = (h2 % TWO32) / TWO32;
    since[i] = link.since;
    rowOf.set(key, i);
  }
  if (phases === 'rank') rankPhases(group, rawPhase, groups.length, phase);
  return { size, tenantIds, platform, tier, group, phase, spread, since, idTag, groups, rowOf };
}

/** The low 48 bits of a hash as 12 hex digits, in 24-bit pieces (a small integer's toString is fast, a double's is not). */
const hex24 = (x: number) => (x & 0xff_ffff).toString(16).padStart(6, '0');
const hex48 = (h: number) => hex24(h / 2 ** 24) + hex24(h);

/** phase = (rank of the row's hash in its group + ½) ÷ group size. */
function rankPhases(group: Uint16Array, rawPhase: Uint32Array, groupCount: number, phase: Float64Array): void {
  const counts = new Uint32Array(groupCount);
  for (let i = 0; i < group.length; i++) counts[group[i]!]!++;
  for (let g = 0; g < groupCount; g++) {
    const n = counts[g]!;
    if (n > MAX_GROUP_ROWS) throw new RangeError(`a scheduler group holds ${n} links; at most ${MAX_GROUP_ROWS} are ranked`);
    const rows = new Uint32Array(n);
    const keys = new Float64Array(n);
    for (let i = 0, j = 0; i < group.length; i++) {
      if (group[i] !== g) continue;
      rows[j] = i;
      keys[j] = rawPhase[i]! * MAX_GROUP_ROWS + j;
      j++;
    }
    keys.sort();
    for (let r = 0; r < n; r++) phase[rows[keys[r]! % MAX_GROUP_ROWS]!] = (r + 0.5) / n;
  }
}

/** What the planner knows of the past, per row: frame start of the last emitted slot, start of the open request. */
export interface SlotState {
  /** NaN: nothing emitted yet (the link is new). */
  readonly lastSlot: Float64Array;
  /** NaN: no request open. */
  readonly runningSince: Float64Array;
}

export function createSlotState(size: number): SlotState {
  return { lastSlot: new Float64Array(size).fill(NaN), runningSince: new Float64Array(size).fill(NaN) };
}

export interface PlannedRequest {
  row: number;
  /** Frame start of the slot (what `lastSlot` becomes once it is emitted). */
  slotStart: number;
  topic: string;
  request: SyncRequest;
}

export interface TickContext {
  /** Since when this instance leads: slots due before it are catch-ups. */
  leaderSince: number;
}

/** A frame's eligible time as [start, end) pairs (null: the whole frame), and its length (0: skipped). */
interface Frame {
  start: number;
  segments: Float64Array | null;
  total: number;
}

const HOUR = 3_600_000;
const KST = 9 * HOUR;
const DAY = 24 * HOUR;

/** The slot's time in a frame at phase u; NaN when the frame is skipped. */
function slotTime(frame: Frame, u: number, periodMs: number): number {
  if (frame.segments === null) return frame.start + u * periodMs;
  if (frame.total === 0) return NaN;
  let x = u * frame.total;
  const s = frame.segments;
  for (let j = 0; j < s.length; j += 2) {
    const length = s[j + 1]! - s[j]!;
    if (x < length) return s[j]! + x;
    x -= length;
  }
  return s[s.length - 1]!;
}

/** The best class's stretches of a frame under a window: preferred if it has any, else normal, else none. */
function windowFrame(start: number, periodMs: number, window: HourClasses): Frame {
  const end = start + periodMs;
  const pieces: number[] = [];
  let best = 0;
  for (let t = start; t < end;) {
    const next = Math.min(end, (Math.floor((t + KST) / HOUR) + 1) * HOUR - KST);
    const cls = window[Math.floor((t + KST) / HOUR) % 24]!;
    if (cls > best) {
      best = cls;
      pieces.length = 0;
    }
    if (cls === best && cls > 0) pieces.push(t, next);
    t = next;
  }
  const segments = Float64Array.from(pieces);
  let total = 0;
  for (let j = 0; j < segments.length; j += 2) total += segments[j + 1]! - segments[j]!;
  return { start, segments, total };
}

interface GroupFrames {
  current: Frame;
  /** The latest frame before the current one that is not skipped. */
  previous: Frame;
  staleMs: number;
}

function framesOf(g: PlanGroup, now: number, policy: SchedulerPolicy): GroupFrames {
  const p = g.periodMs;
  const start = Math.floor(now / p) * p;
  const staleMs = policy.overlap.staleAfterPeriods * p;
  if (!g.window) return { current: { start, segments: null, total: p }, previous: { start: start - p, segments: null, total: p }, staleMs };
  const current = windowFrame(start, p, g.window);
  let previous = windowFrame(start - p, p, g.window);
  // A window avoids at most 23 h a day, so a day and a frame back always hold an eligible frame.
  for (let back = 2; previous.total === 0 && back <= Math.ceil(DAY / p) + 1; back++) previous = windowFrame(start - back * p, p, g.window);
  return { current, previous, staleMs };
}

/** The sync requests due at `now`. Pure: reads the table and the state, mutates neither (see `recordEmitted`). */
export function planTick(table: PlanTable, state: SlotState, now: number, policy: SchedulerPolicy, { leaderSince }: TickContext): PlannedRequest[] {
  const frames = table.groups.map((g) => framesOf(g, now, policy));
  const emit = createEmitter(table, policy, now);
  const { lastSlot, runningSince } = state;
  const { group, phase, spread, since } = table;
  const overlap = policy.overlap.enabled;
  const { catchUpSpreadMs } = policy;
  const onboardMs = policy.onboarding.depthMs;
  const out: PlannedRequest[] = [];
  for (let i = 0; i < table.size; i++) {
    const g = group[i]!;
    const f = frames[g]!;
    const periodMs = table.groups[g]!.periodMs;
    const u = phase[i]!;
    let due = f.current.start;
    let at = slotTime(f.current, u, periodMs);
    if (!(at <= now)) {
      due = f.previous.start;
      at = slotTime(f.previous, u, periodMs);
    }
    const last = lastSlot[i]!;
    if (due <= last) continue;
    if (overlap && now - runningSince[i]! < f.staleMs) continue;
    if (last !== last) {
      if (onboardMs > 0) {
        if (Math.max(since[i]!, leaderSince) + spread[i]! * policy.onboarding.spreadMs <= now) emit.backfill(out, i, due);
        continue;
      }
    } else if (at < leaderSince) {
      let catchUpAt = leaderSince + spread[i]! * Math.min(catchUpSpreadMs, leaderSince - at);
      const next = due === f.current.start ? f.current.start + periodMs + u * periodMs : slotTime(f.current, u, periodMs);
      // Keep a spread's distance from the next regular slot where the takeover leaves room for it; with less
      // room, spread over the first half of it (the catch-up is never folded into the regular slot).
      if (next - catchUpAt < catchUpSpreadMs) {
        const room = next - leaderSince;
        catchUpAt = room >= catchUpSpreadMs ? next - catchUpSpreadMs : leaderSince + spread[i]! * room / 2;
      }
      if (catchUpAt > now) continue;
    }
    emit.slot(out, i, due, last);
  }
  return out;
}

/**
 * Builds the requests of one tick; entity lists are shared per (platform, mask), the timestamp per tick.
 * Request ids are `<kind s|b><platform initial><entity mask | backfill step, base 36>-<slot start, base 36>-<96
 * hash bits of tenantId/platform>`: what the request is for and nothing else, so every instance derives the same
 * id for the same work (contract: ≤ 64 of [A-Za-z0-9_-]; these are ≤ 45).
 */
function createEmitter(table: PlanTable, policy: SchedulerPolicy, now: number) {
  const requestedAt = new Date(now).toISOString();
  const lists = PLATFORMS.map(() => new Map<number, string[]>());
  const entities = PLATFORMS.map((p) => policy.entities[p]);
  const fullMask = entities.map((list) => 2 ** list.length - 1);
  const namesOf = (p: number, mask: number): string[] => {
    let names = lists[p]!.get(mask);
    if (!names) {
      names = entities[p]!.filter((_, e) => mask & (1 << e)).map((e) => e.name);
      lists[p]!.set(mask, names);
    }
    return names;
  };
  const topics = PLATFORMS.map((p) => ({ high: syncTopic(p, 'high'), low: syncTopic(p, 'low') }));
  // Every row of a group shares its due frame, so its base-36 form is made once per frame.
  let slotOf = NaN;
  let slotText = '';
  const idOf = (kind: 's' | 'b', i: number, due: number, detail: number) => {
    if (due !== slotOf) {
      slotOf = due;
      slotText = due.toString(36);
    }
    return `${kind}${PLATFORMS[table.platform[i]!]![0]}${detail.toString(36)}-${slotText}-${table.idTag[i]}`;
  };
  const request = (i: number, requestId: string, reason: SyncRequest['reason']): SyncRequest => ({
    v: 1, requestId, tenantId: table.tenantIds[i]!, platform: PLATFORMS[table.platform[i]!]!, tier: TIERS[table.tier[i]!]!, reason, attempt: 1, requestedAt,
  });
  return {
    slot(out: PlannedRequest[], i: number, due: number, last: number): void {
      const p = table.platform[i]!;
      const periodMs = table.groups[table.group[i]!]!.periodMs;
      const list = entities[p]!;
      const from = last === last ? last : -Infinity;
      let mask = 0;
      for (let e = 0; e < list.length; e++) {
        const every = list[e]!.everyMs;
        if (every <= periodMs) {
          mask |= 1 << e;
          continue;
        }
        // The entity's own place in its interval, from the link's second hash (golden-ratio steps per entity).
        const place = ((table.spread[i]! + e * 0.6180339887) % 1) * every;
        if (Math.floor((due - place) / every) > Math.floor((from - place) / every)) mask |= 1 << e;
      }
      if (mask === 0) return;
      const r = request(i, idOf('s', i, due, mask), 'scheduled');
      if (mask !== fullMask[p]) r.entities = namesOf(p, mask);
      out.push({ row: i, slotStart: due, topic: topics[p]![priorityOf(r.tier)], request: r });
    },
    /** The onboarding backfill: steps of `stepMs` back to `depthMs` before the slot's frame end, newest first. */
    backfill(out: PlannedRequest[], i: number, due: number): void {
      const { depthMs, stepMs } = policy.onboarding;
      const anchor = due + table.groups[table.group[i]!]!.periodMs;
      for (let step = 0; step * stepMs < depthMs; step++) {
        const since = anchor - Math.min(depthMs, (step + 1) * stepMs);
        const r = request(i, idOf('b', i, due, step), 'backfill');
        r.since = new Date(since).toISOString();
        if (step > 0) r.until = new Date(anchor - step * stepMs).toISOString();
        out.push({ row: i, slotStart: due, topic: topics[table.platform[i]!]!.low, request: r });
      }
    },
  };
}

/** After the requests landed: their slots are the rows' last, and each row's request is open from `now`. */
export function recordEmitted(state: SlotState, planned: readonly PlannedRequest[], now: number): void {
  for (const p of planned) {
    state.lastSlot[p.row] = p.slotStart;
    state.runningSince[p.row] = now;
  }
}
