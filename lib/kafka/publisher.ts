/**
 * Plain (non-transactional) publishing for producers outside a job: the scheduler, manual sync, backfill,
 * tenant admin. Each send is announced on the instrumentation bus (`publisher.send.start`, where otel/ opens its
 * PRODUCER span) and runs in that event's trace context, which travels in the messages' headers: the trace starts
 * here and follows the job to the sink.
 */
import { context } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { Logger } from '../logger.js';
import { createIdempotentProducer, PRODUCE_COMPRESSION, type KafkaContext } from './client.js';
import { injectTraceHeaders } from './headers.js';
import { emitInstrumentation, INSTRUMENTATION_EVENTS, type PublishStart } from './instrumentation.js';
import type { OutgoingMessage } from './transaction.js';

/** A message to publish; a null value is a tombstone (deletes the key of a compacted topic). */
export type PublishedMessage = Omit<OutgoingMessage, 'topic' | 'value'> & { value: Buffer | null };

export interface Publisher {
  /** Sends to one base topic; resolves when the broker acknowledged every message (acks=all). */
  publish(topic: string, messages: readonly PublishedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** `logger` hears of an instrumentation listener that threw. */
export async function createPublisher(kafka: KafkaContext, { logger }: { logger?: Logger } = {}): Promise<Publisher> {
  const producer: Producer = createIdempotentProducer(kafka);
  await producer.connect();
  return {
    async publish(topic, messages) {
      const start: PublishStart = { topic, messages: messages.length, scope: { context: context.active() } };
      emitInstrumentation(logger, INSTRUMENTATION_EVENTS.PUBLISH_START, start);
      const { scope } = start;
      const began = Date.now();
      let error: unknown;
      try {
        await context.with(scope.context, () => producer.send({
          topic: kafka.topic(topic),
          acks: -1,
          compression: PRODUCE_COMPRESSION,
          messages: messages.map((m) => ({ key: m.key, value: m.value, headers: injectTraceHeaders({ ...m.headers }, scope.context) })),
        }));
      } catch (sendError) {
        error = sendError;
        throw sendError;
      } finally {
        emitInstrumentation(logger, INSTRUMENTATION_EVENTS.PUBLISH, { ...start, durationMs: Date.now() - began, ...(error === undefined ? {} : { error }) });
      }
    },
    close: () => producer.disconnect(),
  };
}
