/**
 * The Ably connector: for one tenant (one seller account), a session (login.ts: reused, restored or logged in),
 * then the entity steps (entity-steps.ts) over the JSON API, every record scrubbed by the privacy policy before it
 * is emitted. Around every call:
 *   - the platform's circuit breaker: while it is open the job is handed back with the time left, so a block
 *     storm pauses every Ably job instead of each one burning its retries;
 *   - a refused token (401): the session is retired and the call repeated once with a new one;
 *   - a soft block: the session is marked bad and retired (the next job logs in afresh), the breaker counts it,
 *     and the job is retried after the cool-down (SoftBlockedError is a RateLimitedError);
 *   - a short 429 is waited out (the pacer holds the account for its Retry-After); a long one hands the job back;
 *   - an error inside a 200 or a page without its list: fetched once more, then the job fails;
 *   - schema drift (a page without its list after the second fetch, a record without a field the mapping reads):
 *     the job fails for good with the evidence stored and its path in the run (drift.ts); nothing is emitted.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBuyerHasher } from '../../lib/buyer-hash.js';
import { RateLimitedError } from '../../lib/errors.js';
import { scrubRecord } from '../../lib/model/privacy.js';
import type { SyncRequest } from '../../lib/contracts/sync-request.js';
import type { Connector, ConnectorContext, ConnectorResult } from '../../lib/sync/connector.js';
import { BreakerOpenError, type CircuitBreaker } from './circuit-breaker.js';
import {
  syncBalanceAccounts, syncCancels, syncGoods, syncOptionStats, syncOrders, syncReviews, type StepContext, type StepResult,
} from './entity-steps.js';
import { findDrift, SchemaDriftFailure, storeEvidence } from './drift.js';
import type { SessionProvider } from './login.js';
import { ablyPrivacy } from './privacy.js';
import { ErrorIn200Error, SchemaDriftError, SoftBlockedError, TokenRejectedError, type SellerApi } from './seller-api.js';

export const ABLY_ENTITIES = ['orders', 'order_cancels', 'goods', 'goods_option_stats', 'balance_accounts', 'reviews'] as const;

export interface AblyConnectorOptions {
  api: SellerApi;
  sessions: SessionProvider;
  breaker: CircuitBreaker;
  buyerHashSalt: string;
  /** @default 7 */ lookbackDays?: number;
  /** @default 90 */ initialDays?: number;
  /** The clock date ranges are computed on (the simulator's in tests). */
  now?: () => number;
  /** Where the evidence of a drift goes. @default os tmp `ably-evidence` */
  evidenceDir?: string;
}

const SHORT_THROTTLE_MS = 5_000;
const MAX_THROTTLED = 10;

function readCursor(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const isoKst = (ms: number) => `${new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;

/** A drift as the job's final error: the evidence written, its path in the message (so in the run). */
async function withEvidence(error: unknown, evidenceDir: string, tenantId: string, entity: string): Promise<unknown> {
  if (!(error instanceof SchemaDriftError || error instanceof SchemaDriftFailure)) return error;
  const path = await storeEvidence(evidenceDir, tenantId, 'schema-drift', { entity, message: error.message, ...error.context });
  return new SchemaDriftFailure(`${error.message}; evidence ${path}`, { cause: error, context: { ...error.context, evidence: path } });
}

export function createAblyConnector({
  api, sessions, breaker, buyerHashSalt, lookbackDays = 7, initialDays = 90, now = Date.now, evidenceDir = join(tmpdir(), 'ably-evidence'),
}: AblyConnectorOptions): Connector {
  const hashBuyer = createBuyerHasher(buyerHashSalt);
  return {
    platform: 'ably',
    async sync(request: SyncRequest, cursors: Readonly<Record<string, string>>, ctx: ConnectorContext): Promise<ConnectorResult> {
      const tenantId = request.tenantId;
      const gate = breaker.allow();
      if (!gate.ok) throw new BreakerOpenError(gate.retryAfterMs);
      let probe = gate.probe;
      // A blocked login counts like a blocked call: in a storm most jobs of fresh sellers fail right here.
      let session = await sessions.acquire(tenantId, ctx.signal).catch((error: unknown) => {
        if (error instanceof SoftBlockedError) breaker.record('blocked', probe);
        else if (probe) breaker.record('ok', true);
        throw error;
      });
      session.use();

      /** One call with the session, through the breaker's bookkeeping and the retry rules above. */
      async function call<T>(send: (token: string) => Promise<T>): Promise<T> {
        let renewed = false, refetched = false, throttled = 0;
        for (;;) {
          try {
            const result = await send(session.token);
            session.markGood();
            breaker.record('ok', probe);
            probe = false;
            return result;
          } catch (error) {
            if (error instanceof SoftBlockedError) {
              session.markBad();
              session.retire();
              breaker.record('blocked', probe);
              throw error;
            }
            if (error instanceof TokenRejectedError && !renewed) {
              renewed = true;
              session = await sessions.renew(session, ctx.signal);
              continue;
            }
            if (error instanceof RateLimitedError && error.retryAfterMs <= SHORT_THROTTLE_MS && throttled < MAX_THROTTLED) {
              throttled += 1;
              continue;
            }
            if ((error instanceof ErrorIn200Error || error instanceof SchemaDriftError) && !refetched) {
              refetched = true;
              ctx.log.warn({ err: error, evidence: error.context }, 'unexpected Ably answer; fetching it once more');
              continue;
            }
            if (probe) breaker.record('ok', probe);
            probe = false;
            throw error;
          }
        }
      }

      const step: StepContext = {
        get: (path, query) => call((token) => api.get(tenantId, token, path, query, ctx.signal)),
        post: (path, body) => call((token) => api.post(tenantId, token, path, body, ctx.signal)),
        text: (path) => call((token) => api.text(tenantId, token, path, ctx.signal)),
        emit(entity, records) {
          for (const record of records) scrubRecord(ablyPrivacy, entity, record, (id) => hashBuyer('ably', tenantId, id));
          const drift = findDrift(entity, records);
          if (drift) {
            throw new SchemaDriftFailure(`ably ${tenantId} ${entity}: expected field ${drift.missing.join(', ')} missing (schema drift)`, {
              context: { missing: drift.missing, record: JSON.stringify(drift.record).slice(0, 2000) },
            });
          }
          ctx.emit(entity, records);
        },
        shouldYield: ctx.shouldYield,
        now,
        lookbackDays,
        initialDays,
        ...(request.since ? { sinceMs: Date.parse(request.since) } : {}),
      };

      const wanted = new Set<string>(request.entities ?? ABLY_ENTITIES);
      const next: Record<string, string> = {};
      const dataAsOf: Record<string, string> = {};
      const startedAt = now();
      let goods: number[] | undefined;
      /** In a continuation, an entity an earlier job of the same sync finished is passed through, not synced again. */
      const finishedEarlier = (entity: string) => {
        const text = request.reason === 'continuation' ? request.cursor?.[entity] : undefined;
        return text !== undefined && readCursor(text).pending === undefined && readCursor(text).next === undefined ? text : undefined;
      };
      const steps: [string, (cursor: Record<string, unknown>) => Promise<StepResult>][] = [
        ['orders', (c) => syncOrders(step, c)],
        ['order_cancels', (c) => syncCancels(step, c)],
        ['goods', async () => { const r = await syncGoods(step); goods = r.goods; return r; }],
        ['goods_option_stats', async (c) => {
          goods ??= (await syncGoods({ ...step, emit: () => undefined })).goods;
          return syncOptionStats(step, c, goods);
        }],
        ['balance_accounts', (c) => syncBalanceAccounts(step, c)],
        ['reviews', (c) => syncReviews(step, c)],
      ];
      for (const [entity, run] of steps) {
        if (!wanted.has(entity)) continue;
        const finished = finishedEarlier(entity);
        if (finished !== undefined) {
          next[entity] = finished;
          continue;
        }
        const result = await run(readCursor(cursors[entity])).catch(async (error: unknown) => {
          throw await withEvidence(error, evidenceDir, tenantId, entity);
        });
        next[entity] = JSON.stringify(result.cursor);
        if (!result.done) return { cursors: next, done: false, dataAsOf };
        dataAsOf[entity] = isoKst(startedAt);
      }
      if (probe) breaker.record('ok', true);
      return { cursors: next, done: true, dataAsOf };
    },
  };
}
