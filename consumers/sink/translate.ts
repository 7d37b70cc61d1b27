/**
 * A consumed message → rows in the batch, or DLQ items. Never throws on input: every way a message can be bad
 * ends as a DLQ item with a reason (DESIGN: an invalid message goes to a DLQ and the partition moves on).
 *   raw.results → the platform mapper's rows + raw_records (map-raw-result.ts); per-record failures are DLQ'd one
 *                 by one. Each message is decoded and parsed once; its records' text is sliced from its bytes. A
 *                 chunk mapped at the connector edge lands its header's rows and is not parsed at all.
 *   sync.runs   → sync_runs + freshness (sync-runs.ts).
 */
import { RAW_RESULTS_TOPIC, RawResultContract } from '../../lib/contracts/raw-result.js';
import { SYNC_RUNS_TOPIC, SyncRunContract } from '../../lib/contracts/sync-run.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import { messageDlqItem, recordDlqItem, type DlqItem, type SourceMessage } from './dlq.js';
import type { ModelRegistry } from '../../lib/model/registry.js';
import { landEdgeRows, mapRawResult, type MapOptions } from './map-raw-result.js';
import type { RowBuffer } from '../../lib/model/row-buffer.js';
import { mapSyncRun } from './sync-runs.js';

/** Writes the message's rows into `out` and its failures into `dlq`. */
export type Translator = (message: SourceMessage, out: RowBuffer, dlq: DlqItem[]) => void;

export interface TranslatorOptions extends MapOptions {
  registry: ModelRegistry;
}

export function createTranslator({ registry, ...mapOptions }: TranslatorOptions): Translator {
  return (message, out, dlq) => {
    const mark = out.mark();
    try {
      if (message.topic === RAW_RESULTS_TOPIC) {
        if (landEdgeRows(registry, message, mapOptions, out)) return;
        const decoded = RawResultContract.decode(message.value);
        if (!decoded.ok) return void dlq.push(messageDlqItem(message, decoded.reason, 'CONTRACT'));
        const outcome = mapRawResult(registry, decoded.value, message.value ?? undefined, message, mapOptions, out);
        if (!outcome.ok) return void dlq.push(messageDlqItem(message, outcome.reason, outcome.errorClass, decoded.value.tenantId));
        for (const failure of outcome.failures) {
          dlq.push(recordDlqItem(message, decoded.value, failure.index, failure.reason, failure.errorClass));
        }
        return;
      }
      if (message.topic === SYNC_RUNS_TOPIC) {
        const decoded = SyncRunContract.decode(message.value);
        if (!decoded.ok) return void dlq.push(messageDlqItem(message, decoded.reason, 'CONTRACT'));
        return mapSyncRun(decoded.value, message, out);
      }
      dlq.push(messageDlqItem(message, `the sink does not read topic ${message.topic}`, 'UNEXPECTED_TOPIC'));
    } catch (error) {
      // A bug in a mapper outside its per-record guard: this message alone goes to the DLQ.
      out.rollback(mark);
      dlq.push(messageDlqItem(message, `mapping failed: ${errorMessage(error)}`, errorCode(error)));
    }
  };
}
