/**
 * A tenant (seller) and the platforms it connected. Topic `tenants` is compacted, key tenantId; a tombstone
 * removes the tenant. Credentials never travel here: they sit encrypted on the `credentials` topic.
 */
import { defineContract } from './codec.js';
import { tenantId, tier } from './fields.js';
import { integer, isoDateTime, literal, object, oneOf, optional, string, type Infer } from './schema.js';

/**
 * A link's credential health, as the platform consumers last found it (issue 11): the scheduler emits nothing
 * for a parked link (needs_reauth, challenged, blocked) until the tenant record says otherwise.
 */
export const LINK_HEALTH = ['ok', 'failing', 'needs_reauth', 'challenged', 'blocked'] as const;
export type LinkHealth = (typeof LINK_HEALTH)[number];
export const PARKED_HEALTH: ReadonlySet<LinkHealth> = new Set(['needs_reauth', 'challenged', 'blocked']);
/** `healthAt`: when the health was last set (new credentials, or the start of the run that changed it). */
const healthAt = () => optional(isoDateTime());

export const tenantV1 = object({
  v: literal(1),
  tenantId: tenantId(),
  tier: tier(),
  status: oneOf(['active', 'paused'] as const),
  ably: optional(object({ sellerId: string({ pattern: /^[A-Za-z0-9_-]{1,64}$/ }), health: optional(oneOf(LINK_HEALTH)), healthAt: healthAt() })),
  /** Cafe24 mall ids are user input that becomes a host name: strictly lower-case letters and digits. */
  cafe24: optional(object({
    mallId: string({ pattern: /^[a-z0-9]{4,16}$/ }), shopNo: optional(integer({ min: 1, max: 999 })), health: optional(oneOf(LINK_HEALTH)), healthAt: healthAt(),
  })),
  /** Names the scheduler's collection windows (setting `scheduler.windows`): e.g. `restaurant`, `fashion`. */
  businessType: optional(string({ pattern: /^[a-z][a-z0-9_]{0,31}$/ })),
  /** Overrides the tier's default sync interval. */
  syncIntervalMinutes: optional(integer({ min: 1, max: 7 * 24 * 60 })),
  updatedAt: isoDateTime(),
});

export type Tenant = Infer<typeof tenantV1>;
export const TenantContract = defineContract('Tenant', 1, tenantV1);
export const TENANTS_TOPIC = 'tenants';
