/**
 * Noticing that the seller center changed under us, and keeping the proof. Its private API and SPA change
 * without notice (a backend release renames a field, a redesign renames the login form's inputs); a job that
 * went on would store nulls or log in nowhere. So the job fails for good (a deploy fixes it, a retry cannot), and
 * what it saw is written to the evidence directory, its path in the error message and so in the run
 * (`sync_runs.error_message`), where an operator finds it:
 *   - schema drift: an expected field is missing from a record (EXPECTED_FIELDS) or a page lacks its list; the
 *     evidence is the offending record, already scrubbed by the privacy policy, or the keys the page did have;
 *   - layout drift: the login page lacks its form; the evidence is the page's URL and text, and a screenshot.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NonRetriableError } from '../../lib/errors.js';
import { traceIdOf } from '../../lib/kafka/headers.js';

/** The fields each emitted record must carry for its mapping (mapping.ts, mapping-catalog.ts); `orders` are checked per line. */
export const EXPECTED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  orders: ['sno', 'order_sno', 'goods_sno', 'ordered_at'],
  order_cancels: ['sno', 'cancel_received_at'],
  goods: ['sno', 'name'],
  goods_option_stats: ['goods_sno', 'stat_date', 'sold_quantity'],
  balance_accounts: ['sno', 'settlement_amount'],
  reviews: ['sno', 'contents', 'created_at'],
};

/** The API's answers no longer hold what the mapping reads. */
export class SchemaDriftFailure extends NonRetriableError {
  override readonly code: string = 'SCHEMA_DRIFT';
}

/** The web app's pages no longer have the elements the browser login works with. */
export class LayoutDriftError extends NonRetriableError {
  override readonly code: string = 'LAYOUT_DRIFT';
}

/** The first record of `entity` missing an expected field, with the fields it misses; undefined when all are whole. */
export function findDrift(entity: string, records: readonly Record<string, unknown>[]): { record: Record<string, unknown>; missing: string[] } | undefined {
  const expected = EXPECTED_FIELDS[entity];
  if (!expected) return undefined;
  for (const record of records) {
    const rows = entity === 'orders' && Array.isArray(record.order_items) ? (record.order_items as Record<string, unknown>[]) : [record];
    for (const row of rows) {
      const missing = expected.filter((field) => row[field] === undefined);
      if (missing.length > 0) return { record: row, missing };
    }
  }
  return undefined;
}

/**
 * Writes one piece of evidence as JSON into `dir` and returns its path. It names the trace of the job it is
 * written in (`traceId`, when traced), so the file (and the screenshot it lists) leads to the job's spans.
 */
export async function storeEvidence(dir: string, tenantId: string, kind: string, evidence: Record<string, unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${tenantId.replace(/[^\w.-]/g, '_')}-${kind}-${Date.now()}-${randomBytes(3).toString('hex')}.json`);
  const traceId = traceIdOf();
  await writeFile(path, `${JSON.stringify({ tenantId, kind, at: new Date().toISOString(), ...(traceId ? { traceId } : {}), ...evidence }, null, 2)}\n`);
  return path;
}
