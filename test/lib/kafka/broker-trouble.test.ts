/**
 * Which kafkajs crashes the consumer kernel restarts from: the error chains kafkajs builds when a broker restarts
 * (made with kafkajs's own classes, as its consumer wraps them), against those of a bug in our code.
 */
import assert from 'node:assert/strict';
import {
  KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError,
} from '../../../lib/kafka/kafkajs.js';
import { isBrokerTrouble } from '../../../lib/kafka/broker-trouble.js';

/** A protocol error as kafkajs decodes it from a broker's answer (protocol/error.js: message, type, code, retriable). */
const protocolError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError({ message: type, type, code, retriable } as unknown as Error);

/** How kafkajs's retrier wraps an error it gives up on at once. */
const bailed = (cause: Error) => new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(cause, { cause });

describe('isBrokerTrouble', () => {
  it('a join that met a broker shutting down: KafkaJSGroupCoordinatorNotFound under the retrier\'s bail (kafkajs restarts none of these)', () => {
    const notFound = new (KafkaJSGroupCoordinatorNotFound as unknown as new (m: string) => Error)('Failed to find group coordinator');
    assert.equal(isBrokerTrouble(bailed(notFound)), true);
  });

  it('a coordinator that forgot the member or moved on a generation', () => {
    assert.equal(isBrokerTrouble(bailed(protocolError('UNKNOWN_MEMBER_ID', 25, false))), true);
    assert.equal(isBrokerTrouble(protocolError('ILLEGAL_GENERATION', 22, false)), true);
    assert.equal(isBrokerTrouble(protocolError('REBALANCE_IN_PROGRESS', 27, false)), true);
  });

  it('a broker away: connection errors, retries run out, any protocol error kafkajs itself flags retriable', () => {
    const refused = new KafkaJSConnectionError('connect ECONNREFUSED 127.0.0.1:9092');
    assert.equal(isBrokerTrouble(refused), true);
    assert.equal(isBrokerTrouble(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 2000 })), true);
    assert.equal(isBrokerTrouble(protocolError('NOT_ENOUGH_REPLICAS', 19, true)), true);
  });

  it('not ours to ride out: a bug in a handler, a refusal of the request itself, authorisation', () => {
    assert.equal(isBrokerTrouble(new TypeError('cannot read properties of undefined')), false);
    assert.equal(isBrokerTrouble(bailed(new TypeError('cannot read properties of undefined'))), false);
    assert.equal(isBrokerTrouble(protocolError('GROUP_AUTHORIZATION_FAILED', 30, false)), false);
    assert.equal(isBrokerTrouble(protocolError('OFFSET_METADATA_TOO_LARGE', 12, false)), false);
    assert.equal(isBrokerTrouble(undefined), false);
  });
});
