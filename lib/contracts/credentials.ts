/**
 * A tenant's secret for one platform (password, OAuth tokens, session cookies), encrypted with lib/secrets.ts.
 * Topic `credentials` is compacted, key `<tenantId>/<platform>`. The plaintext never leaves the consumer process.
 */
import { defineContract } from './codec.js';
import { platform, tenantId, type Platform } from './fields.js';
import { isoDateTime, literal, object, string, type Infer } from './schema.js';

export const credentialsV1 = object({
  v: literal(1),
  tenantId: tenantId(),
  platform: platform(),
  /** `keyId.iv.tag.ciphertext`, base64url parts (lib/secrets.ts). */
  sealed: string({ max: 65_536 }),
  updatedAt: isoDateTime(),
});

export type Credentials = Infer<typeof credentialsV1>;
export const CredentialsContract = defineContract('Credentials', 1, credentialsV1);
export const CREDENTIALS_TOPIC = 'credentials';
export const credentialsKey = (tenant: string, p: Platform) => `${tenant}/${p}`;
