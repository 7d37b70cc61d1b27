/**
 * Reading and validating query parameters the way the Admin API does: a value outside its documented range is a
 * 422 naming the parameter (reference §5, §10.5); comma lists carry at most 100 values (§6).
 */
import { invalidParameter } from './errors.js';
import { parseKstDate, parseKstDateOrDateTime } from './kst.js';

const MAX_LIST_VALUES = 100;

export class QueryReader {
  constructor(private readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** The value, or undefined when absent or empty. */
  raw(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null || value === '' ? undefined : value;
  }

  int(name: string, { min, max, fallback }: { min: number; max: number; fallback?: number }): number | undefined {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!/^-?\d+$/.test(text)) throw invalidParameter(name, `${name} must be an integer.`);
    const value = Number(text);
    if (value < min || value > max) throw invalidParameter(name, `${name} must be between ${min} and ${max}.`);
    return value;
  }

  /** `limit`: 1..max, with the endpoint's default (§6). */
  limit(max: number, fallback: number): number {
    return this.int('limit', { min: 1, max, fallback }) as number;
  }

  /** `offset`: 0..max (§6: 15000 orders, 5000 products, 8000 categories, 10000 reports). */
  offset(max: number): number {
    return this.int('offset', { min: 0, max, fallback: 0 }) as number;
  }

  list(name: string): string[] | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const values = text.split(',').map((v) => v.trim()).filter(Boolean);
    if (values.length > MAX_LIST_VALUES) throw invalidParameter(name, `${name} accepts at most ${MAX_LIST_VALUES} values.`);
    return values;
  }

  intList(name: string): number[] | undefined {
    const values = this.list(name);
    if (!values) return undefined;
    return values.map((v) => {
      if (!/^\d+$/.test(v)) throw invalidParameter(name, `${name} must be a comma-separated list of integers.`);
      return Number(v);
    });
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) {
      throw invalidParameter(name, `${name} must be one of ${allowed.join(', ')}.`);
    }
    return text as T;
  }

  listOf<T extends string>(name: string, allowed: readonly T[]): T[] | undefined {
    const values = this.list(name);
    const unknown = values?.find((v) => !(allowed as readonly string[]).includes(v));
    if (unknown !== undefined) throw invalidParameter(name, `${name} has an invalid value '${unknown}'.`);
    return values as T[] | undefined;
  }

  /** A date-only value `YYYY-MM-DD`, as midnight KST. */
  date(name: string): number | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const value = parseKstDate(text);
    if (value === undefined) throw invalidParameter(name, `${name} must be a date in YYYY-MM-DD format.`);
    return value;
  }

  /** A date or an ISO datetime with offset, where the reference says datetimes are accepted (§6). */
  dateOrDateTime(name: string): number | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const value = parseKstDateOrDateTime(text);
    if (value === undefined) {
      throw invalidParameter(name, `${name} must be a date (YYYY-MM-DD) or a datetime (YYYY-MM-DDTHH:MM:SS+09:00).`);
    }
    return value;
  }

  /** Two parameters that "must be used together" (§7.1, §7.4). */
  requirePair(first: string, second: string): void {
    if (this.has(first) !== this.has(second)) {
      const missing = this.has(first) ? second : first;
      throw invalidParameter(missing, `${missing} must be used together with ${missing === first ? second : first}.`);
    }
  }
}

/** `fields=a,b`: keeps only the named top-level fields (and any embedded resources asked for). */
export function projectFields<T extends Record<string, unknown>>(
  record: T,
  fields: string[] | undefined,
  keep: readonly string[] = [],
): Partial<T> {
  if (!fields) return record;
  const wanted = new Set([...fields, ...keep]);
  return Object.fromEntries(Object.entries(record).filter(([key]) => wanted.has(key))) as Partial<T>;
}

/**
 * `links` of a list response (§6): `prev` when offset > 0, `next` when more rows follow; hrefs keep the request's
 * query with the new offset, on the simulator's own origin so that following one works.
 */
export function pageLinks(
  requestUrl: URL,
  publicBase: string,
  { offset, limit, hasMore }: { offset: number; limit: number; hasMore: boolean },
): Array<{ rel: 'prev' | 'next'; href: string }> {
  const links: Array<{ rel: 'prev' | 'next'; href: string }> = [];
  const hrefFor = (newOffset: number) => {
    const query = new URLSearchParams(requestUrl.searchParams);
    query.set('limit', String(limit));
    query.set('offset', String(newOffset));
    return `${publicBase}${requestUrl.pathname.replace(/^\/malls\/[^/]+/, '')}?${query.toString()}`;
  };
  if (offset > 0) links.push({ rel: 'prev', href: hrefFor(Math.max(0, offset - limit)) });
  if (hasMore) links.push({ rel: 'next', href: hrefFor(offset + limit) });
  return links;
}
