/**
 * Products and variants on the wire (reference §7.4, §7.5, S2 products catalog): money as decimal strings in the
 * shop's currency, T/F flags, `created_date`/`updated_date` in KST with offset. The detail form adds `category`,
 * `description` and option fields, as the detail endpoint does.
 */
import { type CatalogProduct, type CatalogVariant, productPriceKrwAt, productUpdatedAt } from './catalog.js';
import { formatKst } from './kst.js';
import { formatMoney } from './money.js';
import { krwToShopCents, type ShopInfo } from './multi-shop.js';

export const PRODUCT_EMBEDS = ['variants', 'options', 'discountprice', 'hits'] as const;
export type ProductEmbed = (typeof PRODUCT_EMBEDS)[number];

export interface ProductView {
  seed: number;
  mallId: string;
  shop: ShopInfo;
  atMs: number;
}

export function productPayload(
  product: CatalogProduct,
  view: ProductView,
  { detail = false, embed = [] as readonly ProductEmbed[] } = {},
): Record<string, unknown> {
  const { shop, atMs } = view;
  const priceCents = krwToShopCents(productPriceKrwAt(view.seed, view.mallId, product, atMs), shop);
  const imagePath = `${product.productNo}_shop1_${product.productCode.toLowerCase()}.jpg`;
  const soldOut = product.variants.every((v) => v.stock === 0) ? 'T' : 'F';
  const payload: Record<string, unknown> = {
    shop_no: shop.shopNo,
    product_no: product.productNo,
    product_code: product.productCode,
    custom_product_code: '',
    product_name: product.name,
    eng_product_name: product.engName,
    supply_product_name: '',
    internal_product_name: '',
    model_name: product.modelName,
    price_excluding_tax: formatMoney(Math.round(priceCents / 1.1)),
    price: formatMoney(priceCents),
    retail_price: formatMoney(krwToShopCents(product.retailPriceKrw, shop)),
    supply_price: formatMoney(krwToShopCents(product.supplyPriceKrw, shop)),
    display: product.display,
    selling: product.selling,
    product_condition: 'N',
    product_used_month: null,
    summary_description: '',
    margin_rate: null,
    tax_calculation: 'A',
    tax_type: 'A',
    tax_rate: 10,
    price_content: null,
    buy_limit_by_product: 'F',
    buy_limit_type: 'F',
    buy_group_list: [],
    buy_member_id_list: [],
    repurchase_restriction: 'F',
    single_purchase_restriction: 'F',
    single_purchase: 'F',
    buy_unit_type: 'O',
    buy_unit: 1,
    order_quantity_limit_type: 'O',
    minimum_quantity: 1,
    maximum_quantity: 0,
    points_by_product: 'F',
    points_setting_by_payment: null,
    points_amount: null,
    except_member_points: 'F',
    product_volume: { use_product_volume: 'F', product_width: null, product_height: null, product_length: null },
    adult_certification: 'F',
    detail_image: `https://${view.mallId}.cafe24.com/web/product/big/${imagePath}`,
    list_image: `https://${view.mallId}.cafe24.com/web/product/medium/${imagePath}`,
    tiny_image: `https://${view.mallId}.cafe24.com/web/product/tiny/${imagePath}`,
    small_image: `https://${view.mallId}.cafe24.com/web/product/small/${imagePath}`,
    use_naverpay: 'F',
    naverpay_type: 'C',
    use_kakaopay: 'F',
    manufacturer_code: 'M0000000',
    trend_code: 'T0000000',
    brand_code: 'B0000000',
    supplier_code: 'S0000000',
    made_date: '',
    release_date: '',
    expiration_date: { start_date: null, end_date: null },
    origin_classification: 'F',
    origin_place_no: 1798,
    origin_place_value: '',
    made_in_code: 'KR',
    icon_show_period: { start_date: null, end_date: null },
    icon: [],
    hscode: '',
    product_weight: '1.00',
    product_material: '',
    created_date: formatKst(product.createdAtMs),
    updated_date: formatKst(productUpdatedAt(product, atMs)),
    english_product_material: null,
    cloth_fabric: null,
    list_icon: { soldout_icon: soldOut === 'T', recommend_icon: false, new_icon: false },
    approve_status: '',
    classification_code: 'C000000A',
    sold_out: soldOut,
    additional_price: '0.00',
    clearance_category_eng: null,
    clearance_category_kor: null,
    clearance_category_code: null,
    exposure_limit_type: 'A',
    exposure_group_list: [],
    set_product_type: null,
    shipping_fee_by_product: 'F',
    shipping_fee_type: null,
    main: [],
    market_sync: 'F',
    cultural_tax_deduction: 'F',
    size_guide: { use: 'F', type: 'default', default: null, description: null },
  };
  if (detail) {
    payload.category = product.categoryNos.map((categoryNo) => ({ category_no: categoryNo, recommend: 'F', new: 'F' }));
    payload.description = `<p>${product.name}</p><p>편안한 착용감의 ${product.name}입니다.</p>`;
    payload.mobile_description = null;
    payload.has_option = 'T';
    payload.option_type = 'T';
  }
  if (embed.includes('variants')) payload.variants = product.variants.slice(0, 100).map((v) => variantPayload(v, shop));
  if (embed.includes('options')) payload.options = optionsPayload(product);
  if (embed.includes('discountprice')) {
    payload.discountprice = { pc_discount_price: formatMoney(priceCents), mobile_discount_price: formatMoney(priceCents), app_discount_price: null };
  }
  if (embed.includes('hits')) payload.hits = 0;
  return payload;
}

export function variantPayload(variant: CatalogVariant, shop: ShopInfo): Record<string, unknown> {
  return {
    shop_no: shop.shopNo,
    variant_code: variant.variantCode,
    options: [{ name: '색상', value: variant.color[0] }, { name: '사이즈', value: variant.size }],
    custom_variant_code: '',
    display: variant.display,
    selling: variant.selling,
    additional_amount: formatMoney(krwToShopCents(variant.optionPriceKrw, shop)),
    use_inventory: 'T',
    important_inventory: 'A',
    inventory_control_type: 'A',
    display_soldout: 'T',
    quantity: variant.stock,
    safety_inventory: 0,
    image: null,
  };
}

function optionsPayload(product: CatalogProduct) {
  const colors = [...new Set(product.variants.map((v) => v.color[0]))];
  const sizes = [...new Set(product.variants.map((v) => v.size))];
  return {
    has_option: 'T',
    option_type: 'T',
    option_list_type: 'S',
    options: [
      { option_code: 'O000000A', option_name: '색상', option_value: colors.map((c) => ({ option_text: c })), required_option: 'T' },
      { option_code: 'O000000B', option_name: '사이즈', option_value: sizes.map((s) => ({ option_text: s })), required_option: 'T' },
    ],
  };
}
