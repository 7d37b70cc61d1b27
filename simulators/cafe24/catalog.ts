/**
 * A mall's catalog, generated once per mall on first use: categories, products and their variants.
 * Products do not appear or disappear over time, but they are edited: each product has an edit period, and at
 * every edit its `updated_date` moves and its price may change, so `updated_start_date` syncs have work to do.
 * Money is kept in integer minor units (cents) to stay exact; KRW prices are whole won.
 */
import { DAY_MS } from './kst.js';
import {
  CATEGORY_TREE, COLORS, FREE_SIZE, ITEMS_BY_CATEGORY, NAME_TAGS, SIZES, STYLE_WORDS,
} from './korean-words.js';
import { hashSeed, type Rng, rngFor } from './seeded-random.js';

export interface CatalogCategory {
  categoryNo: number;
  depth: number;
  parentNo: number;
  rootNo: number;
  name: string;
  /** Names and numbers from the root down, for `full_category_name`/`full_category_no`. */
  path: Array<{ no: number; name: string }>;
  displayOrder: number;
}

export interface CatalogVariant {
  variantCode: string;
  optionId: string;
  color: readonly [string, string];
  size: string;
  optionPriceKrw: number;
  stock: number;
  display: 'T' | 'F';
  selling: 'T' | 'F';
}

export interface CatalogProduct {
  productNo: number;
  productCode: string;
  name: string;
  engName: string;
  modelName: string;
  /** Leaf category first, then its parent. */
  categoryNos: number[];
  basePriceKrw: number;
  retailPriceKrw: number;
  supplyPriceKrw: number;
  display: 'T' | 'F';
  selling: 'T' | 'F';
  createdAtMs: number;
  editPeriodMs: number;
  variants: CatalogVariant[];
}

export interface Catalog {
  categories: CatalogCategory[];
  products: CatalogProduct[];
  byProductNo: Map<number, CatalogProduct>;
  /** Cumulative order-popularity weights over `products`, for picking what buyers order. */
  cumulativeWeights: Float64Array;
}

/** The first category number of a new Cafe24 shop's own categories (1 is the root). */
const FIRST_CATEGORY_NO = 24;

export function buildCatalog(seed: number, mallId: string, productCount: number, historyStartMs: number): Catalog {
  const categories = buildCategories();
  const leaves = categories.filter((c) => c.depth === 2);
  const rng = rngFor(seed, mallId, 'catalog');
  const products: CatalogProduct[] = [];
  let productNo = 10;
  for (let i = 0; i < productCount; i++) {
    // Real product numbers have gaps where products were deleted; connectors must not assume a dense range.
    productNo += 1 + (rng.chance(0.15) ? rng.int(1, 3) : 0);
    products.push(buildProduct(rngFor(seed, mallId, 'product', productNo), productNo, rng.pick(leaves), historyStartMs));
  }
  const cumulativeWeights = new Float64Array(products.length);
  // A long tail: a few products sell a lot. Products not on sale are never ordered (unless none is on sale).
  const anyOnSale = products.some(isOnSale);
  let total = 0;
  products.forEach((product, index) => {
    total += !anyOnSale || isOnSale(product) ? 1 / Math.pow(index + 1, 0.7) : 0;
    cumulativeWeights[index] = total;
  });
  return { categories, products, byProductNo: new Map(products.map((p) => [p.productNo, p])), cumulativeWeights };
}

const isOnSale = (product: CatalogProduct) => product.selling === 'T' && product.display === 'T';

function buildCategories(): CatalogCategory[] {
  const categories: CatalogCategory[] = [];
  let next = FIRST_CATEGORY_NO;
  const parents = CATEGORY_TREE.map(([name], index) => {
    const category: CatalogCategory = {
      categoryNo: next++, depth: 1, parentNo: 1, rootNo: 0, name, path: [], displayOrder: index + 1,
    };
    category.rootNo = category.categoryNo;
    category.path = [{ no: category.categoryNo, name }];
    categories.push(category);
    return category;
  });
  CATEGORY_TREE.forEach(([, children], parentIndex) => {
    const parent = parents[parentIndex] as CatalogCategory;
    children.forEach((name, index) => {
      const categoryNo = next++;
      categories.push({
        categoryNo, depth: 2, parentNo: parent.categoryNo, rootNo: parent.categoryNo, name,
        path: [...parent.path, { no: categoryNo, name }], displayOrder: index + 1,
      });
    });
  });
  return categories;
}

function buildProduct(rng: Rng, productNo: number, leaf: CatalogCategory, historyStartMs: number): CatalogProduct {
  const [items, low, high] = ITEMS_BY_CATEGORY[leaf.name] ?? [['상품'], 10_000, 50_000];
  const item = rng.pick(items);
  const style = rng.pick(STYLE_WORDS);
  const colorCount = rng.int(1, 3);
  const colors = pickDistinct(rng, COLORS, colorCount);
  const sized = !['가방', '모자', '양말', '액세서리'].includes(leaf.name);
  const sizes = sized ? SIZES.slice(rng.int(0, 1), rng.int(2, 4)) : [FREE_SIZE];
  // Prices end in 900 or 000 like real Korean shop prices.
  const basePriceKrw = Math.round(rng.int(low, high) / 1000) * 1000 - (rng.chance(0.6) ? 100 : 0);
  const productCode = `P${productNo.toString(36).toUpperCase().padStart(7, '0')}`;
  const variants: CatalogVariant[] = [];
  for (const color of colors) {
    for (const size of sizes) {
      const letter = String.fromCharCode(65 + variants.length);
      variants.push({
        variantCode: `${productCode}000${letter}`,
        optionId: `000${letter}`,
        color, size,
        optionPriceKrw: size === 'XL' ? 2000 : 0,
        stock: rng.chance(0.1) ? 0 : rng.int(1, 250),
        display: 'T',
        selling: 'T',
      });
    }
  }
  const onSale = rng.chance(0.92);
  return {
    productNo,
    productCode,
    name: `${rng.pick(NAME_TAGS)}${style} ${item}`,
    engName: `${style === '데일리' ? 'Daily' : 'Basic'} item ${productNo}`,
    modelName: `MD-${productNo}`,
    categoryNos: [leaf.categoryNo, leaf.parentNo],
    basePriceKrw,
    retailPriceKrw: rng.chance(0.5) ? Math.round((basePriceKrw * 1.3) / 1000) * 1000 : 0,
    supplyPriceKrw: Math.round((basePriceKrw * 0.45) / 100) * 100,
    display: onSale ? 'T' : 'F',
    selling: onSale ? 'T' : 'F',
    // Listed up to a year before the order history starts, so every order finds its product already on sale.
    createdAtMs: historyStartMs - rng.int(1, 365) * DAY_MS - rng.int(0, DAY_MS - 1),
    editPeriodMs: rng.int(5, 60) * DAY_MS + rng.int(0, DAY_MS - 1),
    variants,
  };
}

function pickDistinct<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(rng.int(0, pool.length - 1), 1)[0] as T);
  return picked;
}

/** How many edits a product has had by `atMs` (0 = as created). */
export function editCountAt(product: CatalogProduct, atMs: number): number {
  return Math.max(0, Math.floor((atMs - product.createdAtMs) / product.editPeriodMs));
}

/** `updated_date` as of `atMs`: the latest edit, or the creation time. */
export function productUpdatedAt(product: CatalogProduct, atMs: number): number {
  return product.createdAtMs + editCountAt(product, atMs) * product.editPeriodMs;
}

const PRICE_STEPS = [1, 1, 0.9, 1.1, 0.95, 1] as const;

/** The selling price in KRW as of `atMs`: some edits are price changes. */
export function productPriceKrwAt(seed: number, mallId: string, product: CatalogProduct, atMs: number): number {
  const edits = editCountAt(product, atMs);
  if (edits === 0) return product.basePriceKrw;
  const step = PRICE_STEPS[hashSeed(seed, mallId, product.productNo, edits) % PRICE_STEPS.length] as number;
  return Math.round((product.basePriceKrw * step) / 100) * 100;
}

/** Picks a product by popularity from a uniform draw in [0, 1). */
export function pickProduct(catalog: Catalog, draw: number): CatalogProduct | undefined {
  const weights = catalog.cumulativeWeights;
  const total = weights.length > 0 ? (weights[weights.length - 1] as number) : 0;
  if (total <= 0) return undefined;
  const target = draw * total;
  let lo = 0;
  let hi = weights.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((weights[mid] as number) > target) hi = mid;
    else lo = mid + 1;
  }
  return catalog.products[lo];
}
