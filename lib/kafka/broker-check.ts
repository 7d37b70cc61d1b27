/**
 * Before a command starts its clients: is there a Kafka broker at the configured address, serving metadata?
 * The clients' own retry (client.ts: 8 attempts with backoff) rides out a broker restart in production, but on a
 * machine with no broker it means a minute of silence and then a stack trace. This check answers in seconds, with
 * one line naming the address and what to do; it also rides out the first seconds of a broker just started.
 */
import { Kafka, logLevel } from './kafkajs.js';
import { SyncError } from '../errors.js';

export class BrokerUnreachableError extends SyncError {
  override readonly code: string = 'BROKER_UNREACHABLE';
}

export interface BrokerCheckOptions {
  /** Give up after this long. @default 2000 (so a command fails within 10 s, start-up included, with nothing listening) */
  deadlineMs?: number;
  /** Pause between attempts. @default 250 */
  intervalMs?: number;
}

/** Resolves once a broker answers a metadata request; rejects with a BrokerUnreachableError at the deadline. */
export async function waitForBroker(brokers: string[], { deadlineMs = 2000, intervalMs = 250 }: BrokerCheckOptions = {}): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  // Its own client, with no retry of its own: this loop is the retry, and its deadline is the point.
  const kafka = new Kafka({
    clientId: 'sellerstream-broker-check', brokers, logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(2000, deadlineMs), requestTimeout: Math.min(3000, deadlineMs), retry: { retries: 0 },
  });
  let lastError: unknown;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers: serving } = await admin.describeCluster();
      if (serving.length > 0) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() + intervalMs >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new BrokerUnreachableError(
    `no Kafka broker at ${brokers.join(',')}${reason(lastError)}: start one with \`npm run kafka -- up\` or set KAFKA_BROKERS`,
    { cause: lastError },
  );
}

/** ` (ECONNREFUSED)`: the network error's code when there is one, so "nothing listens" and "no route" differ. */
function reason(error: unknown): string {
  for (let e = error as { code?: unknown; cause?: unknown; originalError?: unknown } | undefined; e; e = (e.originalError ?? e.cause) as typeof e) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return ` (${e.code})`;
  }
  return '';
}
