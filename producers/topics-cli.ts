/**
 * `npm run topics -- apply | list`: make the cluster's topics match topics.json and print what changed, or list
 * what topics.json declares. `list` reads only the file, so it works with no broker at all.
 */
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from '../lib/cli/command.js';
import { loadConfig } from '../lib/config.js';
import { waitForBroker } from '../lib/kafka/broker-check.js';
import { createKafka } from '../lib/kafka/client.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';

const TOPICS_FILE = fileURLToPath(new URL('../topics.json', import.meta.url));

const { positionals } = parseCommand({
  usage: 'npm run topics -- apply | list',
  description: 'Topics come from topics.json only. `apply` creates missing topics, grows partitions and sets configs\n'
    + '(never shrinks or deletes) and prints each change, so a second run prints nothing new; it waits for a broker\n'
    + 'that has just started. `list` prints name, partitions and purpose of every declared topic; it needs no broker.',
  positionals: { apply: 'make the cluster match topics.json', list: 'print the topics topics.json declares' },
  env: ['KAFKA_BROKERS', 'KAFKA_LOCAL_PORT', 'KAFKA_TOPIC_PREFIX', 'KAFKA_CLIENT_ID'],
});
const command = positionals[0];
if (positionals.length !== 1) throw new UsageError('give one command: apply or list');

const specs = await readTopicSpecs(TOPICS_FILE);
if (command === 'list') {
  for (const s of specs) process.stdout.write(`${s.name}\t${s.partitions}\t${s.doc ?? ''}\n`);
} else {
  const config = loadConfig();
  await waitForBroker(config.kafka.brokers);
  const { kafka } = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-topics` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const changes = await applyTopics(admin, specs, { prefix: config.kafka.topicPrefix });
    for (const c of changes) process.stdout.write(`${c.action.padEnd(13)} ${c.topic}: ${c.detail}\n`);
    process.stdout.write(changes.length === 0 ? 'topics: up to date, nothing changed\n' : `topics: ${changes.length} change(s)\n`);
  } finally {
    await admin.disconnect();
  }
}
