/**
 * Plain (non-transactional) publishing for producers outside a job: the scheduler, manual sync, backfill,
 * tenant admin. Each message is sent in a PRODUCER span whose context travels in the message's headers, so the
 * trace starts here and follows the job to the sink.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import { ATTR, SPAN, TRACER_NAME } from '../../otel/attributes.js';
import { injectTraceHeaders } from '../../otel/propagation.js';
import { createIdempotentProducer, type KafkaContext } from './client.js';
import type { OutgoingMessage } from './transaction.js';

/** A message to publish; a null value is a tombstone (deletes the key of a compacted topic). */
export type PublishedMessage = Omit<OutgoingMessage, 'topic' | 'value'> & { value: Buffer | null };

export interface Publisher {
  /** Sends to one base topic; resolves when the broker acknowledged every message (acks=all). */
  publish(topic: string, messages: readonly PublishedMessage[]): Promise<void>;
  close(): Promise<void>;
}

export async function createPublisher(kafka: KafkaContext): Promise<Publisher> {
  const producer: Producer = createIdempotentProducer(kafka);
  await producer.connect();
  const tracer = trace.getTracer(TRACER_NAME);
  return {
    async publish(topic, messages) {
      const span = tracer.startSpan(SPAN.PRODUCE(topic), {
        kind: SpanKind.PRODUCER,
        attributes: { [ATTR.MESSAGING_SYSTEM]: 'kafka', [ATTR.MESSAGING_DESTINATION]: topic },
      });
      const ctx = trace.setSpan(context.active(), span);
      try {
        await context.with(ctx, () => producer.send({
          topic: kafka.topic(topic),
          acks: -1,
          messages: messages.map((m) => ({ key: m.key, value: m.value, headers: injectTraceHeaders({ ...m.headers }, ctx) })),
        }));
      } finally {
        span.end();
      }
    },
    close: () => producer.disconnect(),
  };
}
