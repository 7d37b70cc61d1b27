/**
 * GET /store and /shops (reference §7.9): the mall profile and its multi-shops with currency and language.
 * The store profile is a business's public registration data, not buyer data.
 */
import { type AdminRequest, type AdminResult, type AdminRoute, resolveShop } from './admin-route.js';
import { AdminApiError, ADMIN_MESSAGES } from './errors.js';
import type { ShopInfo } from './multi-shop.js';

const SCOPE = 'mall.read_store';

function shopPayload(mallId: string, shop: ShopInfo): Record<string, unknown> {
  const korean = shop.languageCode === 'ko_KR';
  return {
    shop_no: shop.shopNo,
    default: shop.shopNo === 1 ? 'T' : 'F',
    shop_name: shop.name,
    business_country_code: 'KR',
    language_code: shop.languageCode,
    language_name: korean ? '한국어' : 'English',
    currency_code: shop.currency,
    currency_name: korean ? 'South Korean Won (KRW)' : 'United States Dollar (USD)',
    reference_currency_code: korean ? 'USD' : 'KRW',
    reference_currency_name: korean ? 'United States Dollar (USD)' : 'South Korean Won (KRW)',
    pc_skin_no: 1,
    mobile_skin_no: 2,
    base_domain: shop.shopNo === 1 ? `${mallId}.cafe24.com` : `${mallId}${shop.shopNo}.cafe24.com`,
    primary_domain: shop.shopNo === 1 ? `www.${mallId}.co.kr` : null,
    slave_domain: [],
    active: 'T',
    timezone: 'Asia/Seoul',
    timezone_name: '(UTC+09:00) Seoul',
    date_format: 'YYYY-MM-DD',
    time_format: 'hh:mm:ss',
    use_reference_currency: 'T',
  };
}

function getStore(request: AdminRequest): AdminResult {
  const shop = resolveShop(request);
  const { mallId } = request;
  return {
    body: {
      store: {
        shop_no: shop.shopNo,
        shop_name: shop.name,
        mall_id: mallId,
        base_domain: `${mallId}.cafe24.com`,
        primary_domain: `www.${mallId}.co.kr`,
        company_registration_no: '123-45-67890',
        company_name: `(주)${mallId}`,
        president_name: '대표자',
        company_condition: '도소매',
        company_line: '의류',
        country: 'South Korea',
        country_code: 'KR',
        zipcode: '06236',
        address1: '서울특별시 강남구 테헤란로 123',
        address2: '4층',
        phone: '02-1234-5678',
        fax: '',
        email: `help@${mallId}.co.kr`,
        mall_url: `https://www.${mallId}.co.kr`,
        mail_order_sales_registration: 'T',
        mail_order_sales_registration_number: '2026-서울강남-0000',
        customer_service_phone: '1588-0000',
        customer_service_email: `cs@${mallId}.co.kr`,
        customer_service_hours: '평일 10:00~17:00',
        privacy_officer_name: '개인정보책임자',
        privacy_officer_email: `privacy@${mallId}.co.kr`,
      },
    },
    rows: 1,
  };
}

function listShops(request: AdminRequest): AdminResult {
  return { body: { shops: request.mall.shops.map((s) => shopPayload(request.mallId, s)) }, rows: request.mall.shops.length };
}

function getShop(request: AdminRequest): AdminResult {
  const text = request.params.shop_no as string;
  const shop = request.mall.shops.find((s) => String(s.shopNo) === text);
  if (!shop) throw new AdminApiError(404, ADMIN_MESSAGES.notFoundResource(`shop_no ${text}`));
  return { body: { shop: shopPayload(request.mallId, shop) }, rows: 1 };
}

export const STORE_ROUTES: AdminRoute[] = [
  { path: '/store', scope: SCOPE, handle: getStore },
  { path: '/shops', scope: SCOPE, handle: listShops },
  { path: '/shops/:shop_no', scope: SCOPE, handle: getShop },
];
