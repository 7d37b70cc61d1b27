/**
 * The broker's view of the high-priority partitions this instance owns, polled for the Dispatcher's rule "low
 * paused while high has backlog" (dispatcher.ts). From the broker's offsets alone (each partition's end offset
 * and the group's committed offset), so it stays true while partitions are paused, and it sees messages this
 * process has not fetched; the Dispatcher subtracts what it has fetched since. Only the owned partitions count:
 * an instance cannot consume another's high backlog, so waiting for it would idle capacity and help nobody.
 *
 * A failed poll keeps the last answer (logged once per failure run): the rule then errs as the last poll did,
 * and ageing (dispatcher.ts) still bounds any low wait.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { BrokerOffsets } from './dispatcher.js';

export interface HighBacklogOptions {
  admin: Admin;
  /** Full group id. */
  groupId: string;
  /** Full names of the high-priority topics to watch. */
  topics: string[];
  log: Logger;
  /** Called after each poll with the owned high partitions' offsets. */
  onOffsets(offsets: BrokerOffsets[]): void;
  /** @default 1_000 */
  intervalMs?: number;
}

export interface HighBacklog {
  /** The group's assignment to this member (full topic names → partitions); an empty one after a revoke. */
  assign(assignment: Record<string, number[]>): void;
  /** One poll now: the owned high partitions' end and committed offsets. */
  poll(): Promise<BrokerOffsets[]>;
  start(): void;
  stop(): Promise<void>;
}

export function createHighBacklog({ admin, groupId, topics, log, onOffsets, intervalMs = 1_000 }: HighBacklogOptions): HighBacklog {
  let owned = new Map<string, Set<number>>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<unknown> | undefined;
  let failing = false;

  async function poll(): Promise<BrokerOffsets[]> {
    const wanted = [...owned].filter(([, partitions]) => partitions.size > 0);
    if (wanted.length === 0) return [];
    const committed = new Map<string, bigint>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: wanted.map(([t]) => t) })) {
      for (const p of partitions) committed.set(`${topic}#${p.partition}`, BigInt(p.offset));
    }
    const out: BrokerOffsets[] = [];
    for (const [topic, partitions] of wanted) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (!partitions.has(partition)) continue;
        const c = committed.get(`${topic}#${partition}`) ?? -1n;
        out.push({ topic, partition, end: BigInt(high), committed: c < 0n ? BigInt(low) : c });
      }
    }
    return out;
  }

  function tick() {
    polling = poll()
      .then((offsets) => {
        failing = false;
        onOffsets(offsets);
      })
      .catch((error: unknown) => {
        if (!failing) log.warn({ err: error }, 'high backlog: broker offsets unavailable; keeping the last poll');
        failing = true;
      })
      .finally(() => {
        polling = undefined;
        if (timer) timer = setTimeout(tick, intervalMs).unref();
      });
  }

  return {
    assign(assignment) {
      owned = new Map(topics.map((t) => [t, new Set(assignment[t] ?? [])]));
      if (owned.size === 0 || [...owned.values()].every((p) => p.size === 0)) onOffsets([]);
    },
    poll,
    start() {
      timer ??= setTimeout(tick, 0).unref();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await polling;
    },
  };
}
