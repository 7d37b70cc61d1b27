/**
 * Query parsing and paging shared by the API handlers. Paging (b.5): 1-based `page`; `per_page` clamped to
 * 1..1000; a page past the last answers the last page again (the review quirk a.4 ✔, applied to every list),
 * with `current_page` echoing the page asked for (◇), so only `max_page_number` or repeated keys tell a client to
 * stop. Bad parameters are a 400 `{"message": …}`.
 */
import { DAY_MS, parseKstDate, parseKstMonth } from '../cafe24/kst.js';
import { parseAblyTime } from './ably-time.js';

export class BadRequest extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export const MAX_PER_PAGE = 1000;

export interface PageRequest {
  page: number;
  perPage: number;
  /** Before clamping: the heavy-page rule looks at what was asked. */
  requestedPerPage: number;
}

const intOf = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
};

export function pageRequest(page: unknown, perPage: unknown, defaultPerPage: number): PageRequest {
  const requestedPerPage = intOf(perPage) ?? defaultPerPage;
  return {
    page: Math.max(1, intOf(page) ?? 1),
    perPage: Math.min(MAX_PER_PAGE, Math.max(1, requestedPerPage)),
    requestedPerPage,
  };
}

export interface Page<T> {
  rows: T[];
  per_page: number;
  total_count: number;
  current_page: number;
  max_page_number: number;
}

export function paginate<T>(all: T[], { page, perPage }: PageRequest): Page<T> {
  const maxPage = Math.max(1, Math.ceil(all.length / perPage));
  const served = Math.min(page, maxPage);
  return {
    rows: all.slice((served - 1) * perPage, served * perPage),
    per_page: perPage, total_count: all.length, current_page: page, max_page_number: maxPage,
  };
}

/** A required `YYYY-MM-DD HH:MM:SS` pair, end not before start, at most `maxDays` apart. */
export function timeRange(query: URLSearchParams, startName: string, endName: string, maxDays: number, tooLong: string) {
  const read = (name: string) => {
    const text = query.get(name);
    if (text === null || text === '') throw new BadRequest(`${name}은(는) 필수 항목입니다`);
    const ms = parseAblyTime(text);
    if (ms === undefined) throw new BadRequest(`${name} 형식이 올바르지 않습니다 (YYYY-MM-DD HH:MM:SS)`);
    return ms;
  };
  const fromMs = read(startName);
  const toMs = read(endName);
  if (toMs < fromMs) throw new BadRequest('종료일이 시작일보다 빠릅니다');
  if (toMs - fromMs > maxDays * DAY_MS) throw new BadRequest(tooLong);
  return { fromMs, toMs };
}

/** An optional `YYYY-MM-DD HH:MM:SS` bound. */
export function optionalTime(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  const ms = parseAblyTime(text);
  if (ms === undefined) throw new BadRequest(`${name} 형식이 올바르지 않습니다 (YYYY-MM-DD HH:MM:SS)`);
  return ms;
}

/** A required `YYYY-MM-DD` pair (KST midnights), inclusive, at most `maxDays` days. */
export function dayRange(query: URLSearchParams, maxDays: number, tooLong: string) {
  const read = (name: string) => {
    const ms = parseKstDate(query.get(name) ?? '');
    if (ms === undefined) throw new BadRequest(`${name} 형식이 올바르지 않습니다 (YYYY-MM-DD)`);
    return ms;
  };
  const fromDayMs = read('start_date');
  const toDayMs = read('end_date');
  if (toDayMs < fromDayMs) throw new BadRequest('종료일이 시작일보다 빠릅니다');
  if ((toDayMs - fromDayMs) / DAY_MS + 1 > maxDays) throw new BadRequest(tooLong);
  return { fromDayMs, toDayMs };
}

/** An optional `YYYY-MM` (or its alias, the reference doc's `start_month`). */
export function optionalMonth(query: URLSearchParams, names: string[]): string | undefined {
  for (const name of names) {
    const text = query.get(name);
    if (text === null || text === '') continue;
    if (parseKstMonth(text) === undefined) throw new BadRequest(`${name} 형식이 올바르지 않습니다 (YYYY-MM)`);
    return text;
  }
  return undefined;
}

/** `x[]=a&x[]=b` (or `x=a`) as numbers. */
export function numberList(query: URLSearchParams, name: string): number[] | undefined {
  const values = [...query.getAll(`${name}[]`), ...query.getAll(name)];
  if (values.length === 0) return undefined;
  return values.map((v) => {
    const n = intOf(v);
    if (n === undefined) throw new BadRequest(`${name} 값이 올바르지 않습니다`);
    return n;
  });
}
