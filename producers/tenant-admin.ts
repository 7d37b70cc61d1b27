/**
 * Registering tenants and their platform links: the tenant record on the compacted `tenants` topic, and the
 * platform secret, sealed, on `credentials`. The OAuth install flow (or the demo) calls `connectCafe24`.
 */
import { TENANTS_TOPIC, TenantContract, type Tenant } from '../lib/contracts/tenant.js';
import type { CredentialsStore } from '../lib/credentials-store.js';
import type { Publisher } from '../lib/kafka/publisher.js';
import { grantFromTokenResponse } from '../consumers/cafe24/token-refresher.js';

export async function putTenant(publisher: Publisher, tenant: Omit<Tenant, 'v' | 'updatedAt'>): Promise<Tenant> {
  const record: Tenant = { v: 1, ...tenant, updatedAt: new Date().toISOString() };
  await publisher.publish(TENANTS_TOPIC, [{ key: tenant.tenantId, value: TenantContract.encode(record) }]);
  return record;
}

/** Stores the grant Cafe24's token endpoint returned when the seller installed our app. */
export async function connectCafe24(credentials: CredentialsStore, tenantId: string, mallId: string, tokenResponse: unknown): Promise<void> {
  await credentials.put(tenantId, 'cafe24', grantFromTokenResponse(mallId, tokenResponse));
}
