/** Field checks shared by every contract: the identifiers that reach topic keys, URLs and SQL. */
import { oneOf, string } from './schema.js';

export const PLATFORMS = ['ably', 'cafe24'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const TIERS = ['paid', 'free'] as const;
export type Tier = (typeof TIERS)[number];

export const tenantId = () => string({ pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/ });
export const requestId = () => string({ pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/ });
/** An entity name of a source (orders, products, …): lower snake case, it names tables and cursors. */
export const entity = () => string({ pattern: /^[a-z][a-z0-9_]{0,39}$/ });
export const platform = () => oneOf(PLATFORMS);
export const tier = () => oneOf(TIERS);
