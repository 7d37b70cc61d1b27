/**
 * The Ably entities a job syncs, one step each, in order; each resumes from its cursor and returns the next one
 * with `done: false` when the job must yield (the rest continues in a continuation request). Pagination stops on
 * `page >= max_page_number` or on a page whose keys were all seen (a page past the last repeats the last, a.4),
 * never on an empty page.
 *   orders         order lines by `ordered_at` windows from the cursor minus a look-back (statuses keep moving),
 *                  grouped by order_sno over the whole window (mapping.ts explains why), one record per order;
 *   order_cancels  cancels and returns by `cancel_received_at` windows, the same look-back;
 *   goods          the whole catalog (filters are ignored by the API, a.3);
 *   goods_option_stats  per product, the days from the cursor's last day (still moving) to today, ≤ 31 per call;
 *   balance_accounts    settlement histories from the month before the cursor's, each with its detail CSV (the
 *                  product orders it pays and their amounts, settlement-csv.ts) as `detail_lines`;
 *   reviews        by `created_at` from the cursor minus the look-back (replies move `updated_at`).
 */
import { KST_OFFSET_MS } from '../../lib/model/values.js';
import { parseSettlementCsv } from './settlement-csv.js';
import { SchemaDriftError } from './seller-api.js';

export interface StepContext {
  get<T>(path: string, query: Record<string, string | number | undefined>): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** A download (CSV) as text. */
  text(path: string): Promise<string>;
  emit(entity: string, records: Record<string, unknown>[]): void;
  shouldYield(): boolean;
  now(): number;
  lookbackDays: number;
  initialDays: number;
  /** An explicit start (backfill) instead of the cursor. */
  sinceMs?: number;
}

export interface StepResult {
  cursor: Record<string, unknown>;
  done: boolean;
}

const DAY_MS = 86_400_000;
const PER_PAGE = 500;
/** Order lines of one window above which it is halved (one window's lines are held in memory to be grouped). */
const MAX_WINDOW_LINES = 20_000;
const WINDOW_DAYS = 31;

export const kstDay = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00+09:00`);
const addDays = (day: string, n: number) => kstDay(dayMs(day) + n * DAY_MS);

interface Page<T> {
  rows: T[];
  maxPage: number;
  total: number;
}

/** Every page of a listing; stops on max_page_number or a page of keys already seen. */
async function allPages<T extends Record<string, unknown>>(ctx: StepContext, fetch: (page: number) => Promise<Page<T>>, onPage: (rows: T[], total: number) => void): Promise<void> {
  const seen = new Set<unknown>();
  for (let page = 1; ; page++) {
    const { rows, maxPage, total } = await fetch(page);
    const fresh = rows.filter((row) => !seen.has(row.sno ?? JSON.stringify(row)));
    for (const row of fresh) seen.add(row.sno ?? JSON.stringify(row));
    if (fresh.length > 0) onPage(fresh, total);
    if (page >= maxPage || fresh.length === 0) return;
  }
}

/** A listing page; a page without its list is schema drift, with the keys it did have as evidence. */
function pageOf<T>(body: Record<string, unknown>, key: string): Page<T> {
  if (!Array.isArray(body[key])) throw new SchemaDriftError(`ably: no "${key}" list in the answer`, { context: { keys: Object.keys(body).slice(0, 20) } });
  return { rows: body[key] as T[], maxPage: Number(body.max_page_number ?? 1), total: Number(body.total_count ?? 0) };
}

interface Window { from: string; to: string }

function windows(from: string, to: string): Window[] {
  const list: Window[] = [];
  for (let start = from; start <= to; start = addDays(start, WINDOW_DAYS)) {
    const end = addDays(start, WINDOW_DAYS - 1);
    list.push({ from: start, to: end < to ? end : to });
  }
  return list;
}

function startDay(ctx: StepContext, through: unknown): string {
  if (ctx.sinceMs !== undefined) return kstDay(ctx.sinceMs);
  const today = kstDay(ctx.now());
  return typeof through === 'string' ? addDays(through, -ctx.lookbackDays) : addDays(today, -ctx.initialDays);
}

const range = (w: Window) => ({ start_date: `${w.from} 00:00:00`, end_date: `${w.to} 23:59:59` });

export async function syncOrders(ctx: StepContext, cursor: { through?: string; pending?: Window }): Promise<StepResult> {
  const today = kstDay(ctx.now());
  const queue = cursor.pending ? [cursor.pending, ...windows(addDays(cursor.pending.to, 1), today)] : windows(startDay(ctx, cursor.through), today);
  let through = cursor.through;
  while (queue.length > 0) {
    const window = queue.shift() as Window;
    if (ctx.shouldYield()) return { cursor: { through, pending: window }, done: false };
    const groups = new Map<string, Record<string, unknown>[]>();
    let split = false;
    await allPages<Record<string, unknown>>(ctx, async (page) => pageOf(await ctx.get('/seller/order_items/', {
      ...range(window), date_type: 'ordered_at', order: 'ordered_at', page, per_page: PER_PAGE,
    }), 'order_items'), (rows, total) => {
      if (total > MAX_WINDOW_LINES && window.from < window.to) split = true;
      for (const row of rows) {
        const key = String(row.order_sno);
        const lines = groups.get(key);
        if (lines) lines.push(row);
        else groups.set(key, [row]);
      }
    });
    if (split) {
      const mid = addDays(window.from, Math.floor((dayMs(window.to) - dayMs(window.from)) / DAY_MS / 2));
      queue.unshift({ from: window.from, to: mid }, { from: addDays(mid, 1), to: window.to });
      continue;
    }
    ctx.emit('orders', [...groups].map(([orderSno, lines]) => ({
      order_sno: lines[0]?.order_sno ?? orderSno,
      ordered_at: lines[0]?.ordered_at,
      // The buyer's identity for the hash: Ably's lines carry no member id, so the buyer's phone stands for it.
      buyer_key: String(lines[0]?.user_sno ?? lines[0]?.buyer_tel ?? '').replace(/\D/g, ''),
      order_items: lines,
    })));
    through = window.to;
  }
  return { cursor: { through }, done: true };
}

export async function syncCancels(ctx: StepContext, cursor: { through?: string; pending?: Window & { type: string } }): Promise<StepResult> {
  const today = kstDay(ctx.now());
  const base = cursor.pending ? [cursor.pending, ...windows(addDays(cursor.pending.to, 1), today)] : windows(startDay(ctx, cursor.through), today);
  const queue = base.flatMap((w) => ('type' in w ? [w as Window & { type: string }] : ['cancel', 'return'].map((type) => ({ ...w, type }))));
  for (const window of queue) {
    if (ctx.shouldYield()) return { cursor: { through: cursor.through, pending: window }, done: false };
    await allPages<Record<string, unknown>>(ctx, async (page) => pageOf(await ctx.get('/seller/order_cancels/', {
      ...range(window), cancel_type: window.type, date_type: 'cancel_received_at', page, per_page: PER_PAGE,
    }), 'order_cancels'), (rows) => ctx.emit('order_cancels', rows));
  }
  return { cursor: { through: today }, done: true };
}

/** The catalog; also returns the goods numbers for the stats step. */
export async function syncGoods(ctx: StepContext): Promise<StepResult & { goods: number[] }> {
  const goods: number[] = [];
  await allPages<Record<string, unknown>>(ctx, async (page) => pageOf(await ctx.post('/seller/goods/search/', { page, per_page: 100 }), 'goods'), (rows) => {
    for (const row of rows) goods.push(Number(row.sno));
    ctx.emit('goods', rows);
  });
  return { cursor: { syncedAt: ctx.now() }, done: true, goods };
}

export async function syncOptionStats(ctx: StepContext, cursor: { through?: string; from?: string; next?: number }, goods: readonly number[]): Promise<StepResult> {
  const today = kstDay(ctx.now());
  const from = cursor.from ?? (typeof cursor.through === 'string' ? addDays(cursor.through, -1) : addDays(today, -Math.min(ctx.initialDays, WINDOW_DAYS) + 1));
  const sorted = [...goods].sort((a, b) => a - b);
  for (let i = cursor.next ?? 0; i < sorted.length; i++) {
    if (ctx.shouldYield()) return { cursor: { through: cursor.through, from, next: i }, done: false };
    for (const window of windows(from, today)) {
      await allPages<Record<string, unknown>>(ctx, async (page) => pageOf(await ctx.get('/seller/business-insight/market-performance/option-stats-options/', {
        goods_sno: sorted[i], start_date: window.from, end_date: window.to, page, per_page: 1000,
      }), 'options'), (rows) => ctx.emit('goods_option_stats', rows.map((row) => ({ ...row, stat_date: row.stat_date ?? row.date, goods_sno: row.goods_sno ?? sorted[i] }))));
    }
  }
  return { cursor: { through: today }, done: true };
}

export async function syncBalanceAccounts(ctx: StepContext, cursor: { through?: string }): Promise<StepResult> {
  const month = kstDay(ctx.now()).slice(0, 7);
  const start = typeof cursor.through === 'string'
    ? kstDay(Date.parse(`${cursor.through}-01T00:00:00+09:00`) - DAY_MS).slice(0, 7)
    : kstDay(ctx.now() - ctx.initialDays * DAY_MS).slice(0, 7);
  const body = await ctx.get<Record<string, unknown> | Record<string, unknown>[]>('/seller/balance_accounts/histories/', { start_date: start, end_date: month });
  const list = Array.isArray(body) ? body : body.balance_accounts_histories;
  if (!Array.isArray(list)) throw new SchemaDriftError('ably: no "balance_accounts_histories" list in the answer', { context: { keys: Object.keys(body) } });
  // The history's own amounts are what the list happens to show; the CSV is what integrators settle against (a.3).
  const histories = list as Record<string, unknown>[];
  for (const history of histories) {
    if (history.sno === undefined) continue;
    history.detail_lines = parseSettlementCsv(await ctx.text(`/seller/balance_accounts/histories/${encodeURIComponent(String(history.sno))}/download/`));
  }
  ctx.emit('balance_accounts', histories);
  return { cursor: { through: month }, done: true };
}

export async function syncReviews(ctx: StepContext, cursor: { since?: string }): Promise<StepResult> {
  const today = kstDay(ctx.now());
  const from = startDay(ctx, cursor.since);
  await allPages<Record<string, unknown>>(ctx, async (page) => pageOf(await ctx.get('/seller/reviews', {
    started_at: `${from} 00:00:00`, finished_at: `${today} 23:59:59`, order_by: 'LATEST', page, per_page: 100,
  }), 'reviews'), (rows) => ctx.emit('reviews', rows));
  return { cursor: { since: today }, done: true };
}
