/**
 * A seller's catalog: goods with option groups (colour × size) and options, generated once per seller from
 * (seed, sellerId). Goods do not change over time; orders refer to them by `sno` and option `sno`.
 * Numbering: goods sno = sellerNo × 100 000 + i, option sno = goods sno × 100 + k, so every number is unique
 * across sellers and tells whose it is.
 */
import { COLORS, FREE_SIZE, ITEMS_BY_CATEGORY, NAME_TAGS, SIZES, STYLE_WORDS } from '../cafe24/korean-words.js';
import { DAY_MS } from '../cafe24/kst.js';
import { rngFor } from '../cafe24/seeded-random.js';
import { formatAblyTime } from './ably-time.js';
import type { ResolvedSellerSpec } from './seller-spec.js';

export type DeliveryType = 'standard' | 'today' | 'combine' | 'reserved';

export interface GoodsOption {
  sno: number;
  values: string[];
  additionalPrice: number;
  stock: number;
  safetyStock: number;
  useStock: boolean;
  stockSyncCode: string;
  deliveryType: DeliveryType;
}

export interface Goods {
  sno: number;
  name: string;
  customCode: string;
  categoryName: string;
  price: number;
  originalPrice: number;
  isDisplay: boolean;
  saleStatus: 'ON_SALE' | 'SOLD_OUT' | 'SUSPENDED';
  createdAtMs: number;
  registeredAtMs: number;
  optionGroups: Array<{ name: string; values: string[] }>;
  options: GoodsOption[];
}

export function buildGoods(seed: number, seller: ResolvedSellerSpec, historyStartMs: number): Goods[] {
  const categories = Object.keys(ITEMS_BY_CATEGORY);
  return Array.from({ length: seller.goods }, (_, i) => {
    const rng = rngFor(seed, seller.sellerId, 'goods', i);
    const categoryName = rng.pick(categories);
    const [nouns, low, high] = ITEMS_BY_CATEGORY[categoryName] as readonly [readonly string[], number, number];
    const price = Math.round(rng.int(low, high) / 100) * 100;
    const colors = Array.from(new Set(Array.from({ length: rng.int(1, 4) }, () => rng.pick(COLORS)[0])));
    const sizes = categoryName === '가방' || categoryName === '액세서리' || categoryName === '양말'
      ? [FREE_SIZE] : SIZES.slice(0, rng.int(2, 4));
    const sno = seller.sellerNo * 100_000 + i + 1;
    const deliveryType: DeliveryType = rng.weighted([['standard', 80], ['today', 15], ['reserved', 5]] as const);
    const options: GoodsOption[] = [];
    for (const color of colors) {
      for (const size of sizes) {
        const useStock = rng.chance(0.7);
        options.push({
          sno: sno * 100 + options.length + 1,
          values: [color, size],
          additionalPrice: size === 'XL' ? 2_000 : 0,
          stock: useStock ? rng.int(0, 120) : 0,
          safetyStock: useStock ? rng.int(0, 5) : 0,
          useStock,
          stockSyncCode: `SC${sno}${String(options.length + 1).padStart(2, '0')}`,
          deliveryType,
        });
      }
    }
    // Goods appear over the first part of the history, so stats of older days cover fewer goods.
    const createdAtMs = historyStartMs - 30 * DAY_MS + Math.floor(rng.next() * (seller.historyDays * 0.5 + 30) * DAY_MS);
    const soldOut = rng.chance(0.08);
    return {
      sno,
      name: `${rng.pick(NAME_TAGS)}${rng.pick(STYLE_WORDS)} ${rng.pick(nouns)}`,
      customCode: `AB-${seller.sellerNo}-${String(i + 1).padStart(4, '0')}`,
      categoryName,
      price,
      originalPrice: rng.chance(0.4) ? Math.round((price * 1.25) / 100) * 100 : price,
      isDisplay: !soldOut && rng.chance(0.95),
      saleStatus: soldOut ? 'SOLD_OUT' : rng.chance(0.03) ? 'SUSPENDED' : 'ON_SALE',
      createdAtMs,
      registeredAtMs: createdAtMs + rng.int(0, 3_600_000),
      optionGroups: [{ name: '색상', values: colors }, { name: '사이즈', values: sizes }],
      options,
    };
  });
}

/** The goods object of `POST /seller/goods/search/` (a.3 and b.4 fields). */
export function goodsPayload(goods: Goods): Record<string, unknown> {
  return {
    sno: goods.sno,
    name: goods.name,
    custom_code: goods.customCode,
    category_name: goods.categoryName,
    price: goods.price,
    original_price: goods.originalPrice,
    is_display: goods.isDisplay,
    sale_status: goods.saleStatus,
    image: `https://img.ably-sim.test/goods/${goods.sno}.jpg`,
    created_at: formatAblyTime(goods.createdAtMs),
    registered_at: formatAblyTime(goods.registeredAtMs),
    option_groups: goods.optionGroups.map((group, i) => ({ sno: goods.sno * 10 + i + 1, name: group.name, values: group.values })),
    options: goods.options.map((option) => ({
      sno: option.sno,
      option_values: option.values,
      option1: option.values[0] ?? null,
      option2: option.values[1] ?? null,
      option3: null,
      additional_price: option.additionalPrice,
      stock: option.stock,
      safety_stock: option.safetyStock,
      use_stock: option.useStock,
      stock_sync_code: option.stockSyncCode,
      delivery_type: option.deliveryType,
    })),
  };
}
