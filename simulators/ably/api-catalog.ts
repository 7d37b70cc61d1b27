/**
 * Goods, per-option statistics, settlements and reviews (a.3 ✔ paths and shapes, b.4 fields).
 * - `POST /seller/goods/search/` `{page, per_page}`: the whole catalog, newest first; `keyword` and other
 *   filters are ignored, as live-tested (a.3). per_page default 30.
 * - option stats: `goods_sno`, `start_date`/`end_date` `YYYY-MM-DD` at most 31 days (b.5), one row per option
 *   per day; `sort_key`/`sort_order` ignored (◇). per_page default 100.
 * - settlement histories: optional `start_date`/`end_date` `YYYY-MM` (aliases `start_month`/`end_month`), not
 *   paged; download → CSV (settlements.ts).
 * - reviews: optional `started_at`/`finished_at` `YYYY-MM-DD HH:MM:SS` over `created_at`, newest first
 *   (`order_by=LATEST`, the only order), per_page default 20.
 */
import { goodsPayload } from './goods.js';
import type { ApiContext, ApiResult } from './api-context.js';
import { BadRequest, dayRange, optionalMonth, optionalTime, paginate } from './api-params.js';
import { optionStats } from './option-stats.js';
import { reviewPayload } from './payloads.js';
import { drift } from './schema-drift.js';
import { selectReviews } from './selection.js';
import { settlementCsv, settlementPayload, settlementsOf } from './settlements.js';

export const STATS_RANGE_TOO_LONG = '조회 기간은 최대 31일입니다';
export const MAX_STATS_RANGE_DAYS = 31;

export function searchGoods(ctx: ApiContext): ApiResult {
  const body = (ctx.body ?? {}) as { page?: unknown; per_page?: unknown };
  const paging = ctx.page(body.page, body.per_page, 30);
  const all = [...ctx.seller.goods].sort((a, b) => b.sno - a.sno);
  const { rows, ...page } = paginate(all, paging);
  return {
    status: 200,
    json: {
      goods: rows.map((g) => drift('goods', goodsPayload(g), ctx.schemaDrift)),
      per_page: page.per_page, total_count: page.total_count, current_page: page.current_page, max_page_number: page.max_page_number,
    },
  };
}

export function goodsDetail(ctx: ApiContext): ApiResult {
  const goods = ctx.seller.goodsBySno.get(Number(ctx.params.sno));
  if (!goods) return { status: 404, json: { message: '상품 정보를 찾을 수 없습니다' } };
  return { status: 200, json: { goods: drift('goods', goodsPayload(goods), ctx.schemaDrift) } };
}

export function optionStatsOptions(ctx: ApiContext): ApiResult {
  const goodsSno = Number(ctx.query.get('goods_sno'));
  if (!Number.isInteger(goodsSno) || goodsSno <= 0) throw new BadRequest('goods_sno는 필수 항목입니다');
  const goods = ctx.seller.goodsBySno.get(goodsSno);
  if (!goods) return { status: 404, json: { message: '상품 정보를 찾을 수 없습니다' } };
  const { fromDayMs, toDayMs } = dayRange(ctx.query, MAX_STATS_RANGE_DAYS, STATS_RANGE_TOO_LONG);
  const paging = ctx.page(ctx.query.get('page'), ctx.query.get('per_page'), 100);
  const { rows, ...page } = paginate(optionStats(ctx.seed, ctx.seller, goods, fromDayMs, toDayMs, ctx.nowMs), paging);
  return {
    status: 200,
    json: {
      options: rows.map((r) => drift('option_stat', r, ctx.schemaDrift)),
      per_page: page.per_page, total_count: page.total_count, current_page: page.current_page, max_page_number: page.max_page_number,
    },
  };
}

export function settlementHistories(ctx: ApiContext): ApiResult {
  const from = optionalMonth(ctx.query, ['start_date', 'start_month']);
  const to = optionalMonth(ctx.query, ['end_date', 'end_month']);
  const list = settlementsOf(ctx.seed, ctx.seller, ctx.nowMs)
    .filter((s) => (from === undefined || s.month >= from) && (to === undefined || s.month <= to))
    .reverse();
  return { status: 200, json: { balance_accounts_histories: list.map((s) => drift('settlement', settlementPayload(s), ctx.schemaDrift)) } };
}

export function settlementDownload(ctx: ApiContext): ApiResult {
  const sno = Number(ctx.params.sno);
  const settlement = settlementsOf(ctx.seed, ctx.seller, ctx.nowMs).find((s) => s.sno === sno);
  if (!settlement) return { status: 404, json: { message: '정산 내역을 찾을 수 없습니다' } };
  return { status: 200, csv: settlementCsv(settlement), filename: `settlement_${sno}.csv` };
}

export function listReviews(ctx: ApiContext): ApiResult {
  const orderBy = ctx.query.get('order_by') ?? 'LATEST';
  if (orderBy !== 'LATEST') throw new BadRequest('order_by 값이 올바르지 않습니다');
  const fromMs = optionalTime(ctx.query, 'started_at', -Infinity);
  const toMs = optionalTime(ctx.query, 'finished_at', Infinity);
  const paging = ctx.page(ctx.query.get('page'), ctx.query.get('per_page'), 20);
  const { rows, ...page } = paginate(selectReviews(ctx.seller, fromMs, toMs, ctx.nowMs), paging);
  return {
    status: 200,
    json: {
      reviews: rows.map((r) => drift('review', reviewPayload(ctx.seed, r.order, r.item, ctx.nowMs, ctx.canaries), ctx.schemaDrift)),
      per_page: page.per_page, total_count: page.total_count, current_page: page.current_page, max_page_number: page.max_page_number,
    },
  };
}
