/**
 * How an order item's status moves over time, with the real codes (reference §7.1). Each item gets a script of
 * (status, instant) changes when the order is generated; its status at any simulated time is the last change at
 * or before it. Nothing is mutated, so the same order at the same time is always the same, and an order placed
 * long ago has simply finished its script.
 *
 * Paths (percentages of orders):
 * - N00 until payment: seconds for cards, hours for a bank transfer (cash), of which 8% never pay and end in
 *   C47 (buyer cancels) or C48 (auto-cancel);
 * - paid: N10 preparing → N20 → (N21) → N30 shipped → N40 delivered → N50 purchase confirmed;
 * - 7% cancel before shipping: C00 requested → C10 accepted → C40 cancelled (refunded);
 * - 5% return after delivery: R00 → R10 → R20 collected → R40 returned and refunded.
 * A claim covers the whole order or, in multi-item orders, sometimes one item (a partial cancel: `canceled` "M").
 * Exchanges (E..) are not simulated.
 * Every change happens within MAX_LIFECYCLE_MS of the order date: the look-back a sync needs to see them all.
 */
import { DAY_MS, HOUR_MS } from './kst.js';
import type { Rng } from './seeded-random.js';

export const ORDER_STATUS_TEXT = {
  N00: '입금전', N10: '상품준비중', N20: '배송준비중', N21: '배송대기', N22: '배송보류', N30: '배송중', N40: '배송완료',
  N50: '구매확정', C00: '취소신청', C10: '취소접수 - 관리자', C40: '취소완료', C47: '입금전취소 - 구매자',
  C48: '입금전취소 - 자동취소', R00: '반품신청', R10: '반품접수', R20: '반품 수거 완료', R40: '반품완료 - 환불완료',
} as const;

export type OrderStatus = keyof typeof ORDER_STATUS_TEXT;

export const ALL_ORDER_STATUS_CODES = [
  'N00', 'N01', 'N02', 'N03', 'N10', 'N20', 'N21', 'N22', 'N30', 'N40', 'N50',
  'C00', 'C10', 'C11', 'C34', 'C35', 'C36', 'C40', 'C41', 'C42', 'C43', 'C47', 'C48', 'C49',
  'R00', 'R10', 'R11', 'R12', 'R13', 'R20', 'R30', 'R31', 'R34', 'R36', 'R40', 'R41', 'R42', 'R43',
  'E00', 'E10', 'E11', 'E12', 'E13', 'E20', 'E30', 'E31', 'E32', 'E33', 'E34', 'E35', 'E36', 'E40', 'E41', 'E50', 'E51',
] as const;

export const MAX_LIFECYCLE_MS = 21 * DAY_MS;

export interface StatusChange {
  status: OrderStatus;
  atMs: number;
}

export interface LifecyclePlan {
  /** One script per item, each starting at the order date. */
  items: StatusChange[][];
  /** When the order was paid, or null when it never is. */
  paidAtMs: number | null;
}

const CANCELLED: ReadonlySet<OrderStatus> = new Set(['C40', 'C47', 'C48']);
const RETURNED: ReadonlySet<OrderStatus> = new Set(['R40']);

export const isCancelled = (status: OrderStatus) => CANCELLED.has(status);
export const isReturned = (status: OrderStatus) => RETURNED.has(status);
/** Items whose value is no longer part of the order's actual amount. */
export const isRefundedOut = (status: OrderStatus) => CANCELLED.has(status) || RETURNED.has(status);

const between = (rng: Rng, fromMs: number, toMs: number) => rng.int(Math.round(fromMs), Math.round(toMs));

export function planLifecycle(rng: Rng, orderDateMs: number, itemCount: number, payByDeposit: boolean): LifecyclePlan {
  const t0 = orderDateMs;
  if (payByDeposit && rng.chance(0.08)) {
    const cancel: StatusChange = rng.chance(0.3)
      ? { status: 'C47', atMs: t0 + between(rng, 2 * HOUR_MS, 48 * HOUR_MS) }
      : { status: 'C48', atMs: t0 + 72 * HOUR_MS + between(rng, 0, 12 * HOUR_MS) };
    return { items: repeat(itemCount, () => [{ status: 'N00', atMs: t0 }, cancel]), paidAtMs: null };
  }
  const paidAtMs = payByDeposit ? t0 + between(rng, HOUR_MS, 40 * HOUR_MS) : t0 + between(rng, 5_000, 90_000);
  // Card-like payments settle seconds after the order is placed (a real capture: 18 s); until then it is N00.
  const normal: StatusChange[] = [{ status: 'N00', atMs: t0 }, { status: 'N10', atMs: paidAtMs }];
  const preparedAt = paidAtMs + between(rng, 4 * HOUR_MS, 30 * HOUR_MS);
  normal.push({ status: 'N20', atMs: preparedAt });
  const shippedAt = preparedAt + between(rng, 6 * HOUR_MS, 36 * HOUR_MS);
  if (rng.chance(0.2)) {
    normal.push({ status: 'N21', atMs: preparedAt + Math.round((shippedAt - preparedAt) / 2) });
  }
  normal.push({ status: 'N30', atMs: shippedAt });
  const deliveredAt = shippedAt + between(rng, 18 * HOUR_MS, 72 * HOUR_MS);
  normal.push({ status: 'N40', atMs: deliveredAt });
  // Buyers confirm within days, or the shop confirms automatically after 7 days.
  const confirmedAt = deliveredAt + (rng.chance(0.4) ? between(rng, DAY_MS, 6 * DAY_MS) : 7 * DAY_MS);
  normal.push({ status: 'N50', atMs: confirmedAt });

  const claimRoll = rng.next();
  const claimScope = itemCount > 1 && rng.chance(0.35) ? rng.int(0, itemCount - 1) : 'all';
  let claim: StatusChange[] = [];
  if (claimRoll < 0.07) {
    const requestedAt = between(rng, paidAtMs + 30 * 60_000, shippedAt - 30 * 60_000);
    const acceptedAt = requestedAt + between(rng, HOUR_MS, 12 * HOUR_MS);
    claim = [
      { status: 'C00', atMs: requestedAt },
      { status: 'C10', atMs: acceptedAt },
      { status: 'C40', atMs: acceptedAt + between(rng, HOUR_MS, 24 * HOUR_MS) },
    ];
  } else if (claimRoll < 0.12) {
    const requestedAt = deliveredAt + between(rng, 12 * HOUR_MS, Math.min(5 * DAY_MS, confirmedAt - deliveredAt - HOUR_MS));
    const acceptedAt = requestedAt + between(rng, 12 * HOUR_MS, 2 * DAY_MS);
    const collectedAt = acceptedAt + between(rng, DAY_MS, 3 * DAY_MS);
    claim = [
      { status: 'R00', atMs: requestedAt },
      { status: 'R10', atMs: acceptedAt },
      { status: 'R20', atMs: collectedAt },
      { status: 'R40', atMs: collectedAt + between(rng, DAY_MS, 3 * DAY_MS) },
    ];
  }
  const items = repeat(itemCount, (index) => {
    const claimed = claim.length > 0 && (claimScope === 'all' || claimScope === index);
    if (!claimed) return normal;
    const claimStart = (claim[0] as StatusChange).atMs;
    return [...normal.filter((change) => change.atMs < claimStart), ...claim];
  });
  return { items, paidAtMs };
}

/** The status at `atMs`, or undefined before the script starts (the order does not exist yet). */
export function statusAt(script: readonly StatusChange[], atMs: number): StatusChange | undefined {
  let current: StatusChange | undefined;
  for (const change of script) {
    if (change.atMs > atMs) break;
    current = change;
  }
  return current;
}

/** When the item first reached `status` by `atMs`, or null. */
export function reachedAt(script: readonly StatusChange[], status: OrderStatus, atMs: number): number | null {
  const change = script.find((c) => c.status === status);
  return change && change.atMs <= atMs ? change.atMs : null;
}

/** `status_code` of an item (§7.2): N1 normal, C1 cancelled before payment, C2 cancelled before shipping, C3 return. */
export function statusCodeOf(status: OrderStatus): 'N1' | 'C1' | 'C2' | 'C3' {
  if (status === 'C47' || status === 'C48') return 'C1';
  if (status.startsWith('C')) return 'C2';
  if (status.startsWith('R')) return 'C3';
  return 'N1';
}

function repeat<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}
