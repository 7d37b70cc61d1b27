/**
 * Multi-shops under one mall id (reference §8): shop 1 is the Korean default shop in KRW; further shops are
 * foreign-language shops selling the same catalog in USD at a fixed rate.
 */
export interface ShopInfo {
  shopNo: number;
  name: string;
  currency: 'KRW' | 'USD';
  languageCode: 'ko_KR' | 'en_US';
  /** KRW per unit of the shop's currency. */
  krwPerUnit: number;
}

const USD_RATE_KRW = 1350;

export function shopsOf(mallId: string, shopCount: number): ShopInfo[] {
  return Array.from({ length: shopCount }, (_, i) =>
    i === 0
      ? { shopNo: 1, name: `${mallId} 쇼핑몰`, currency: 'KRW', languageCode: 'ko_KR', krwPerUnit: 1 }
      : { shopNo: i + 1, name: `${mallId} global ${i}`, currency: 'USD', languageCode: 'en_US', krwPerUnit: USD_RATE_KRW },
  );
}

/** A KRW price in the shop's currency, in cents. */
export function krwToShopCents(krw: number, shop: ShopInfo): number {
  return Math.round((krw * 100) / shop.krwPerUnit);
}
