/**
 * Cafe24's model as a page thread loads it (lib/sync/page-threads.ts), for the page-thread-death fault: a thread
 * that has mapped CRASH_AFTER_RECORDS orders takes one of the death tickets the fault left in
 * PAGE_THREAD_DEATH_DIR (a rename, so each is taken once) and exits in the middle of its page. Once the tickets
 * are gone, threads map as the real model does.
 */
import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { cafe24Model } from '../../consumers/cafe24/model.js';
import type { PlatformModel } from '../../lib/model/registry.js';

export const TICKET_PREFIX = 'ticket-';
const CRASH_AFTER_RECORDS = 300;

const dir = process.env.PAGE_THREAD_DEATH_DIR;
let mapped = 0;

/** Takes a ticket, true when this thread got one. */
function takeTicket(): boolean {
  if (dir === undefined) return false;
  for (const name of readdirSync(dir).filter((n) => n.startsWith(TICKET_PREFIX))) {
    try {
      renameSync(join(dir, name), join(dir, `taken-${name}`));
      return true;
    } catch {
      // Another thread took it first.
    }
  }
  return false;
}

const orders = cafe24Model.mapper.entities.orders!;
export const dyingPageModel: PlatformModel = {
  ...cafe24Model,
  mapper: {
    ...cafe24Model.mapper,
    entities: {
      ...cafe24Model.mapper.entities,
      orders: {
        ...orders,
        map(record, ctx, out) {
          if (!isMainThread && ++mapped === CRASH_AFTER_RECORDS && takeTicket()) process.exit(9);
          return orders.map(record, ctx, out);
        },
      },
    },
  },
};
