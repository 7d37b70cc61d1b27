/**
 * For machines with a Docker engine (not ours: see README): the same single-node KRaft broker as
 * scripts/kafka/local.sh, in the official apache/kafka image. Bound to a fixed host port because the broker
 * must advertise the address clients use.
 */
import { GenericContainer, Wait } from 'testcontainers';

const IMAGE = 'apache/kafka:4.1.1';
const HOST_PORT = Number(process.env.KAFKA_LOCAL_PORT ?? 19092);

export async function startKafkaContainer(): Promise<{ brokers: string; stop(): Promise<void> }> {
  const container = await new GenericContainer(IMAGE)
    .withExposedPorts({ container: 9092, host: HOST_PORT })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${HOST_PORT}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage('Kafka Server started'))
    .start();
  return { brokers: `127.0.0.1:${HOST_PORT}`, stop: async () => void (await container.stop()) };
}
