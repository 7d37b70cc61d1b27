/**
 * What a sink tells its own listeners (sink.events; the process-wide instrumentation events are in
 * lib/kafka/instrumentation.ts), and the counters it keeps (sink.stats).
 */
import type { RunnerState } from '../../lib/kafka/runner-states.js';
import type { DlqItem } from './dlq.js';

export const SINK_EVENTS = {
  TRANSITION: 'sink.transition',
  GROUP_COMMITTED: 'group.committed',
  DLQ_SENT: 'dlq.sent',
  WAREHOUSE_UNAVAILABLE: 'warehouse.unavailable',
  WAREHOUSE_AVAILABLE: 'warehouse.available',
  ASSIGNED: 'partitions.assigned',
} as const;

export interface GroupCommitted {
  id: string;
  /** Member ranges, `topic:partition:first-last`. */
  members: string[];
  rows: number;
  rowsByTable: Record<string, number>;
  messages: number;
  dlq: number;
  resumed: boolean;
  durationMs: number;
}

export interface SinkEventMap {
  [SINK_EVENTS.TRANSITION]: [{ from: RunnerState; to: RunnerState }];
  [SINK_EVENTS.GROUP_COMMITTED]: [GroupCommitted];
  [SINK_EVENTS.DLQ_SENT]: [{ items: DlqItem[] }];
  [SINK_EVENTS.WAREHOUSE_UNAVAILABLE]: [{ error: unknown; attempt: number; delayMs: number }];
  [SINK_EVENTS.WAREHOUSE_AVAILABLE]: [];
  [SINK_EVENTS.ASSIGNED]: [{ partitions: { topic: string; partition: number; committed?: string; resumed: boolean }[] }];
}

export interface SinkStats {
  rows: number;
  groups: number;
  messages: number;
  dlq: number;
  firstMessageAt: number | undefined;
  lastCommitAt: number | undefined;
}
