/**
 * Source values to cells, shared by every platform mapper. Sources are lenient (reference §8: money as strings or
 * numbers, ids stringified, T/F flags, dates with or without an offset), so these accept every documented shape
 * and reject the rest with a RecordRejectedError naming the field: the record goes to the DLQ, its siblings land.
 *
 * Absurd but readable times (a year 9999, an order placed in 1970) are not rejected: they are clamped and the
 * row is flagged (see Anomalies), because the rest of the record is good and dashboards must not break on it.
 */
import { RecordRejectedError } from './errors.js';
import type { DateText, DecimalText, EpochText } from './tables.js';

export const KST_OFFSET_MS = 9 * 3_600_000;
/** Source times before this are not plausible for an online shop's records. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
/** How far past the fetch time a source time may lie (clock skew between the source and us). */
export const FUTURE_TOLERANCE_MS = 24 * 3_600_000;
/** Decimal(18, 2) holds 16 integer digits; we stay well inside, where a JS number counts cents exactly. */
const MAX_CENTS = 9e15;

const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const MONEY = /^-?\d+(?:\.\d+)?$/;

/** Milliseconds → "seconds.millis" (see tables.ts EpochText). */
export function epochText(ms: number): EpochText {
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return `${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}

/** Milliseconds → the KST calendar day "YYYY-MM-DD". */
export function kstDate(ms: number): DateText {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * A source time in ms. ISO-8601 with or without seconds/fraction/offset, or "YYYY-MM-DD HH:MM:SS.ffffff";
 * no offset means KST (both sources speak KST). null/undefined/'' → null. Anything else is rejected.
 */
export function parseSourceTime(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new RecordRejectedError(`${field}: expected a date-time string, got ${typeof value}`);
  const usual = usualTime(value);
  if (usual !== undefined) return usual;
  const m = TIME.exec(value);
  if (!m) throw new RecordRejectedError(`${field}: unreadable date-time ${JSON.stringify(value.slice(0, 40))}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const local = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, frac ? Math.floor(+frac.padEnd(3, '0').slice(0, 3)) : 0);
  if (Number.isNaN(local)) throw new RecordRejectedError(`${field}: impossible date-time ${JSON.stringify(value)}`);
  return local - zoneOffsetMs(zone);
}

/** Two decimal digits of `s` at `i`, or NaN. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/**
 * The two forms the sources write almost every time, read without the regex (3-6 times faster, measured; a Cafe24
 * order carries a dozen times): `YYYY-MM-DDTHH:MM:SS+09:00` (Cafe24) and `YYYY-MM-DD HH:MM:SS` (Ably, KST). The
 * same arithmetic as the general path, so the same result; anything else (or a non-digit anywhere) is undefined.
 */
function usualTime(s: string): number | undefined {
  const kstOffset = s.length === 25 && s.charCodeAt(10) === 84 /* T */ && s.endsWith('+09:00');
  if (!kstOffset && !(s.length === 19 && s.charCodeAt(10) === 32 /* space */)) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  // A pair holding a non-digit is NaN, and so is Date.UTC of it.
  const ms = Date.UTC(digits2(s, 0) * 100 + digits2(s, 2), digits2(s, 5) - 1, digits2(s, 8), digits2(s, 11), digits2(s, 14), digits2(s, 17));
  return Number.isNaN(ms) ? undefined : ms - KST_OFFSET_MS;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined) return KST_OFFSET_MS;
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3_600_000 + Number(digits.slice(2)) * 60_000);
}

/**
 * Values the mapper changed to keep a record: which fields and what the source said. Written into the row's
 * `extra` as `_anomalies` and `_original`, so an analyst sees the row was clamped and why.
 */
export class Anomalies {
  fields: string[] | undefined;
  original: Record<string, unknown> | undefined;

  /** `scrubbed`: personal fields the sink removed from the record (RecordContext.scrubbed), noted as `privacy:<path>`. */
  constructor(scrubbed: readonly string[] = []) {
    for (const path of scrubbed) this.note(`privacy:${path}`, '[removed]');
  }

  note(field: string, original: unknown): void {
    (this.fields ??= []).push(field);
    (this.original ??= {})[field] = original;
  }

  /** `extra` with the anomalies merged in, as JSON text. */
  extraJson(extra: Record<string, unknown>): string {
    if (this.fields === undefined) return JSON.stringify(extra);
    return JSON.stringify({ ...extra, _anomalies: this.fields, _original: this.original });
  }
}

/** The plausible window for source times of one fetch. */
export interface TimeWindow {
  /** The fetch time: a clamped required time becomes this. */
  fetchedAtMs: number;
  /** fetchedAt + FUTURE_TOLERANCE_MS. */
  latestMs: number;
}

export function timeWindow(fetchedAtMs: number): TimeWindow {
  return { fetchedAtMs, latestMs: fetchedAtMs + FUTURE_TOLERANCE_MS };
}

const plausible = (ms: number, window: TimeWindow) => ms >= EARLIEST_PLAUSIBLE_MS && ms <= window.latestMs;

/** A time the row cannot do without (it partitions the table): missing → rejected; implausible → fetch time, noted. */
export function requiredTime(value: unknown, field: string, window: TimeWindow, anomalies: Anomalies): number {
  const ms = parseSourceTime(value, field);
  if (ms === null) throw new RecordRejectedError(`${field} is missing`);
  if (plausible(ms, window)) return ms;
  anomalies.note(field, value);
  return window.fetchedAtMs;
}

/** An optional time: implausible → null, noted. */
export function optionalTime(value: unknown, field: string, window: TimeWindow, anomalies: Anomalies): EpochText | null {
  const ms = parseSourceTime(value, field);
  if (ms === null) return null;
  if (plausible(ms, window)) return epochText(ms);
  anomalies.note(field, value);
  return null;
}

/** Money as integer cents, from a decimal string or a number; missing → `fallback` or rejected. */
export function cents(value: unknown, field: string, fallback?: number): number {
  if (value === null || value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw new RecordRejectedError(`${field} is missing`);
  }
  let amount: number;
  if (typeof value === 'number') amount = value;
  else if (typeof value === 'string' && MONEY.test(value)) amount = Number(value);
  else throw new RecordRejectedError(`${field}: not an amount: ${JSON.stringify(value).slice(0, 40)}`);
  const result = Math.round(amount * 100);
  if (!Number.isFinite(result) || Math.abs(result) > MAX_CENTS) throw new RecordRejectedError(`${field}: amount ${String(value).slice(0, 40)} is out of range`);
  return result;
}

/** Cents that must not be negative (prices, payments). */
export function nonNegativeCents(value: unknown, field: string, fallback?: number): number {
  const result = cents(value, field, fallback);
  if (result < 0) throw new RecordRejectedError(`${field}: negative amount ${String(value)}`);
  return result;
}

export function decimalText(centsValue: number): DecimalText {
  const sign = centsValue < 0 ? '-' : '';
  const abs = Math.abs(centsValue);
  const minor = abs % 100;
  return `${sign}${(abs - minor) / 100}.${minor < 10 ? '0' : ''}${minor}`;
}

/** An integer from a number or a digit string (sources stringify ids and counts), within bounds. */
export function integer(value: unknown, field: string, { min = 0, max = Number.MAX_SAFE_INTEGER, fallback }: { min?: number; max?: number; fallback?: number } = {}): number {
  if ((value === null || value === undefined || value === '') && fallback !== undefined) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new RecordRejectedError(`${field}: expected an integer, got ${JSON.stringify(value)?.slice(0, 40)}`);
  if (n < min) throw new RecordRejectedError(`${field}: ${n} is below ${min}`);
  if (n > max) throw new RecordRejectedError(`${field}: ${n} is above ${max}`);
  return n;
}

/** A non-empty identifier (string or integer) as a string. */
export function identifier(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value.length <= 256 ? value : reject(`${field}: id longer than 256 chars`);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new RecordRejectedError(`${field} is missing or not an id: ${JSON.stringify(value)?.slice(0, 40)}`);
}

/** A string field, '' when absent; non-strings are rejected (they mean the shape changed). */
export function text(value: unknown, field: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new RecordRejectedError(`${field}: expected text, got ${Array.isArray(value) ? 'array' : typeof value}`);
}

/** "T"/"F" (and true/false) → 1/0; anything else → `fallback`. */
export function flag(value: unknown, fallback: 0 | 1): 0 | 1 {
  if (value === 'T' || value === true) return 1;
  if (value === 'F' || value === false) return 0;
  return fallback;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record as an object, or rejected. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!isObject(value)) throw new RecordRejectedError(`${what}: expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
  return value;
}

function reject(reason: string): never {
  throw new RecordRejectedError(reason);
}
