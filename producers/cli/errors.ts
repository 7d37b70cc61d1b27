/**
 * How a `sellerstream` command ends: its exit code, and for a failure one line on stderr (never a stack, unless
 * LOG_LEVEL is debug or trace). The codes are part of the interface (scripts branch on them), documented in
 * `sellerstream --help` and the README:
 *   0 ok · 1 failed · 2 usage (a wrong argument or option) · 3 not found (tenant, DLQ entry) · 4 unavailable
 *   (no Kafka broker, or ClickHouse unreachable where the command needs it).
 */
import { CommanderError } from 'commander';
import { UsageError } from '../../lib/cli/command.js';
import { BrokerUnreachableError } from '../../lib/kafka/broker-check.js';
import { WarehouseUnavailableError } from '../../lib/errors.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NOT_FOUND: 3, UNAVAILABLE: 4 } as const;

export const EXIT_CODES_HELP = 'exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 no broker or warehouse';

export { UsageError };

/** A tenant, link or DLQ entry that does not exist. */
export class NotFoundError extends Error {}

/** A component the command needs cannot be reached. */
export class UnavailableError extends Error {}

/** kafkajs's word for a topic the cluster does not have. */
export const isMissingTopic = (error: unknown): boolean => (error as { type?: string })?.type === 'UNKNOWN_TOPIC_OR_PARTITION';

export function exitCodeOf(error: unknown): number {
  if (isMissingTopic(error)) return EXIT.UNAVAILABLE;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (error instanceof UsageError) return EXIT.USAGE;
  if (error instanceof NotFoundError) return EXIT.NOT_FOUND;
  if (error instanceof UnavailableError || error instanceof BrokerUnreachableError || error instanceof WarehouseUnavailableError) return EXIT.UNAVAILABLE;
  return EXIT.FAILED;
}

/** The error as one line: its message, newlines folded. */
export function oneLine(error: unknown): string {
  if (isMissingTopic(error)) return `a topic is missing on the cluster${process.env.KAFKA_TOPIC_PREFIX ? ` (prefix ${process.env.KAFKA_TOPIC_PREFIX})` : ''}: create them with \`npm run topics -- apply\``;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || (error as Error)?.name || 'failed';
}
