/**
 * The alert book: which alerts are firing and what to tell people, so an operator gets one message per problem,
 * not one per job or per evaluation. Pure (the clock is an argument).
 *   - Grouped: one alert per rule; its message lists every firing instance (platforms, tiers, topics).
 *   - De-duplicated: while an alert keeps firing, nothing more is sent, except a reminder every `repeatMs`
 *     and an update when an instance joins (no sooner than the cooldown).
 *   - Cooldown: at most one firing/update/reminder per alert per `cooldownMs`, so a flapping rule cannot flood
 *     a channel; a re-fire inside it is held and sent when it ends if the alert still fires.
 *   - Resolved: when every instance has cleared, one resolved message, always (and none for an alert that
 *     cleared before its firing message ever went out).
 */
import { instanceKey, type Instance } from './evaluate.js';
import type { AlertRule } from './rules.js';

export interface Notification {
  status: 'firing' | 'resolved';
  rule: AlertRule;
  instances: Instance[];
  /** When the alert started firing (epoch ms). */
  since: number;
  at: number;
  /** firing: 'new', 'update' (an instance joined) or 'reminder'. */
  reason?: 'new' | 'update' | 'reminder';
}

interface Entry {
  active: boolean;
  since: number;
  instances: Instance[];
  /** Whether the firing message of this episode went out. */
  announced: boolean;
  lastSentAt?: number;
  sentKeys: Set<string>;
}

export interface AlertBookOptions {
  cooldownMs: number;
  repeatMs: number;
}

export function createAlertBook({ cooldownMs, repeatMs }: AlertBookOptions) {
  const entries = new Map<string, Entry>();

  function cooldownOf(rule: AlertRule): number {
    return rule.cooldownMinutes === undefined ? cooldownMs : rule.cooldownMinutes * 60_000;
  }

  /** The rule's firing instances at `now` → what to send (zero or one notification). */
  function update(rule: AlertRule, instances: Instance[], now: number): Notification[] {
    const entry = entries.get(rule.id) ?? { active: false, since: now, instances: [], announced: false, sentKeys: new Set<string>() };
    entries.set(rule.id, entry);
    const cooled = entry.lastSentAt === undefined || now - entry.lastSentAt >= cooldownOf(rule);

    if (instances.length === 0) {
      if (!entry.active) return [];
      entry.active = false;
      entry.instances = [];
      if (!entry.announced) return [];
      entry.announced = false;
      entry.lastSentAt = now;
      return [{ status: 'resolved', rule, instances: [], since: entry.since, at: now }];
    }

    if (!entry.active) {
      entry.active = true;
      entry.since = now;
      entry.announced = false;
    }
    entry.instances = instances;
    const keys = new Set(instances.map(instanceKey));
    let reason: Notification['reason'];
    if (!entry.announced) reason = cooled ? 'new' : undefined;
    else if ([...keys].some((k) => !entry.sentKeys.has(k))) reason = cooled ? 'update' : undefined;
    else if (entry.lastSentAt !== undefined && now - entry.lastSentAt >= repeatMs) reason = 'reminder';
    if (!reason) return [];
    entry.announced = true;
    entry.lastSentAt = now;
    entry.sentKeys = keys;
    return [{ status: 'firing', rule, instances, since: entry.since, at: now, reason }];
  }

  /** Alerts firing now (for /metrics and the log). */
  function firing(): string[] {
    return [...entries].filter(([, e]) => e.active).map(([id]) => id);
  }

  return { update, firing };
}

export type AlertBook = ReturnType<typeof createAlertBook>;
