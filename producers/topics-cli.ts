/** `npm run topics -- apply`: make the cluster's topics match topics.json and print what changed. */
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../lib/config.js';
import { createKafka } from '../lib/kafka/client.js';
import { applyTopics, readTopicSpecs } from '../lib/kafka/topics.js';

const TOPICS_FILE = fileURLToPath(new URL('../topics.json', import.meta.url));

const command = process.argv[2];
if (command !== 'apply' && command !== 'list') {
  process.stderr.write('usage: npm run topics -- apply | list\n');
  process.exit(2);
}
const config = loadConfigOrExit();
const { kafka } = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-topics` });
const admin = kafka.admin();
await admin.connect();
try {
  const specs = await readTopicSpecs(TOPICS_FILE);
  if (command === 'list') {
    for (const s of specs) process.stdout.write(`${s.name}\t${s.partitions}\t${s.doc ?? ''}\n`);
  } else {
    const changes = await applyTopics(admin, specs, { prefix: config.kafka.topicPrefix });
    for (const c of changes) process.stdout.write(`${c.action.padEnd(13)} ${c.topic}: ${c.detail}\n`);
    process.stdout.write(changes.length === 0 ? 'topics: up to date, nothing changed\n' : `topics: ${changes.length} change(s)\n`);
  }
} finally {
  await admin.disconnect();
}
