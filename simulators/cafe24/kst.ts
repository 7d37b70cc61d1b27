/**
 * Korea Standard Time helpers. KST is UTC+9 all year (no daylight saving), so plain offset arithmetic is exact.
 * Formats follow the reference §9: resources carry `+09:00`, token timestamps carry no offset (but mean KST).
 */
export const KST_OFFSET_MS = 9 * 3_600_000;
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Calendar fields of an instant as seen on a wall clock in Seoul. */
export function kstParts(epochMs: number) {
  const d = new Date(epochMs + KST_OFFSET_MS);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), ms: d.getUTCMilliseconds(),
  };
}

/** `2026-11-30T10:00:00+09:00`: every resource timestamp. */
export function formatKst(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}+09:00`;
}

/** `2026-11-30T10:00:00.000`: token `expires_at`/`issued_at` (KST, no offset: §2.2). */
export function formatKstTokenTime(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${pad(p.ms, 3)}`;
}

/** `2026-11-30T10:00+09:00`: the salesvolume report's `updated_date`, which has no seconds (§7.8). */
export function formatKstMinute(epochMs: number): string {
  return formatKst(epochMs).replace(/:\d{2}\+09:00$/, '+09:00');
}

/** `2026-11-30`: the KST calendar day of an instant. */
export function kstDateKey(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `2026-11`. */
export function kstMonthKey(epochMs: number): string {
  return kstDateKey(epochMs).slice(0, 7);
}

/** `20261130`: the date part of an order id. */
export function kstCompactDate(epochMs: number): string {
  return kstDateKey(epochMs).replaceAll('-', '');
}

/** Midnight KST (as an instant) of the day holding `epochMs`. */
export function kstStartOfDay(epochMs: number): number {
  return Math.floor((epochMs + KST_OFFSET_MS) / DAY_MS) * DAY_MS - KST_OFFSET_MS;
}

/** Instant of midnight KST starting the calendar day `yyyy-mm-dd`, or undefined when it is not a real date. */
export function parseKstDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return utc - KST_OFFSET_MS;
}

/** Instant of the first day of the KST month `yyyy-mm`, or undefined. */
export function parseKstMonth(text: string): number | undefined {
  return /^\d{4}-\d{2}$/.test(text) ? parseKstDate(`${text}-01`) : undefined;
}

/**
 * Parses an ISO datetime with an explicit offset (`2026-01-03T14:01:26+09:00`) or a date-only value (KST midnight).
 * Used where the reference says datetimes are accepted (products `updated_start_date`, §6).
 */
export function parseKstDateOrDateTime(text: string): number | undefined {
  const dateOnly = parseKstDate(text);
  if (dateOnly !== undefined) return dateOnly;
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$/.test(text)) return undefined;
  const hasOffset = /([+-]\d{2}:\d{2}|Z)$/.test(text);
  const ms = Date.parse(hasOffset ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}+09:00`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `start` moved by whole calendar months, clamped to the month's last day (Nov 30 + 3 months = Feb 28/29). */
export function addKstMonths(startOfDayMs: number, months: number): number {
  const p = kstParts(startOfDayMs);
  const targetMonthIndex = p.month - 1 + months;
  const lastDay = new Date(Date.UTC(p.year, targetMonthIndex + 1, 0)).getUTCDate();
  return Date.UTC(p.year, targetMonthIndex, Math.min(p.day, lastDay)) - KST_OFFSET_MS;
}
