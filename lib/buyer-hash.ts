/**
 * Buyer identity → a stable salted hash (DESIGN: buyer personal data is never stored). HMAC-SHA256 keyed by the
 * salt over platform, tenant and the platform's buyer id: the same buyer of one shop always hashes alike (repeat
 * purchase analysis works), the hash cannot be reversed by enumerating ids without the salt, and the same member
 * id in two shops does not link two people.
 */
import { createHmac } from 'node:crypto';

export type BuyerHasher = (platform: string, tenantId: string, buyerId: string) => string;

/** Hex characters kept: 128 bits, plenty against collisions among one shop's buyers. */
const HASH_CHARS = 32;
/** Recently seen buyers (repeat buyers are common within a batch); cleared when full, no LRU bookkeeping. */
const CACHE_LIMIT = 50_000;

export function createBuyerHasher(salt: string): BuyerHasher {
  const cache = new Map<string, string>();
  return (platform, tenantId, buyerId) => {
    if (buyerId === '') return '';
    const key = `${platform}\u0000${tenantId}\u0000${buyerId}`;
    let hash = cache.get(key);
    if (hash === undefined) {
      hash = createHmac('sha256', salt).update(key).digest('hex').slice(0, HASH_CHARS);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, hash);
    }
    return hash;
  };
}
