/**
 * One leader among the scheduler instances, through Kafka group membership: every instance joins group
 * `scheduler` on the one-partition topic `scheduler.leader`; the member assigned partition 0 leads. A rebalance
 * starting (a member joining, leaving or timing out) demotes the leader at once, before the group settles, so
 * two instances never both believe they lead for longer than a rebalance's notice takes to arrive. A leader cut
 * off from the group learns it late; the loop's transactional producer (one transactional id for every
 * instance) fences it as soon as the successor starts, so it cannot emit anyway (loop.ts).
 */
import type { Consumer } from 'kafkajs';
import type { KafkaContext } from '../../lib/kafka/client.js';
import type { Logger } from '../../lib/logger.js';

export const LEADER_TOPIC = 'scheduler.leader';
export const LEADER_GROUP = 'scheduler';

export interface LeaderElection {
  start(): Promise<void>;
  isLeader(): boolean;
  /** Leaves the group (a successor is elected at once). Safe to call twice. */
  stop(): Promise<void>;
}

export interface LeaderOptions {
  kafka: KafkaContext;
  logger: Logger;
  /** Called when this instance becomes leader and when it stops being one; never concurrently with itself. */
  onChange(leading: boolean): void;
  /** How soon a dead leader's successor is elected. @default 10_000 */
  sessionTimeoutMs?: number;
}

export function createLeaderElection({ kafka, logger, onChange, sessionTimeoutMs = 10_000 }: LeaderOptions): LeaderElection {
  const topic = kafka.topic(LEADER_TOPIC);
  let consumer: Consumer | undefined;
  let leading = false;
  const set = (next: boolean, why: string) => {
    if (next === leading) return;
    leading = next;
    logger.info({ leading, why }, leading ? 'scheduler leader' : 'scheduler follower');
    try {
      onChange(leading);
    } catch (error) {
      logger.error({ err: error }, 'a leadership listener threw');
    }
  };
  return {
    async start() {
      if (consumer) return;
      consumer = kafka.kafka.consumer({
        groupId: kafka.topic(LEADER_GROUP), sessionTimeout: sessionTimeoutMs, rebalanceTimeout: sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 5)), maxWaitTimeInMs: 500, allowAutoTopicCreation: false,
      });
      const { GROUP_JOIN, REBALANCING, STOP, CRASH, DISCONNECT } = consumer.events;
      consumer.on(GROUP_JOIN, ({ payload }) => set(payload.memberAssignment[topic]?.includes(0) ?? false, 'group joined'));
      consumer.on(REBALANCING, () => set(false, 'rebalancing'));
      for (const event of [STOP, CRASH, DISCONNECT]) consumer.on(event, () => set(false, event));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      // Nothing is ever published there: membership is the message.
      await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    },
    isLeader: () => leading,
    async stop() {
      const c = consumer;
      consumer = undefined;
      set(false, 'stopping');
      await c?.disconnect();
    },
  };
}
