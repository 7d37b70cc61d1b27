/**
 * The scheduler's policy as data: the period of each tier (owned by lib/sync/tiers.ts, read here), which
 * entities each platform syncs and how often, the hours a business type avoids or prefers, and how catch-up and
 * onboarding behave. `DEFAULT_POLICY` holds the defaults; `policyFromConfig()` merges the settings once and
 * fails with one sentence naming the setting when they make no sense. The planner (slots.ts) only reads it.
 */
import type { Platform, Tier } from '../../lib/contracts/fields.js';
import { tierPolicies, type TierOverride } from '../../lib/sync/tiers.js';
import { ConfigError } from '../../lib/config.js';

export interface EntityPolicy {
  name: string;
  /**
   * The entity is synced at most once per this many ms, riding one of the tenant's slots (each entity of each
   * tenant at its own hashed place in that interval). 0: in every slot.
   */
  everyMs: number;
}

/** Hour-of-day classes (KST): 0 avoided (nothing is emitted), 1 normal, 2 preferred (used when a frame has any). */
export type HourClasses = Uint8Array;

export interface OverlapPolicy {
  /** Hold a tenant's next slot while its previous request has not ended (it is then emitted once, coalesced). */
  enabled: boolean;
  /** A request older than this many of its periods counts as lost and no longer holds the next one. */
  staleAfterPeriods: number;
}

export interface OnboardingPolicy {
  /** How far back a new tenant × platform is backfilled; 0 turns onboarding off (the first slot is a normal one). */
  depthMs: number;
  /** The backfill is cut into requests of this span, newest first. */
  stepMs: number;
  /** New links are spread over this long after they appear (or after the leader started). */
  spreadMs: number;
}

export interface SchedulerPolicy {
  /** Time between two slots of a tenant, per tier; a tenant record's `syncIntervalMinutes` overrides it. */
  periodMs: Record<Tier, number>;
  /** Per platform, the entities it syncs, in a fixed order (their bit in a request id's entity mask). */
  entities: Record<Platform, EntityPolicy[]>;
  /** Per business type, its hour classes. Tenants of other types have no window. */
  windows: Record<string, HourClasses>;
  /** Slots that fell due while no leader ran are emitted once each, spread over up to this long. */
  catchUpSpreadMs: number;
  overlap: OverlapPolicy;
  onboarding: OnboardingPolicy;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Entities and their own intervals. Cafe24's orders and products follow the tier; categories change rarely
 * (and the connector caches them 6 h). Ably's settlements and per-day product stats close once a day.
 * The names are the platforms' entity names (their cursors and RawResult entities).
 */
export const DEFAULT_ENTITIES: Record<Platform, EntityPolicy[]> = {
  cafe24: [{ name: 'orders', everyMs: 0 }, { name: 'products', everyMs: 0 }, { name: 'categories', everyMs: 6 * HOUR }],
  ably: [
    { name: 'orders', everyMs: 0 }, { name: 'claims', everyMs: 0 }, { name: 'products', everyMs: 0 }, { name: 'reviews', everyMs: 0 },
    { name: 'settlements', everyMs: DAY }, { name: 'product_daily_stats', everyMs: DAY },
  ],
};

export const DEFAULT_POLICY: SchedulerPolicy = {
  periodMs: periodsOf(tierPolicies()),
  entities: DEFAULT_ENTITIES,
  windows: {},
  catchUpSpreadMs: 15 * MINUTE,
  overlap: { enabled: true, staleAfterPeriods: 2 },
  onboarding: { depthMs: 90 * DAY, stepMs: 30 * DAY, spreadMs: 10 * MINUTE },
};

function periodsOf(tiers: Record<Tier, { syncIntervalMinutes: number }>): Record<Tier, number> {
  return { paid: tiers.paid.syncIntervalMinutes * MINUTE, free: tiers.free.syncIntervalMinutes * MINUTE };
}

/** The settings policyFromConfig reads (lib/config.ts `tiers` and `scheduler`). */
export interface SchedulerSettings {
  tiers: Record<Tier, TierOverride>;
  scheduler: {
    entities: string;
    windows: string;
    catchUpSpreadMinutes: number;
    onboardingDays: number;
    onboardingStepDays: number;
    onboardingSpreadMinutes: number;
  };
}

export function policyFromConfig(settings: SchedulerSettings): SchedulerPolicy {
  const s = settings.scheduler;
  return {
    ...DEFAULT_POLICY,
    periodMs: periodsOf(tierPolicies(settings.tiers)),
    entities: s.entities ? mergeEntities(DEFAULT_ENTITIES, JSON.parse(s.entities)) : DEFAULT_ENTITIES,
    windows: s.windows ? parseWindows(JSON.parse(s.windows)) : {},
    catchUpSpreadMs: s.catchUpSpreadMinutes * MINUTE,
    onboarding: { depthMs: s.onboardingDays * DAY, stepMs: s.onboardingStepDays * DAY, spreadMs: s.onboardingSpreadMinutes * MINUTE },
  };
}

const ENTITY_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** `{platform: {entity: minutes}}` over the defaults: a known entity gets a new interval, a new one is appended. */
export function mergeEntities(base: Record<Platform, EntityPolicy[]>, overrides: unknown): Record<Platform, EntityPolicy[]> {
  const bad = (why: string) => new ConfigError(`invalid configuration: scheduler.entities: ${why} (set by SCHEDULER_ENTITIES)`);
  const merged = { ably: [...base.ably], cafe24: [...base.cafe24] };
  for (const [platform, entities] of Object.entries(overrides as Record<string, unknown>)) {
    if (platform !== 'ably' && platform !== 'cafe24') throw bad(`unknown platform ${JSON.stringify(platform)}`);
    if (typeof entities !== 'object' || entities === null) throw bad(`${platform} must map entity names to minutes`);
    for (const [name, minutes] of Object.entries(entities)) {
      if (!ENTITY_NAME.test(name)) throw bad(`${JSON.stringify(name)} is not an entity name`);
      if (!Number.isInteger(minutes) || (minutes as number) < 0) throw bad(`${platform}.${name} must be whole minutes ≥ 0`);
      const list = merged[platform];
      const at = list.findIndex((e) => e.name === name);
      const entity = { name, everyMs: (minutes as number) * MINUTE };
      if (at >= 0) list[at] = entity;
      else list.push(entity);
    }
    if (merged[platform].length > 30) throw bad(`${platform} has more than 30 entities`);
  }
  return merged;
}

/** `{businessType: {avoid: ["11-14"], prefer: ["22-6"]}}`: KST hour ranges, end exclusive, wrapping past midnight. */
export function parseWindows(spec: unknown): Record<string, HourClasses> {
  const bad = (why: string) => new ConfigError(`invalid configuration: scheduler.windows: ${why} (set by SCHEDULER_WINDOWS)`);
  const windows: Record<string, HourClasses> = {};
  for (const [type, value] of Object.entries(spec as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(type)) throw bad(`${JSON.stringify(type)} is not a business type`);
    const { avoid = [], prefer = [], ...rest } = (value ?? {}) as { avoid?: unknown; prefer?: unknown };
    if (Object.keys(rest).length > 0 || !Array.isArray(avoid) || !Array.isArray(prefer)) throw bad(`${type} takes only avoid and prefer lists`);
    const classes = new Uint8Array(24).fill(1);
    for (const [list, cls] of [[prefer, 2], [avoid, 0]] as const) {
      for (const range of list) {
        const m = /^(\d{1,2})-(\d{1,2})$/.exec(String(range));
        const from = Number(m?.[1]);
        const to = Number(m?.[2]);
        if (!m || from > 23 || to > 24 || from === to) throw bad(`${type}: ${JSON.stringify(range)} is not an hour range like "11-14"`);
        const span = to > from ? to - from : to + 24 - from;
        for (let i = 0; i < span; i++) classes[(from + i) % 24] = cls;
      }
    }
    if (classes.every((c) => c === 0)) throw bad(`${type} avoids every hour`);
    windows[type] = classes;
  }
  return windows;
}
