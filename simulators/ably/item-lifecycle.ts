/**
 * An item's status script, drawn once when its order is generated: PAID → PREPARING → SHIPPING → DELIVERED →
 * CONFIRMED, or a claim on the way: 6 % cancelled before shipping, 4 % returned after delivery, 2 % exchanged
 * after delivery (then confirmed). Timestamps are monotonic. `stateAt(now)` reads the script at an instant.
 * The numeric `processing_status` follows b.4 (1…8; only 1 and 2 are observed), the sub-statuses are ◇ except
 * 41 (회수접수 대기) and 42 seen on returns.
 */
import { DAY_MS, HOUR_MS } from '../cafe24/kst.js';
import type { Rng } from '../cafe24/seeded-random.js';
import type { DeliveryType } from './goods.js';

export type ItemStatus = 'PAID' | 'PREPARING' | 'SHIPPING' | 'DELIVERED' | 'CONFIRMED' | 'CANCELLED' | 'RETURNED' | 'EXCHANGED';
export const ITEM_STATUSES: readonly ItemStatus[] = ['PAID', 'PREPARING', 'SHIPPING', 'DELIVERED', 'CONFIRMED', 'CANCELLED', 'RETURNED', 'EXCHANGED'];
export const PROCESSING_STATUS: Record<ItemStatus, number> = {
  PAID: 1, PREPARING: 2, SHIPPING: 3, DELIVERED: 4, CONFIRMED: 5, CANCELLED: 6, RETURNED: 7, EXCHANGED: 8,
};
/** Sub-statuses while a claim is open: cancel requested; return pickup waiting / picked up; exchange requested. */
export const SUB_STATUS = { none: 0, cancelRequested: 11, returnWaiting: 41, returnPickedUp: 42, exchangeRequested: 51 } as const;

/** Every event of an item happens within this long after its order: the look-back of an incremental sync. */
export const MAX_LIFECYCLE_MS = 30 * DAY_MS;

export type ClaimType = 'cancel' | 'return' | 'exchange';

export interface Claim {
  type: ClaimType;
  receivedAtMs: number;
  /** Returns: when the courier picked the parcel up. */
  pickedUpAtMs?: number;
  completedAtMs: number;
  reason: string;
  comment: string;
  returnDeliveryFee: number;
}

export interface ItemLifecycle {
  checkedAtMs: number;
  prepareStartedAtMs?: number;
  sentAtMs?: number;
  deliveredAtMs?: number;
  confirmedAtMs?: number;
  claim?: Claim;
  deliveryCompany: { sno: number; name: string; sweet_tracker_code: string };
  invoice: string;
  /** A review is written at this time, when the item was delivered. */
  reviewAtMs?: number;
  /** Status changes in time order. */
  events: Array<{ status: ItemStatus; atMs: number }>;
}

export interface ItemState {
  status: ItemStatus;
  subStatus: number;
  lastChangedAtMs: number;
}

const COMPANIES = [
  { sno: 1, name: 'CJ대한통운', sweet_tracker_code: '04' }, { sno: 2, name: '롯데택배', sweet_tracker_code: '08' },
  { sno: 3, name: '한진택배', sweet_tracker_code: '05' }, { sno: 4, name: '우체국택배', sweet_tracker_code: '01' },
] as const;
const CANCEL_REASONS = ['단순 변심', '배송 지연', '다른 상품 재주문', '주문 실수'] as const;
const RETURN_REASONS = ['사이즈가 맞지 않음', '색상이 사진과 다름', '상품 불량', '단순 변심'] as const;
const COMMENTS = ['', '빠른 처리 부탁드립니다.', '생각했던 것과 달라요.', '', '교환 원합니다.'] as const;

const between = (rng: Rng, minMs: number, maxMs: number) => rng.int(minMs, maxMs);

export function planLifecycle(rng: Rng, checkedAtMs: number, deliveryType: DeliveryType): ItemLifecycle {
  const deliveryCompany = { ...rng.pick(COMPANIES) };
  const invoice = String(rng.int(100_000, 999_999)) + String(rng.int(100_000, 999_999));
  const events: ItemLifecycle['events'] = [{ status: 'PAID', atMs: checkedAtMs }];
  const roll = rng.next();
  const prepareStartedAtMs = checkedAtMs + between(rng, 1 * HOUR_MS, deliveryType === 'today' ? 4 * HOUR_MS : 20 * HOUR_MS);
  const base: ItemLifecycle = { checkedAtMs, deliveryCompany, invoice, events };
  if (roll < 0.06) {
    const receivedAtMs = checkedAtMs + between(rng, 30 * 60_000, 30 * HOUR_MS);
    const completedAtMs = receivedAtMs + between(rng, HOUR_MS, 24 * HOUR_MS);
    if (prepareStartedAtMs < receivedAtMs) {
      base.prepareStartedAtMs = prepareStartedAtMs;
      events.push({ status: 'PREPARING', atMs: prepareStartedAtMs });
    }
    events.push({ status: 'CANCELLED', atMs: completedAtMs });
    base.claim = { type: 'cancel', receivedAtMs, completedAtMs, reason: rng.pick(CANCEL_REASONS), comment: rng.pick(COMMENTS), returnDeliveryFee: 0 };
    return base;
  }
  const sentAtMs = prepareStartedAtMs + between(rng, 3 * HOUR_MS, 40 * HOUR_MS);
  const deliveredAtMs = sentAtMs + between(rng, 18 * HOUR_MS, 72 * HOUR_MS);
  Object.assign(base, { prepareStartedAtMs, sentAtMs, deliveredAtMs });
  events.push({ status: 'PREPARING', atMs: prepareStartedAtMs }, { status: 'SHIPPING', atMs: sentAtMs }, { status: 'DELIVERED', atMs: deliveredAtMs });
  if (roll < 0.12) {
    const type: ClaimType = roll < 0.10 ? 'return' : 'exchange';
    const receivedAtMs = deliveredAtMs + between(rng, DAY_MS, 4 * DAY_MS);
    const pickedUpAtMs = receivedAtMs + between(rng, 12 * HOUR_MS, 2 * DAY_MS);
    const completedAtMs = pickedUpAtMs + between(rng, DAY_MS, 4 * DAY_MS);
    base.claim = {
      type, receivedAtMs, pickedUpAtMs, completedAtMs, reason: rng.pick(RETURN_REASONS), comment: rng.pick(COMMENTS),
      returnDeliveryFee: rng.pick([3_000, 3_500, 6_000]),
    };
    events.push({ status: type === 'return' ? 'RETURNED' : 'EXCHANGED', atMs: completedAtMs });
    if (type === 'return') return base;
    base.confirmedAtMs = completedAtMs + between(rng, 5 * DAY_MS, 8 * DAY_MS);
  } else {
    base.confirmedAtMs = deliveredAtMs + between(rng, 3 * DAY_MS, 8 * DAY_MS);
  }
  events.push({ status: 'CONFIRMED', atMs: base.confirmedAtMs });
  if (rng.chance(0.35)) base.reviewAtMs = deliveredAtMs + between(rng, 12 * HOUR_MS, 5 * DAY_MS);
  return base;
}

export function stateAt(lifecycle: ItemLifecycle, nowMs: number): ItemState {
  let current = lifecycle.events[0] as { status: ItemStatus; atMs: number };
  for (const event of lifecycle.events) if (event.atMs <= nowMs) current = event;
  const claim = lifecycle.claim;
  let subStatus: number = SUB_STATUS.none;
  let lastChangedAtMs = current.atMs;
  if (claim && claim.receivedAtMs <= nowMs && nowMs < claim.completedAtMs) {
    lastChangedAtMs = Math.max(lastChangedAtMs, claim.receivedAtMs);
    if (claim.type === 'cancel') subStatus = SUB_STATUS.cancelRequested;
    else if (claim.type === 'exchange') subStatus = SUB_STATUS.exchangeRequested;
    else if (claim.pickedUpAtMs !== undefined && claim.pickedUpAtMs <= nowMs) {
      subStatus = SUB_STATUS.returnPickedUp;
      lastChangedAtMs = claim.pickedUpAtMs;
    } else subStatus = SUB_STATUS.returnWaiting;
  }
  return { status: current.status, subStatus, lastChangedAtMs };
}

/** A stamp is shown only once it has happened. */
export function seen(atMs: number | undefined, nowMs: number): number | undefined {
  return atMs !== undefined && atMs <= nowMs ? atMs : undefined;
}
