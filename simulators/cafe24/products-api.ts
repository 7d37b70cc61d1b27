/**
 * GET /products, /products/count, /products/{product_no}, /products/{product_no}/variants (reference §7.4, §7.5).
 * `limit` 1..100 (default 10), `offset` ≤ 5000; `since_product_no` returns products numbered above it in
 * ascending order and cannot be combined with `product_no`, `sort`, `order` or `offset` (422 if it is).
 * Without `sort` the list is ascending `product_no` (the real default is undocumented, §12.7).
 */
import { type AdminRequest, type AdminResult, type AdminRoute, resolveShop } from './admin-route.js';
import { type CatalogProduct, productPriceKrwAt, productUpdatedAt } from './catalog.js';
import { AdminApiError, ADMIN_MESSAGES, invalidParameter } from './errors.js';
import { DAY_MS } from './kst.js';
import { krwToShopCents } from './multi-shop.js';
import { PRODUCT_EMBEDS, productPayload, type ProductView, variantPayload } from './product-payload.js';
import { projectFields, type QueryReader } from './query-params.js';

export const PRODUCTS_MAX_LIMIT = 100;
export const PRODUCTS_MAX_OFFSET = 5000;
const SCOPE = 'mall.read_product';

interface ProductQuery {
  view: ProductView;
  products: CatalogProduct[];
}

/** Filters and order shared by the list and the count; the count ignores paging. */
function selectProducts(request: AdminRequest): ProductQuery {
  const { query, mall } = request;
  const shop = resolveShop(request);
  const view: ProductView = { seed: request.seed, mallId: request.mallId, shop, atMs: request.nowMs };
  const sinceProductNo = query.int('since_product_no', { min: 0, max: 2_147_483_647 });
  if (sinceProductNo !== undefined) {
    const conflicting = ['product_no', 'sort', 'order', 'offset'].find((name) => query.has(name));
    if (conflicting) throw invalidParameter(conflicting, `${conflicting} cannot be used together with since_product_no.`);
  }
  const productNos = query.intList('product_no');
  const productCodes = query.list('product_code');
  const names = query.list('product_name');
  const display = query.oneOf('display', ['T', 'F'] as const);
  const selling = query.oneOf('selling', ['T', 'F'] as const);
  const category = query.int('category', { min: 1, max: 2_147_483_647 });
  const includeSub = query.oneOf('include_sub_category', ['T'] as const) === 'T';
  const created = dateRange(query, 'created_start_date', 'created_end_date');
  const updated = dateRange(query, 'updated_start_date', 'updated_end_date');
  const priceMin = query.int('price_min', { min: 0, max: 2_147_483_647 });
  const priceMax = query.int('price_max', { min: 0, max: 2_147_483_647 });
  const categoryNos = category === undefined ? undefined : categoriesUnder(request, category, includeSub);

  const priceUnits = (p: CatalogProduct) => krwToShopCents(productPriceKrwAt(view.seed, view.mallId, p, view.atMs), shop) / 100;
  let products = mall.catalog.products.filter((p) =>
    (sinceProductNo === undefined || p.productNo > sinceProductNo)
    && (!productNos || productNos.includes(p.productNo))
    && (!productCodes || productCodes.includes(p.productCode))
    && (!names || names.some((n) => p.name.toLowerCase().includes(n.toLowerCase())))
    && (!display || p.display === display)
    && (!selling || p.selling === selling)
    && (!categoryNos || categoryNos.has(p.categoryNos[0] as number))
    && (!created || (p.createdAtMs >= created.fromMs && p.createdAtMs < created.toMs))
    && (!updated || inRange(productUpdatedAt(p, view.atMs), updated))
    && (priceMin === undefined || priceUnits(p) >= priceMin)
    && (priceMax === undefined || priceUnits(p) <= priceMax));

  const sort = query.oneOf('sort', ['created_date', 'updated_date', 'product_name'] as const);
  const order = query.oneOf('order', ['asc', 'desc'] as const, 'asc');
  if (sort) {
    const key = sort === 'created_date' ? (p: CatalogProduct) => p.createdAtMs
      : sort === 'updated_date' ? (p: CatalogProduct) => productUpdatedAt(p, view.atMs)
      : undefined;
    products = [...products].sort((a, b) => {
      const cmp = key ? key(a) - key(b) : a.name.localeCompare(b.name, 'ko');
      return (order === 'desc' ? -cmp : cmp) || a.productNo - b.productNo;
    });
  } else if (order === 'desc') {
    products = [...products].reverse();
  }
  return { view, products };
}

const inRange = (at: number, range: { fromMs: number; toMs: number }) => at >= range.fromMs && at < range.toMs;

/** A start/end pair; a date-only end covers its whole day, a datetime end is taken as given (inclusive). */
function dateRange(query: QueryReader, startName: string, endName: string) {
  query.requirePair(startName, endName);
  const fromMs = query.dateOrDateTime(startName);
  const endMs = query.dateOrDateTime(endName);
  if (fromMs === undefined || endMs === undefined) return undefined;
  const endIsDate = /^\d{4}-\d{2}-\d{2}$/.test(query.raw(endName) ?? '');
  const toMs = endIsDate ? endMs + DAY_MS : endMs + 1;
  if (toMs <= fromMs) throw invalidParameter(endName, `${endName} must not be earlier than ${startName}.`);
  return { fromMs, toMs };
}

function categoriesUnder(request: AdminRequest, categoryNo: number, includeSub: boolean): Set<number> {
  const numbers = new Set([categoryNo]);
  if (includeSub) for (const c of request.mall.catalog.categories) if (c.parentNo === categoryNo) numbers.add(c.categoryNo);
  return numbers;
}

function listProducts(request: AdminRequest): AdminResult {
  const { query } = request;
  const limit = query.limit(PRODUCTS_MAX_LIMIT, 10);
  const offset = query.offset(PRODUCTS_MAX_OFFSET);
  const embed = query.listOf('embed', PRODUCT_EMBEDS) ?? [];
  const fields = query.list('fields');
  const { view, products } = selectProducts(request);
  const page = products.slice(offset, offset + limit);
  return {
    body: { products: page.map((p) => projectFields(productPayload(p, view, { embed }), fields, embed)) },
    rows: page.length * (embed.includes('variants') ? 2 : 1),
  };
}

function countProducts(request: AdminRequest): AdminResult {
  return { body: { count: selectProducts(request).products.length }, rows: 1 };
}

function findProduct(request: AdminRequest): CatalogProduct {
  const text = request.params.product_no as string;
  const product = /^\d+$/.test(text) ? request.mall.catalog.byProductNo.get(Number(text)) : undefined;
  if (!product) throw new AdminApiError(404, ADMIN_MESSAGES.notFoundResource(`product_no ${text}`));
  return product;
}

function getProduct(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const product = findProduct(request);
  const embed = request.query.listOf('embed', PRODUCT_EMBEDS) ?? [];
  const view = { seed: request.seed, mallId: request.mallId, shop, atMs: request.nowMs };
  const body = projectFields(productPayload(product, view, { detail: true, embed }), request.query.list('fields'), embed);
  return { body: { product: body }, rows: 1 };
}

function listVariants(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const product = findProduct(request);
  const variants = product.variants.map((v) => variantPayload(v, shop));
  return { body: { variants }, rows: variants.length };
}

export const PRODUCT_ROUTES: AdminRoute[] = [
  { path: '/products', scope: SCOPE, handle: listProducts },
  { path: '/products/count', scope: SCOPE, handle: countProducts },
  { path: '/products/:product_no', scope: SCOPE, handle: getProduct },
  { path: '/products/:product_no/variants', scope: SCOPE, handle: listVariants },
];
