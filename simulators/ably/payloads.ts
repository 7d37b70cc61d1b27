/**
 * JSON shapes of order items, cancels/returns and reviews, read at "now". Field names follow reference a.3
 * (observed) and b.4 (◇ where invented). Buyer personal data is in them on purpose, as in the real payloads:
 * the consumer must drop it before anything is emitted. With the canary knob every personal field holds its
 * canary instead (`CANARY-<field>-<sno>`, simulators/cafe24/canaries.ts), nulls included.
 */
import { personalValue } from '../cafe24/canaries.js';
import { DAY_MS, kstDateKey } from '../cafe24/kst.js';
import { rngFor } from '../cafe24/seeded-random.js';
import { formatAblyTime, formatAblyTimeOrNull } from './ably-time.js';
import { PROCESSING_STATUS, seen, stateAt } from './item-lifecycle.js';
import type { ItemPlan, OrderPlan } from './order-flow.js';

/** Purchase confirmation + this many days is when the item's money is scheduled for settlement (◇). */
export const SETTLEMENT_DELAY_DAYS = 10;

const optionInfo = (item: ItemPlan) => item.goods.optionGroups.map((g, i) => `${g.name}: ${item.option.values[i]}`).join(' / ');

export function orderItemPayload(order: OrderPlan, item: ItemPlan, nowMs: number, canaries = false): Record<string, unknown> {
  const pii = personalValue(canaries, String(item.sno));
  const life = item.lifecycle;
  const state = stateAt(life, nowMs);
  const sentAtMs = seen(life.sentAtMs, nowMs);
  const confirmedAtMs = seen(life.confirmedAtMs, nowMs);
  const delayDays = sentAtMs === undefined && state.status !== 'CANCELLED'
    ? Math.max(0, Math.floor((nowMs - life.checkedAtMs) / DAY_MS) - 2) : 0;
  return {
    sno: item.sno,
    order_sno: order.orderSno,
    ea: item.ea,
    price: item.price,
    status: state.status,
    processing_status: PROCESSING_STATUS[state.status],
    processing_sub_status: state.subStatus,
    ordered_at: formatAblyTime(order.orderedAtMs),
    checked_at: formatAblyTime(life.checkedAtMs),
    goods_prepare_started_at: formatAblyTimeOrNull(seen(life.prepareStartedAtMs, nowMs)),
    goods_sent_at: formatAblyTimeOrNull(sentAtMs),
    delivery_completed_at: formatAblyTimeOrNull(seen(life.deliveredAtMs, nowMs)),
    purchase_confirmed_at: formatAblyTimeOrNull(confirmedAtMs),
    balance_accounts_scheduled_at: confirmedAtMs === undefined ? null : formatAblyTime(confirmedAtMs + SETTLEMENT_DELAY_DAYS * DAY_MS),
    invoice: pii('invoice', sentAtMs === undefined ? null : life.invoice),
    delivery: sentAtMs === undefined ? null : life.deliveryCompany,
    delivery_type: item.option.deliveryType,
    option_info: optionInfo(item),
    option_title: item.option.values.join(' / '),
    goods_option_sno: item.option.sno,
    goods_sno: item.goods.sno,
    goods_name: item.goods.name,
    goods_custom_code: item.goods.customCode,
    buyer_name: pii('buyer_name', order.buyer.name),
    buyer_tel: pii('buyer_tel', order.buyer.cellphone),
    buyer_email: pii('buyer_email', order.buyer.email),
    receiver_name: pii('receiver_name', order.receiver.name),
    receiver_tel: pii('receiver_tel', order.receiver.cellphone),
    receiver_addr: pii('receiver_addr', `${order.receiver.address1} ${order.receiver.address2}`),
    receiver_postcode: pii('receiver_postcode', order.receiver.zipcode),
    memo: pii('memo', order.memo),
    pay_method_name: order.payMethodName,
    delay_days: delayDays,
    is_delayed: delayDays > 0,
    exact_amount: item.exactAmount,
    exact_coupon_discount: item.couponDiscount,
    exact_emoney_discount: item.emoneyDiscount,
    coupon_amount_for_ably: item.couponForAbly,
    emoney_amount_for_ably: item.emoneyForAbly,
    delivery_expected_info: {
      start_date: kstDateKey(life.checkedAtMs + DAY_MS),
      end_date: kstDateKey(life.checkedAtMs + 3 * DAY_MS),
      delivery_type: item.option.deliveryType,
    },
  };
}

/** One claim (cancel or return) of one item, as `GET /seller/order_cancels/` lists it. */
export function orderCancelPayload(order: OrderPlan, item: ItemPlan, nowMs: number, canaries = false): Record<string, unknown> {
  const claim = item.lifecycle.claim;
  if (!claim) throw new Error(`item ${item.sno} has no claim`);
  const pii = personalValue(canaries, String(item.sno * 10 + 2));
  const state = stateAt(item.lifecycle, nowMs);
  const completedAtMs = seen(claim.completedAtMs, nowMs);
  return {
    sno: item.sno * 10 + 2,
    cancel_type: claim.type,
    order_sno: order.orderSno,
    status: completedAtMs === undefined ? 'REQUESTED' : 'COMPLETED',
    processing_sub_status: state.subStatus,
    cancel_received_at: formatAblyTime(claim.receivedAtMs),
    cancel_completed_at: formatAblyTimeOrNull(completedAtMs),
    refund_amount: item.exactAmount - claim.returnDeliveryFee,
    buyer_name: pii('buyer_name', order.buyer.name),
    buyer_tel: pii('buyer_tel', order.buyer.cellphone),
    receiver_name: pii('receiver_name', order.receiver.name),
    receiver_tel: pii('receiver_tel', order.receiver.cellphone),
    member: { name: pii('member.name', order.buyer.name) },
    order_items: [{
      sno: item.sno,
      invoice: pii('order_items.invoice', item.lifecycle.sentAtMs !== undefined ? item.lifecycle.invoice : null),
      // Phones sit at the cancel level and again at the item level (a.4).
      buyer_tel: pii('order_items.buyer_tel', order.buyer.cellphone),
      receiver_tel: pii('order_items.receiver_tel', order.receiver.cellphone),
      goods_sno: item.goods.sno,
      goods_name: item.goods.name,
      ea: item.ea,
      price: item.price,
      option_info: optionInfo(item),
      return_delivery_fee: claim.returnDeliveryFee,
      cancel_reason: claim.reason,
      user_comment: pii('order_items.user_comment', claim.comment),
    }],
  };
}

const REVIEW_TEXTS = [
  '재질이 부드럽고 핏이 예뻐요. 또 구매할게요!', '사진이랑 색감이 거의 같아요.', '배송이 빨라서 좋았어요.',
  '생각보다 두께감이 있어서 가을에 입기 좋아요.', '사이즈가 조금 크게 나왔어요.', '가격 대비 만족합니다.',
  '세탁 후에도 늘어나지 않아요.', '기대보다는 평범했어요.',
] as const;
const REPLIES = ['소중한 후기 감사합니다 :)', '만족스러우셨다니 다행입니다. 또 찾아주세요!', '불편을 드려 죄송합니다. 더 노력하겠습니다.'] as const;

export function reviewSnoOf(item: ItemPlan): number {
  return item.sno * 10 + 1;
}

/** Reply time of a review, if the seller answers it (half of them, a day later). */
export function reviewReplyAtMs(seed: number, item: ItemPlan): number | undefined {
  const rng = rngFor(seed, 'review', item.sno);
  return rng.chance(0.5) && item.lifecycle.reviewAtMs !== undefined ? item.lifecycle.reviewAtMs + rng.int(3_600_000, 2 * DAY_MS) : undefined;
}

export function reviewPayload(seed: number, order: OrderPlan, item: ItemPlan, nowMs: number, canaries = false): Record<string, unknown> {
  const pii = personalValue(canaries, String(reviewSnoOf(item)));
  const createdAtMs = item.lifecycle.reviewAtMs as number;
  const rng = rngFor(seed, 'review-text', item.sno);
  const rating = rng.weighted([[5, 55], [4, 25], [3, 12], [2, 5], [1, 3]] as const);
  const replyAtMs = seen(reviewReplyAtMs(seed, item), nowMs);
  return {
    sno: reviewSnoOf(item),
    contents: rng.pick(REVIEW_TEXTS),
    images: rng.chance(0.3) ? [`https://img.ably-sim.test/reviews/${item.sno}-1.jpg`] : [],
    status: 'NORMAL',
    rating,
    satisfaction: rating >= 4,
    size: rng.pick(['정사이즈예요', '커요', '작아요']),
    height: pii('height', `${rng.int(150, 178)}cm`),
    created_at: formatAblyTime(createdAtMs),
    updated_at: formatAblyTime(replyAtMs ?? createdAtMs),
    order_item_sno: item.sno,
    option_info: optionInfo(item),
    goods: {
      sno: item.goods.sno, name: item.goods.name, image: `https://img.ably-sim.test/goods/${item.goods.sno}.jpg`,
      sku_code: item.goods.customCode, is_open: item.goods.isDisplay,
    },
    member: { name: pii('member.name', order.buyer.name) },
    reply: replyAtMs === undefined ? null : { contents: rng.pick(REPLIES), created_at: formatAblyTime(replyAtMs) },
  };
}
