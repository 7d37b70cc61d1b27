/**
 * `/__sim/` routes: the programmatic API over HTTP, for manual use of the CLI and for processes that cannot
 * import the simulator. Not part of the Cafe24 API; nothing under it exists in production.
 *
 *   GET  /__sim/malls                              mall ids
 *   POST /__sim/malls/{mall}/tokens                install the app: the token response body
 *   POST /__sim/malls/{mall}/revoke                revoke every token of the mall
 *   POST /__sim/malls/{mall}/expire-tokens         expire the mall's access tokens now
 *   GET  /__sim/malls/{mall}/stats                 calls, statuses, 429s, refreshes
 *   GET  /__sim/malls/{mall}/expected-counts?since=&until=&date_type=&shop_no=
 *   PUT  /__sim/malls/{mall}/faults   (JSON body)  merge fault knobs for the mall ('*' for all malls)
 *   DELETE /__sim/malls/{mall}/faults              clear them
 *   POST /__sim/clock/advance?ms=N                 when the simulator runs on a manual clock
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ManualClock } from './clock.js';
import { readBody, sendJson } from './http-io.js';
import type { OrderDateType } from './order-state.js';
import type { Cafe24Simulator } from './simulator.js';

export function controlRoutes(sim: Cafe24Simulator) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const parts = url.pathname.split('/').filter(Boolean).slice(1);
    const method = req.method ?? 'GET';
    try {
      if (parts[0] === 'malls' && parts.length === 1 && method === 'GET') return sendJson(res, 200, { malls: sim.mallIds() });
      if (parts[0] === 'clock' && parts[1] === 'advance' && method === 'POST') {
        const clock = sim.clock as Partial<ManualClock>;
        if (typeof clock.advance !== 'function') return sendJson(res, 409, { error: 'the simulator is not on a manual clock' });
        clock.advance(Number(url.searchParams.get('ms') ?? '0'));
        return sendJson(res, 200, { now: new Date(sim.clock.now()).toISOString() });
      }
      if (parts[0] === 'malls' && parts[1] && parts.length === 3) {
        const mallId = decodeURIComponent(parts[1]);
        const action = parts[2];
        if (action === 'tokens' && method === 'POST') return sendJson(res, 200, (await sim.issueTokens(mallId)).response);
        if (action === 'revoke' && method === 'POST') { sim.revoke(mallId); return sendJson(res, 200, { revoked: mallId }); }
        if (action === 'expire-tokens' && method === 'POST') { sim.expireAccessTokens(mallId); return sendJson(res, 200, { expired: mallId }); }
        if (action === 'stats' && method === 'GET') return sendJson(res, 200, sim.stats(mallId));
        if (action === 'expected-counts' && method === 'GET') {
          const q = url.searchParams;
          return sendJson(res, 200, sim.expectedCounts(mallId, {
            since: q.get('since') ?? undefined,
            until: q.get('until') ?? undefined,
            dateType: (q.get('date_type') ?? undefined) as OrderDateType | undefined,
            shopNo: q.has('shop_no') ? Number(q.get('shop_no')) : undefined,
          }));
        }
        if (action === 'faults' && method === 'PUT') {
          sim.faults.set(mallId, JSON.parse(await readBody(req)));
          return sendJson(res, 200, sim.faults.get(mallId === '*' ? '' : mallId));
        }
        if (action === 'faults' && method === 'DELETE') { sim.faults.clear(mallId); return sendJson(res, 200, { cleared: mallId }); }
      }
      sendJson(res, 404, { error: `no control route ${method} ${url.pathname}` });
    } catch (error) {
      sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
