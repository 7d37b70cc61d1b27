/**
 * Mocha root hooks (.mocharc.json `require`): at the end of the run, the topics of every prefix the run handed out
 * (helpers/kafka.ts `testPrefix`) are deleted, so a run leaves no partition directories behind in the broker.
 * Only this run's prefixes: other runs on the same broker keep theirs.
 */
import { createKafka } from '../../lib/kafka/client.js';
import { deleteTopicsWithPrefixes, testPrefixes } from './kafka.js';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    if (testPrefixes.size === 0 || !process.env.KAFKA_BROKERS) return;
    this.timeout(120_000);
    const admin = createKafka({ brokers: process.env.KAFKA_BROKERS.split(','), clientId: 'sellerstream-test-cleanup' }).kafka.admin();
    await admin.connect();
    try {
      await deleteTopicsWithPrefixes(admin, testPrefixes);
    } finally {
      await admin.disconnect();
    }
  },
};
