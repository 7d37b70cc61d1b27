/**
 * Which kafkajs consumer crashes are the broker's state rather than ours, so the consumer kernel restarts kafkajs's
 * loop instead of crashing the process. kafkajs restarts by itself only after errors it flags retriable; a broker
 * restart also ends in errors it flags not retriable, and without a restart the consumer stays dead while the
 * broker is back: a join that meets a broker shutting down bails with KafkaJSGroupCoordinatorNotFound (seen in
 * test/consumers/sink/broker-restart.test.ts), and a member the restarted coordinator no longer knows gets
 * UNKNOWN_MEMBER_ID. Decided by error class and protocol type along the cause chain, never by message text.
 */

/** kafkajs errors that mean the broker (or the group coordinator on it) was away or not ready. */
const BROKER_ERRORS = new Set([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound', 'KafkaJSGroupCoordinatorNotFound', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSStaleTopicMetadataAssignment',
]);

/** Group protocol answers of a coordinator that moved, restarted or forgot the member: a new join fixes them. */
const GROUP_STATE_ERRORS = new Set([
  'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE',
]);

/** Whether a kafkajs failure comes from the broker's side (its cause chain holds a broker or group-state error). */
export function isBrokerTrouble(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const { name, type, retriable } = e as Error & { type?: string; retriable?: boolean };
    if (BROKER_ERRORS.has(name) || (type !== undefined && GROUP_STATE_ERRORS.has(type))) return true;
    // kafkajs's own verdict on its protocol errors (a broker that is not ready answers with retriable ones).
    if (name === 'KafkaJSProtocolError' && retriable === true) return true;
    if (e.cause === e) break;
  }
  return false;
}
