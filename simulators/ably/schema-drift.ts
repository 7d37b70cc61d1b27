/**
 * The schema-drift knob: one field per entity renamed (`rename`) or dropped (`missing`) in API payloads, the
 * way a backend release silently changes a private API. A consumer must notice the expected field is gone and
 * fail with the evidence, not store nulls.
 */
import type { SchemaDrift } from './knobs.js';

export const DRIFTED_FIELDS = {
  order_item: ['ordered_at', 'order_date'],
  order_cancel: ['cancel_received_at', 'received_at'],
  goods: ['name', 'goods_name'],
  option_stat: ['sold_quantity', 'sold_count'],
  settlement: ['settlement_amount', 'settle_amount'],
  review: ['contents', 'content'],
} as const;

export type DriftEntity = keyof typeof DRIFTED_FIELDS;

export function drift<T extends object>(entity: DriftEntity, record: T, mode: SchemaDrift): T {
  if (!mode) return record;
  const [from, to] = DRIFTED_FIELDS[entity];
  const copy = { ...record } as Record<string, unknown>;
  const value = copy[from];
  delete copy[from];
  if (mode === 'rename') copy[to] = value;
  return copy as unknown as T;
}
