/** Every span attribute and span name sellerstream sets, in one table: no misspelt names across parts. */
export const ATTR = {
  TENANT_ID: 'sellerstream.tenant.id',
  REQUEST_ID: 'sellerstream.request.id',
  PLATFORM: 'sellerstream.platform',
  ENTITY: 'sellerstream.entity',
  ATTEMPT: 'sellerstream.attempt',
  OUTCOME: 'sellerstream.outcome',
  RECORDS: 'sellerstream.records',
  ROWS: 'sellerstream.rows',
  TABLE: 'sellerstream.table',
  MESSAGING_SYSTEM: 'messaging.system',
  MESSAGING_DESTINATION: 'messaging.destination.name',
  MESSAGING_PARTITION: 'messaging.destination.partition.id',
  MESSAGING_OFFSET: 'messaging.kafka.offset',
  MESSAGING_GROUP: 'messaging.consumer.group.name',
} as const;

export const SPAN = {
  PRODUCE: (topic: string) => `send ${topic}`,
  PROCESS: (topic: string) => `process ${topic}`,
  SINK_INSERT: (table: string) => `insert ${table}`,
  TRANSACTION: 'kafka.transaction',
} as const;

export const TRACER_NAME = 'sellerstream';
