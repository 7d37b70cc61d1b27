/**
 * Everything about one order that does not depend on when you look, in two layers built from their own random
 * streams (see order-book.ts):
 * - the skeleton: shop, payment method, item count and the status script of each item. Cheap; enough to answer
 *   status and date filters over thousands of orders;
 * - the core: the skeleton plus buyer, recipient, products and amounts. Built only for orders on a page.
 */
import { type Catalog, type CatalogProduct, type CatalogVariant, pickProduct, productPriceKrwAt } from './catalog.js';
import { kstCompactDate } from './kst.js';
import { krwToShopCents, type ShopInfo } from './multi-shop.js';
import { type LifecyclePlan, planLifecycle, type StatusChange } from './order-lifecycle.js';
import { makePerson, type Person } from './people.js';
import { rngFor } from './seeded-random.js';

export type PaymentMethod = 'card' | 'cash' | 'tcash' | 'cell';

export const PAYMENT_METHOD_NAMES: Record<PaymentMethod, string> = {
  card: '신용카드', cash: '무통장입금', tcash: '실시간 계좌이체', cell: '휴대폰',
};

export interface OrderSkeleton {
  index: number;
  orderDateMs: number;
  shopNo: number;
  paymentMethod: PaymentMethod;
  plan: LifecyclePlan;
}

export interface OrderItemCore {
  itemNo: number;
  orderItemCode: string;
  product: CatalogProduct;
  variant: CatalogVariant;
  unitPriceCents: number;
  optionPriceCents: number;
  quantity: number;
  /** This line's share of the order coupon. */
  couponCents: number;
  supplyPriceCents: number;
  script: StatusChange[];
}

export interface OrderCore {
  skeleton: OrderSkeleton;
  orderId: string;
  shop: ShopInfo;
  placeId: 'self' | 'mobile';
  /** null for a guest order. */
  memberId: string | null;
  groupNo: number;
  firstOrder: boolean;
  buyer: Person;
  receiver: Person;
  shippingMessage: string;
  items: OrderItemCore[];
  shippingFeeCents: number;
  couponCents: number;
  pointsCents: number;
  /** Shipping code `D-YYYYMMDD-NNNNNNN-00`, shown once the order reaches N20. */
  shippingCode: string;
}

const ITEM_COUNT_WEIGHTS = [[1, 65], [2, 25], [3, 8], [4, 2]] as const;
const PAYMENT_WEIGHTS = [['card', 62], ['cash', 20], ['tcash', 12], ['cell', 6]] as const;
export const MAX_ITEMS_PER_ORDER = 4;

export function buildOrderSkeleton(
  seed: number, mallId: string, index: number, orderDateMs: number, shopNo: number,
): OrderSkeleton {
  const rng = rngFor(seed, mallId, 'order-skeleton', index);
  const paymentMethod = rng.weighted(PAYMENT_WEIGHTS);
  const itemCount = rng.weighted(ITEM_COUNT_WEIGHTS);
  return { index, orderDateMs, shopNo, paymentMethod, plan: planLifecycle(rng, orderDateMs, itemCount, paymentMethod === 'cash') };
}

export interface BuildOrderInput {
  seed: number;
  mallId: string;
  skeleton: OrderSkeleton;
  orderId: string;
  shop: ShopInfo;
  catalog: Catalog;
  memberPoolSize: number;
}

export function buildOrderCore(input: BuildOrderInput): OrderCore {
  const { seed, mallId, skeleton, orderId, shop } = input;
  const { index } = skeleton;
  const rng = rngFor(seed, mallId, 'order-detail', index);
  const isMember = rng.chance(0.7);
  // Members come from a pool so the same buyer orders repeatedly; guests are one-off people.
  const memberNumber = rng.int(1, input.memberPoolSize);
  const buyer = makePerson(isMember ? rngFor(seed, mallId, 'member', memberNumber) : rngFor(seed, mallId, 'guest', index));
  const receiver = rng.chance(0.8) ? buyer : makePerson(rngFor(seed, mallId, 'receiver', index));
  const items = buildItems(input, rng.next.bind(rng));

  const orderPriceCents = items.reduce((sum, item) => sum + (item.unitPriceCents + item.optionPriceCents) * item.quantity, 0);
  const shippingFeeCents = orderPriceCents >= krwToShopCents(50_000, shop) ? 0 : krwToShopCents(3_000, shop);
  const couponCents = rng.chance(0.15)
    ? Math.min(krwToShopCents(rng.int(1, 5) * 1000, shop), Math.floor(orderPriceCents / 10))
    : 0;
  if (items[0]) items[0].couponCents = couponCents;
  const pointsCents = isMember && rng.chance(0.1)
    ? Math.min(krwToShopCents(rng.int(5, 30) * 100, shop), orderPriceCents - couponCents)
    : 0;

  return {
    skeleton, orderId, shop,
    placeId: rng.chance(0.6) ? 'mobile' : 'self',
    memberId: isMember ? buyer.handle : null,
    groupNo: isMember ? rng.weighted([[1, 80], [2, 15], [3, 5]] as const) : 1,
    firstOrder: rng.chance(isMember ? 0.2 : 1),
    buyer, receiver,
    shippingMessage: rng.pick(['', '부재 시 문 앞에 놓아주세요.', '배송 전 연락 바랍니다.', '경비실에 맡겨주세요.']),
    items, shippingFeeCents, couponCents, pointsCents,
    shippingCode: `D-${kstCompactDate(skeleton.orderDateMs)}-${orderId.slice(9)}-00`,
  };
}

function buildItems(input: BuildOrderInput, draw: () => number): OrderItemCore[] {
  const { seed, mallId, skeleton, orderId, shop, catalog } = input;
  const items: OrderItemCore[] = [];
  skeleton.plan.items.forEach((script, k) => {
    const product = pickProduct(catalog, draw()) as CatalogProduct;
    const variant = product.variants[Math.floor(draw() * product.variants.length)] as CatalogVariant;
    const roll = draw();
    items.push({
      // Item numbers are unique across the mall: a few slots per order are enough.
      itemNo: 1000 + skeleton.index * MAX_ITEMS_PER_ORDER + k,
      orderItemCode: `${orderId}-${String(k + 1).padStart(2, '0')}`,
      product, variant,
      unitPriceCents: krwToShopCents(productPriceKrwAt(seed, mallId, product, skeleton.orderDateMs), shop),
      optionPriceCents: krwToShopCents(variant.optionPriceKrw, shop),
      quantity: roll < 0.85 ? 1 : roll < 0.97 ? 2 : 3,
      couponCents: 0,
      supplyPriceCents: krwToShopCents(product.supplyPriceKrw, shop),
      script,
    });
  });
  return items;
}
