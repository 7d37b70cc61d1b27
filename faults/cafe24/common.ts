/** What the Cafe24 faults share: seeded shop fleets, and how a restarted process's recovery is timed. */
import type { FaultChild } from '../harness/stage.js';
import type { FaultContext } from '../harness/fault.js';
import type { ShopSpec } from '../../simulators/cafe24/shop-spec.js';

/** `count` malls of seeded sizes (a few hundred to 1,500 orders over 180 days; every fourth with a second shop). */
export function shopsFor(ctx: FaultContext, tag: string, count: number): ShopSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    mallId: `${tag}${i}shop`, products: ctx.rng.int(60, 260), orders: ctx.rng.int(300, 1_500), shopCount: i % 4 === 3 ? 2 : 1,
  }));
}

export interface Recovery {
  /** From the spawn to the group's assignment. */
  rejoinS: number;
  /** From the spawn to its first committed output. */
  nextCommitS: number;
}

/** Times a freshly started child: `joinEvent` (its assignment), then its first `committed`. */
export async function measureRestart(child: FaultChild, joinEvent: 'joined' | 'assigned', deadlineMs = 180_000): Promise<Recovery> {
  const joined = await child.next(joinEvent, { deadlineMs });
  const committed = await child.next('committed', { deadlineMs });
  return { rejoinS: (joined.at - child.startedAt) / 1000, nextCommitS: (committed.at - child.startedAt) / 1000 };
}
