/**
 * Argument checks for the CLI, each ending in one sentence that says what is expected. They reuse the
 * contracts' own field checks (lib/contracts/fields.ts, tenant.ts), so the CLI accepts exactly what a record on
 * the topic may hold. Pure: they are commander argument parsers, and unit-tested as such.
 */
import { InvalidArgumentError } from 'commander';
import { entity, PLATFORMS, tenantId, TIERS, type Platform, type Tier } from '../../lib/contracts/fields.js';
import { tenantV1 } from '../../lib/contracts/tenant.js';
import type { Check } from '../../lib/contracts/schema.js';

const bad = (sentence: string) => new InvalidArgumentError(sentence);
const passes = <T>(check: Check<T>, value: unknown) => check(value, '').ok;

export function tenantIdArg(value: string): string {
  if (!passes(tenantId(), value)) throw bad('a tenant id is 1-64 letters, digits, "_" or "-", starting with a letter or digit.');
  return value;
}

export function tierArg(value: string): Tier {
  if (!(TIERS as readonly string[]).includes(value)) throw bad(`the tier is one of ${TIERS.join(', ')}.`);
  return value as Tier;
}

export function platformArg(value: string): Platform {
  if (!(PLATFORMS as readonly string[]).includes(value)) throw bad(`the platform is one of ${PLATFORMS.join(', ')}.`);
  return value as Platform;
}

export function entitiesArg(value: string): string[] {
  const list = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (list.length === 0 || list.some((e) => !passes(entity(), e))) throw bad('entities are a comma-separated list of names like orders,products.');
  return [...new Set(list)];
}

/** A tenant-record field, judged by the tenant contract itself: `place` puts the value where the record holds it. */
function tenantField(place: (value: string) => Record<string, unknown>, sentence: string) {
  return (value: string): string => {
    const probe = { v: 1, tenantId: 'probe', tier: 'free', status: 'active', updatedAt: new Date(0).toISOString(), ...place(value) };
    if (!passes(tenantV1, probe)) throw bad(sentence);
    return value;
  };
}

export const mallIdArg = tenantField((mallId) => ({ cafe24: { mallId } }), 'a Cafe24 mall id is 4-16 lower-case letters or digits.');
export const ablySellerArg = tenantField((sellerId) => ({ ably: { sellerId } }), 'an Ably seller id is 1-64 letters, digits, "_" or "-".');
export const businessTypeArg = tenantField((businessType) => ({ businessType }), 'a business type is a lower-case name like fashion or food_delivery (up to 32 of a-z, 0-9, _).');

export function positiveIntArg(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > max) throw bad(`${name} is a whole number from 1 to ${max}.`);
    return n;
  };
}

export const shopNoArg = positiveIntArg('the shop number', 999);
export const intervalArg = positiveIntArg('the sync interval in minutes', 7 * 24 * 60);

/** A date (YYYY-MM-DD, read as KST midnight, the sellers' day) or an ISO-8601 date-time with an offset. */
export function dateArg(value: string): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const parsed = day ? new Date(`${value}T00:00:00+09:00`) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(NaN);
  // A day that rolled over (2026-02-30 → March 2) no longer reads back as itself on the KST calendar.
  if (Number.isNaN(parsed.getTime()) || (day && new Date(parsed.getTime() + 9 * 3_600_000).toISOString().slice(0, 10) !== value)) {
    throw bad('a date is YYYY-MM-DD (KST) or an ISO-8601 date-time with its offset, e.g. 2026-01-31T09:00:00+09:00.');
  }
  return parsed;
}

export function emailArg(value: string): string {
  if (value.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw bad('the e-mail address is not valid.');
  return value;
}

/** `sync.dlq:2:15`: a DLQ entry's topic, partition and offset, as `dlq list` prints it. */
export function dlqIdArg(value: string): { topic: string; partition: number; offset: string } {
  const m = /^(sync\.dlq|sink\.dlq):(\d{1,4}):(\d{1,19})$/.exec(value);
  if (!m) throw bad('a DLQ entry id is TOPIC:PARTITION:OFFSET as `dlq list` prints it, e.g. sync.dlq:2:15.');
  return { topic: m[1]!, partition: Number(m[2]), offset: m[3]! };
}
