/**
 * Monthly settlements (balance account histories) and their CSV detail. A month is settled once it has ended:
 * its lines are the items whose purchase was confirmed in that month, so a closed month never changes.
 * Per line: 결제금액 = what the buyer paid, 판매수수료 3 % and 결제수수료 3.96 % of it (◇, after the fees a blog
 * quotes), 쿠폰부담금/적립금부담금 = Ably-funded discounts paid back, 정산금액 = payment − fees + paid-back
 * discounts. The history sums the lines exactly: `settlement_amount` = Σ 정산금액.
 * Scheduled on the 10th of the next month (◇); paid from then on, except about 5 % of months HELD.
 */
import { addKstMonths, kstMonthKey, parseKstMonth } from '../cafe24/kst.js';
import { rngFor } from '../cafe24/seeded-random.js';
import { formatAblyTime } from './ably-time.js';
import { type ItemRef, selectConfirmed } from './selection.js';
import type { SellerData } from './seller-registry.js';

export interface SettlementLine {
  ref: ItemRef;
  payment: number;
  commission: number;
  paymentFee: number;
  couponForAbly: number;
  emoneyForAbly: number;
  settlement: number;
}

export interface Settlement {
  sno: number;
  month: string;
  periodStartMs: number;
  periodEndMs: number;
  scheduledAtMs: number;
  status: 'SCHEDULED' | 'PAID' | 'HELD';
  lines: SettlementLine[];
}

export function settlementLine(ref: ItemRef): SettlementLine {
  const payment = ref.item.exactAmount;
  const commission = Math.round(payment * 0.03);
  const paymentFee = Math.round(payment * 0.0396);
  const { couponForAbly, emoneyForAbly } = ref.item;
  return { ref, payment, commission, paymentFee, couponForAbly, emoneyForAbly, settlement: payment - commission - paymentFee + couponForAbly + emoneyForAbly };
}

/** Settlements of every closed month since the seller's history began, oldest first. */
export function settlementsOf(seed: number, seller: SellerData, nowMs: number): Settlement[] {
  const out: Settlement[] = [];
  let start = parseKstMonth(kstMonthKey(seller.orders.historyStartMs)) as number;
  for (;;) {
    const end = addKstMonths(start, 1);
    if (end > nowMs) break;
    const month = kstMonthKey(start);
    const scheduledAtMs = addKstMonths(start, 1) + 9 * 86_400_000;
    const held = rngFor(seed, seller.spec.sellerId, 'settlement', month).chance(0.05);
    out.push({
      sno: seller.spec.sellerNo * 1_000_000 + Number(month.replace('-', '')),
      month, periodStartMs: start, periodEndMs: end - 1000, scheduledAtMs,
      status: held ? 'HELD' : scheduledAtMs <= nowMs ? 'PAID' : 'SCHEDULED',
      lines: selectConfirmed(seller, start, end, nowMs).map(settlementLine),
    });
    start = end;
  }
  return out;
}

const sum = (lines: SettlementLine[], pick: (l: SettlementLine) => number) => lines.reduce((s, l) => s + pick(l), 0);

export function settlementPayload(s: Settlement): Record<string, unknown> {
  return {
    sno: s.sno,
    period_start: formatAblyTime(s.periodStartMs).slice(0, 10),
    period_end: formatAblyTime(s.periodEndMs).slice(0, 10),
    scheduled_at: formatAblyTime(s.scheduledAtMs).slice(0, 10),
    paid_at: s.status === 'PAID' ? formatAblyTime(s.scheduledAtMs) : null,
    status: s.status,
    sales_amount: sum(s.lines, (l) => l.payment),
    commission_amount: sum(s.lines, (l) => l.commission),
    payment_fee: sum(s.lines, (l) => l.paymentFee),
    ad_deduction: 0,
    adjustment: sum(s.lines, (l) => l.couponForAbly + l.emoneyForAbly),
    settlement_amount: sum(s.lines, (l) => l.settlement),
    order_count: s.lines.length,
  };
}

/** Columns 5, 6, 7 and 12 (1-based) are category, product-order number, payment and settlement (b.4 ✔). */
export const CSV_HEADER = [
  '정산번호', '정산기간', '주문번호', '주문일시', '구분', '상품주문번호', '결제금액', '판매수수료', '결제수수료',
  '쿠폰부담금', '적립금부담금', '정산금액', '구매확정일', '상품명',
] as const;

const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The CSV download: UTF-8 with a BOM, CRLF line ends (what Excel writes). */
export function settlementCsv(s: Settlement): string {
  const period = `${formatAblyTime(s.periodStartMs).slice(0, 10)}~${formatAblyTime(s.periodEndMs).slice(0, 10)}`;
  const rows = s.lines.map((l) => [
    s.sno, period, l.ref.order.orderSno, formatAblyTime(l.ref.order.orderedAtMs), '구매확정', l.ref.item.sno, l.payment,
    l.commission, l.paymentFee, l.couponForAbly, l.emoneyForAbly, l.settlement,
    formatAblyTime(l.ref.item.lifecycle.confirmedAtMs as number), l.ref.item.goods.name,
  ]);
  return `\uFEFF${[CSV_HEADER, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
