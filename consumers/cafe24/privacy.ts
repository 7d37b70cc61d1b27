/**
 * Buyer personal data never leaves the connector: names, phones, e-mails and addresses are removed from every
 * record before it is emitted (so not even raw_records or Kafka hold them), and the buyer's member id becomes a
 * salted, stable hash (`buyer_hash`), enough to count repeat buyers and nothing more.
 */

/** Keys holding a person's identity, at any depth of an order (Cafe24 order, item, receiver and buyer fields). */
const PERSONAL_KEYS = new Set([
  'member_id', 'member_email', 'billing_name', 'buyer', 'receivers', 'buyer_name', 'buyer_email', 'buyer_phone',
  'buyer_cellphone', 'name', 'name_furigana', 'phone', 'cellphone', 'virtual_phone_no', 'email', 'zipcode',
  'address1', 'address2', 'address_full', 'address_city', 'address_state', 'address_street', 'shipping_message',
  'refund_bank_account_no', 'refund_bank_account_holder', 'bank_account_no', 'depositor_name', 'customer_name',
]);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (!PERSONAL_KEYS.has(key)) out[key] = strip(entry);
  return out;
}

/** The order without personal fields; a member's id replaced by its hash (lib/buyer-hash.ts; '' for guests). */
export function scrubOrder(order: Record<string, unknown>, hashMember: (memberId: string) => string): Record<string, unknown> {
  const memberId = typeof order.member_id === 'string' ? order.member_id : '';
  const scrubbed = strip(order) as Record<string, unknown>;
  scrubbed.buyer_hash = hashMember(memberId);
  return scrubbed;
}
