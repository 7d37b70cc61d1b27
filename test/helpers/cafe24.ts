/** Cafe24 settings that point the connector at a running simulator, and one tenant's sync against it. */
import { createCafe24Consumer, type Cafe24ConsumerOptions } from '../../consumers/cafe24/cafe24-consumer.js';
import { SyncRunContract, type SyncRun } from '../../lib/contracts/sync-run.js';
import { createPublisher } from '../../lib/kafka/publisher.js';
import { createKeyring, generateKeySpec } from '../../lib/secrets.js';
import { waitFor } from '../../lib/wait-for.js';
import { buildSyncRequest, publishSyncRequests } from '../../producers/sync-requests.js';
import { connectCafe24 } from '../../producers/tenant-admin.js';
import { DEFAULT_APP, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';
import { drainTopic, testLogger, uniqueName, type TestKafka } from './kafka.js';

export function cafe24Settings(sim: Cafe24Simulator) {
  return {
    apiBaseTemplate: sim.apiBaseTemplate, apiVersion: '2025-12-01', clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret,
    lookbackDays: 15, initialDays: 200,
  };
}

/** Runs after which a sync goes on: it has not ended yet. */
const GOING_ON = new Set(['continued', 'retrying']);

/**
 * One manual sync of `tenantId` (the simulator's `mallId`, freshly installed) by a Cafe24 consumer of its own,
 * to the end of its chain of jobs: the tenant's runs, oldest first.
 */
export async function syncTenant(
  kafka: TestKafka,
  sim: Cafe24Simulator,
  { tenantId, mallId, ...options }: { tenantId: string; mallId: string } & Partial<Omit<Cafe24ConsumerOptions, 'kafka' | 'cafe24'>>,
): Promise<SyncRun[]> {
  const consumer = createCafe24Consumer({
    kafka, instanceId: uniqueName('sync'), logger: testLogger(), keyring: createKeyring(generateKeySpec('k')), cafe24: cafe24Settings(sim),
    buyerHashSalt: 's', ...options,
  });
  const publisher = await createPublisher(kafka);
  try {
    await consumer.start();
    await connectCafe24(consumer.credentials, tenantId, mallId, (await sim.issueTokens(mallId)).response);
    await publishSyncRequests(publisher, [buildSyncRequest({ tenantId, platform: 'cafe24', tier: 'paid' }, 'manual')]);
    return await waitFor(async () => {
      const runs = (await drainTopic(kafka, 'sync.runs')).flatMap((m) => {
        const run = SyncRunContract.decode(m.value);
        return run.ok && run.value.tenantId === tenantId ? [run.value] : [];
      });
      return runs.some((r) => !GOING_ON.has(r.status)) ? runs : undefined;
    }, { deadlineMs: 60_000, description: `the sync of ${tenantId} to end` });
  } finally {
    await publisher.close();
    await consumer.stop();
  }
}
