/**
 * `sellerstream run ROLE`: one process of a role, running the same entry point as its npm script, in this
 * process (its own signal handling, logging and exit codes). `scheduler` also runs the credential-health
 * follower (producers/credential-health.ts, group `credential-health`), which turns run events into the link
 * health the scheduler reads; with several scheduler instances, each run event is handled by one of them.
 */
import { Argument, Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config.js';
import { createKafka } from '../../lib/kafka/client.js';
import { createLogger } from '../../lib/logger.js';
import { createCredentialHealth } from '../credential-health.js';

export const ROLES = {
  scheduler: '../scheduler/index.ts',
  cafe24: '../../consumers/cafe24/index.ts',
  ably: '../../consumers/ably/index.ts',
  sink: '../../consumers/sink/index.ts',
} as const;

async function startCredentialHealth(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'credential-health' });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-health`, topicPrefix: config.kafka.topicPrefix, logger });
  const health = createCredentialHealth({ kafka, logger, instanceId: config.instanceId });
  // The scheduler's own handler exits the process once it stopped; this one leaves the group meanwhile.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void health.stop().catch(() => undefined));
  await health.start();
}

export function runCommand(): Command {
  return new Command('run').description('run one process of a role, as its npm script does (scale by running more)')
    .addArgument(new Argument('<role>', Object.keys(ROLES).join(', ')).choices(Object.keys(ROLES)))
    .action(async (role: keyof typeof ROLES) => {
      const entry = fileURLToPath(new URL(ROLES[role], import.meta.url));
      // The entry reads its own argv (`--help` and options): it sees none.
      process.argv = [process.argv[0]!, entry];
      if (role === 'scheduler') await startCredentialHealth();
      await import(entry);
    });
}
