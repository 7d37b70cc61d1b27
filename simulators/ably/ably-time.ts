/**
 * Ably's time formats, on top of the shared KST helpers: every timestamp in its payloads and query strings is a
 * KST wall-clock string without offset, `YYYY-MM-DD HH:MM:SS` (reference a.3); dates are `YYYY-MM-DD`, months
 * `YYYY-MM`.
 */
import { kstParts, parseKstDate } from '../cafe24/kst.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-30 10:00:00` in KST. */
export function formatAblyTime(epochMs: number): string {
  const p = kstParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** Nullable variant for lifecycle stamps that have not happened yet. */
export function formatAblyTimeOrNull(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : formatAblyTime(epochMs);
}

/**
 * `YYYY-MM-DD HH:MM:SS` (a `+` or `T` between date and time is accepted, as clients send `+` unencoded) → the
 * instant, or undefined when malformed or not a real time.
 */
export function parseAblyTime(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T+](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const day = parseKstDate(match[1] as string);
  const [h, m, s] = [Number(match[2]), Number(match[3]), Number(match[4])];
  if (day === undefined || h > 23 || m > 59 || s > 59) return undefined;
  return day + ((h * 60 + m) * 60 + s) * 1000;
}
