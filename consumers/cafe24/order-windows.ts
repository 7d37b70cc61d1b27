/**
 * Pure date-window math for the orders endpoint (reference §7.1): a call may span at most 3 months, and
 * `offset` stops at 15 000 with `limit` ≤ 1000, so a window must hold at most 16 000 orders to be pageable.
 * Windows are whole KST days (`start_date`/`end_date` are dates), inclusive on both ends.
 */
/** Three calendar months are 89-92 days and Cafe24 counts `end_date` as a whole day: 80 stays clear of every case. */
export const MAX_WINDOW_DAYS = 80;
export const MAX_PAGEABLE_ORDERS = 15_000 + 1_000;
const DAY_MS = 86_400_000;
const KST_OFFSET_MS = 9 * 3_600_000;

export interface DayWindow {
  /** YYYY-MM-DD (KST), inclusive. */
  from: string;
  to: string;
}

export const kstDay = (epochMs: number): string => new Date(epochMs + KST_OFFSET_MS).toISOString().slice(0, 10);
export const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00+09:00`);
export const addDays = (day: string, days: number): string => kstDay(dayStartMs(day) + days * DAY_MS);
export const daysBetween = (from: string, to: string): number => Math.round((dayStartMs(to) - dayStartMs(from)) / DAY_MS) + 1;

/** [from, to] cut into consecutive windows of at most `maxDays` days, oldest first. */
export function splitRange(from: string, to: string, maxDays = MAX_WINDOW_DAYS): DayWindow[] {
  const windows: DayWindow[] = [];
  for (let start = from; dayStartMs(start) <= dayStartMs(to); start = addDays(start, maxDays)) {
    const end = addDays(start, maxDays - 1);
    windows.push({ from: start, to: dayStartMs(end) < dayStartMs(to) ? end : to });
  }
  return windows;
}

/** A window too full to page through, halved; a single day cannot be split further (`undefined`). */
export function halve(window: DayWindow): [DayWindow, DayWindow] | undefined {
  const days = daysBetween(window.from, window.to);
  if (days <= 1) return undefined;
  const firstEnd = addDays(window.from, Math.floor(days / 2) - 1);
  return [{ from: window.from, to: firstEnd }, { from: addDays(firstEnd, 1), to: window.to }];
}
