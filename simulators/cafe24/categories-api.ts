/**
 * GET /categories, /categories/count, /categories/{category_no} (reference §7.6): `limit` 1..100 (default 10),
 * `offset` ≤ 8000; `parent_category_no=1` selects the top level. No `links` in category lists, as in the samples.
 */
import { type AdminRequest, type AdminResult, type AdminRoute, resolveShop } from './admin-route.js';
import type { CatalogCategory } from './catalog.js';
import { AdminApiError, ADMIN_MESSAGES } from './errors.js';
import { projectFields } from './query-params.js';

export const CATEGORIES_MAX_LIMIT = 100;
export const CATEGORIES_MAX_OFFSET = 8000;
const SCOPE = 'mall.read_category';

/** `full_category_no`/`full_category_name`: keyed "1".."4", strings or null below the category's depth. */
function byDepth(category: CatalogCategory, pick: (step: { no: number; name: string }) => string) {
  return Object.fromEntries([1, 2, 3, 4].map((depth) => {
    const step = category.path[depth - 1];
    return [String(depth), step ? pick(step) : null];
  }));
}

function categoryPayload(category: CatalogCategory, shopNo: number): Record<string, unknown> {
  return {
    shop_no: shopNo,
    category_no: category.categoryNo,
    category_depth: category.depth,
    parent_category_no: category.parentNo,
    category_name: category.name,
    display_type: 'A',
    full_category_name: byDepth(category, (s) => s.name),
    full_category_no: byDepth(category, (s) => String(s.no)),
    root_category_no: category.rootNo,
    use_main: 'F',
    use_display: 'T',
    display_order: category.displayOrder,
    soldout_product_display: 'B',
    sub_category_product_display: 'F',
    hashtag_product_display: 'F',
    hash_tags: [],
    product_display_scope: 'A',
    product_display_type: 'A',
    product_display_key: 'A',
    product_display_sort: 'D',
    product_display_period: 'W',
    normal_product_display_type: null,
    normal_product_display_key: null,
    normal_product_display_sort: null,
    normal_product_display_period: null,
    recommend_product_display_type: null,
    recommend_product_display_key: null,
    recommend_product_display_sort: null,
    recommend_product_display_period: null,
    new_product_display_type: null,
    new_product_display_key: null,
    new_product_display_sort: null,
    new_product_display_period: null,
    access_authority: 'F',
  };
}

function selectCategories(request: AdminRequest): CatalogCategory[] {
  const { query } = request;
  const depth = query.int('category_depth', { min: 1, max: 4 });
  const numbers = query.intList('category_no');
  const parent = query.int('parent_category_no', { min: 1, max: 2_147_483_647 });
  const name = query.raw('category_name');
  const useDisplay = query.oneOf('use_display', ['T', 'F'] as const);
  const useMain = query.oneOf('use_main', ['T', 'F'] as const);
  return request.mall.catalog.categories.filter((c) =>
    (depth === undefined || c.depth === depth)
    && (!numbers || numbers.includes(c.categoryNo))
    && (parent === undefined || c.parentNo === parent)
    && (name === undefined || c.name.includes(name))
    && (useDisplay === undefined || useDisplay === 'T')
    && (useMain === undefined || useMain === 'F'));
}

function listCategories(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const limit = request.query.limit(CATEGORIES_MAX_LIMIT, 10);
  const offset = request.query.offset(CATEGORIES_MAX_OFFSET);
  const fields = request.query.list('fields');
  const page = selectCategories(request).slice(offset, offset + limit);
  return { body: { categories: page.map((c) => projectFields(categoryPayload(c, shop.shopNo), fields)) }, rows: page.length };
}

function countCategories(request: AdminRequest): AdminResult {
  resolveShop(request);
  return { body: { count: selectCategories(request).length }, rows: 1 };
}

function getCategory(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const text = request.params.category_no as string;
  const category = request.mall.catalog.categories.find((c) => String(c.categoryNo) === text);
  if (!category) throw new AdminApiError(404, ADMIN_MESSAGES.notFoundResource(`category_no ${text}`));
  return { body: { category: categoryPayload(category, shop.shopNo) }, rows: 1 };
}

export const CATEGORY_ROUTES: AdminRoute[] = [
  { path: '/categories', scope: SCOPE, handle: listCategories },
  { path: '/categories/count', scope: SCOPE, handle: countCategories },
  { path: '/categories/:category_no', scope: SCOPE, handle: getCategory },
];
