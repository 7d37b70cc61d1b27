/**
 * Registering tenants and their platform links: the tenant record on the compacted `tenants` topic, and the
 * platform secret, sealed, on `credentials`. The operator CLI (producers/cli/) and the demo call these.
 */
import { CREDENTIALS_TOPIC, credentialsKey } from '../lib/contracts/credentials.js';
import { PLATFORMS } from '../lib/contracts/fields.js';
import { TENANTS_TOPIC, TenantContract, type Tenant } from '../lib/contracts/tenant.js';
import type { CredentialsStore } from '../lib/credentials/credentials-store.js';
import type { Publisher } from '../lib/kafka/publisher.js';
import type { AdminApi } from '../consumers/cafe24/admin-api.js';
import { grantFromTokenResponse } from '../consumers/cafe24/token-refresher.js';

export async function putTenant(publisher: Publisher, tenant: Omit<Tenant, 'v' | 'updatedAt'>): Promise<Tenant> {
  const record: Tenant = { v: 1, ...tenant, updatedAt: new Date().toISOString() };
  await publisher.publish(TENANTS_TOPIC, [{ key: tenant.tenantId, value: TenantContract.encode(record) }]);
  return record;
}

/** Tombstones for the tenant record and every platform secret: compaction then drops them all. */
export async function removeTenant(publisher: Publisher, tenantId: string): Promise<void> {
  await publisher.publish(CREDENTIALS_TOPIC, PLATFORMS.map((p) => ({ key: credentialsKey(tenantId, p), value: null })));
  await publisher.publish(TENANTS_TOPIC, [{ key: tenantId, value: null }]);
}

/** Stores the grant Cafe24's token endpoint returned when the seller installed our app. */
export async function connectCafe24(credentials: CredentialsStore, tenantId: string, mallId: string, tokenResponse: unknown): Promise<void> {
  await credentials.put(tenantId, 'cafe24', grantFromTokenResponse(mallId, tokenResponse));
}

export interface Cafe24App {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/**
 * The OAuth authorization-code exchange (Cafe24 `POST /api/v2/oauth/token`, grant_type authorization_code): the
 * code the seller's install redirect carried becomes a grant, sealed on `credentials` before this resolves.
 */
export async function exchangeCafe24Code(api: AdminApi, credentials: CredentialsStore, app: Cafe24App, tenantId: string, mallId: string, code: string, signal: AbortSignal): Promise<void> {
  const basic = Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64');
  const body = await api.token(mallId, basic, { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri }, signal);
  await connectCafe24(credentials, tenantId, mallId, body);
}
