/**
 * Credential health per tenant × platform, derived from the platform consumers' run events and written where
 * the scheduler reads it: the link's `health` in the tenant record (producers/scheduler/loop.ts leaves a parked
 * link, needs_reauth / challenged / blocked, unscheduled).
 *
 *   ok ──(a retrying or dead run)──► failing ──(a succeeded or continued run)──► ok
 *   any ──(needs_reauth run)──► needs_reauth      any ──(dead, CHALLENGE_UNPASSED)──► challenged
 *   any ──(dead, BLOCKED)──► blocked              any ──(new credentials: sellerstream cafe24 connect,
 *                                                        ably set-credentials)──► ok
 *
 * `healthAt` is when the health was last set: by new credentials (their time) or by a run (its start). A run
 * that started before it describes credentials or a state already superseded (a retry of the old grant still in
 * flight when the seller reconnected), so it changes nothing.
 *
 * The follower consumes `sync.runs` in group `credential-health` (committed), so with several instances each
 * event is handled once, and a tenant's events (key tenantId) stay in order. It rewrites the tenant record only
 * when the health changes. The record is read-modify-written: an operator's edit landing between the read and
 * the write of the same tenant would be lost (compacted topics have no compare-and-set); health changes are
 * rare, so the window is small, and the next change of either kind writes a whole record again.
 */
import type { Consumer } from 'kafkajs';
import type { Platform } from '../../lib/contracts/fields.js';
import { SYNC_RUNS_TOPIC, SyncRunContract, type SyncRun } from '../../lib/contracts/sync-run.js';
import { TENANTS_TOPIC, TenantContract, type LinkHealth, type Tenant } from '../../lib/contracts/tenant.js';
import type { KafkaContext } from '../../lib/kafka/client.js';
import { createCompactedView, type CompactedView } from '../../lib/kafka/compacted-view.js';
import { createPublisher, type Publisher } from '../../lib/kafka/publisher.js';
import type { Logger } from '../../lib/logger.js';
import { putTenant } from '../tenant-admin.js';

/** The error classes (lib/errors.ts `code`) of a dead run that park a link instead of marking it failing. */
export const PARKING_ERROR_CLASSES: Readonly<Record<string, LinkHealth>> = {
  CHALLENGE_UNPASSED: 'challenged',
  BLOCKED: 'blocked',
};

/** The health a run shows, on its own. */
export function healthOfRun(run: Pick<SyncRun, 'status' | 'errorClass'>): LinkHealth {
  switch (run.status) {
    case 'succeeded':
    case 'continued':
      return 'ok';
    case 'needs_reauth':
      return 'needs_reauth';
    case 'dead':
      return PARKING_ERROR_CLASSES[run.errorClass ?? ''] ?? 'failing';
    case 'retrying':
      return 'failing';
  }
}

type Link = NonNullable<Tenant[Platform]>;

/** The tenant record after `run`, or undefined when it does not change (no such link, stale run, same health). */
export function tenantAfterRun(tenant: Tenant, run: SyncRun): Tenant | undefined {
  const link: Link | undefined = tenant[run.platform];
  if (!link) return undefined;
  if (link.healthAt !== undefined && Date.parse(run.startedAt) < Date.parse(link.healthAt)) return undefined;
  const health = healthOfRun(run);
  if (health === (link.health ?? 'ok')) return undefined;
  return { ...tenant, [run.platform]: { ...link, health, healthAt: run.startedAt } };
}

/** The tenant record once new credentials were stored for `platform`: its link is ok again from `at`. */
export function tenantWithFreshCredentials(tenant: Tenant, platform: Platform, at: Date): Tenant {
  const link: Link | undefined = tenant[platform];
  if (!link) return tenant;
  return { ...tenant, [platform]: { ...link, health: 'ok', healthAt: at.toISOString() } };
}

export interface CredentialHealthOptions {
  kafka: KafkaContext;
  logger: Logger;
  instanceId: string;
  /** @default 'credential-health' */
  groupId?: string;
  /** Where a new group starts on sync.runs. @default false (from now: older runs are history) */
  fromBeginning?: boolean;
}

export interface CredentialHealth {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createCredentialHealth({ kafka, logger, instanceId, groupId = 'credential-health', fromBeginning = false }: CredentialHealthOptions): CredentialHealth {
  const log = logger.child({ component: 'credential-health' });
  const tenants: CompactedView<Tenant> = createCompactedView({ kafka, topic: TENANTS_TOPIC, contract: TenantContract, readerId: `health-${instanceId}`, logger });
  let consumer: Consumer | undefined;
  let publisher: Publisher | undefined;

  async function onRun(run: SyncRun): Promise<void> {
    const tenant = await tenants.get(run.tenantId);
    if (!tenant) return;
    const next = tenantAfterRun(tenant, run);
    if (!next) return;
    const { v: _v, updatedAt: _u, ...fields } = next;
    await putTenant(publisher!, fields);
    log.info({ tenantId: run.tenantId, platform: run.platform, from: tenant[run.platform]?.health ?? 'ok', to: next[run.platform]?.health, requestId: run.requestId }, 'credential health changed');
  }

  return {
    async start() {
      await tenants.start();
      publisher = await createPublisher(kafka);
      consumer = kafka.kafka.consumer({ groupId: kafka.topic(groupId), maxWaitTimeInMs: 500 });
      await consumer.connect();
      await consumer.subscribe({ topic: kafka.topic(SYNC_RUNS_TOPIC), fromBeginning });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const run = SyncRunContract.decode(message.value);
          // The sink sends invalid run events to sink.dlq; here they only carry no health.
          if (run.ok) await onRun(run.value);
        },
      });
    },
    async stop() {
      await consumer?.disconnect();
      await publisher?.close();
      await tenants.stop();
      consumer = undefined;
      publisher = undefined;
    },
  };
}
