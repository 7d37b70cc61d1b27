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

/**
 * Blanks personal keys at any depth, in place: their values become `undefined`, which JSON leaves out, and a record
 * leaves the connector only as JSON (RawResult chunks). In place because a page brings 1,000 orders of ~7.5 KB:
 * copying every object cost more CPU than parsing the page (bench/cafe24.ts).
 */
function strip(value: object): void {
  if (Array.isArray(value)) {
    for (const entry of value) if (typeof entry === 'object' && entry !== null) strip(entry);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const entry = record[key];
    if (PERSONAL_KEYS.has(key)) {
      if (entry !== undefined) record[key] = undefined;
    } else if (typeof entry === 'object' && entry !== null) {
      strip(entry);
    }
  }
}

/**
 * The order without personal fields (set to undefined, so its JSON has none of them); a member's id replaced by its
 * hash (lib/buyer-hash.ts; '' for guests). Scrubs the given object itself and returns it: pass a copy to keep one.
 */
export function scrubOrder(order: Record<string, unknown>, hashMember: (memberId: string) => string): Record<string, unknown> {
  const memberId = typeof order.member_id === 'string' ? order.member_id : '';
  strip(order);
  order.buyer_hash = hashMember(memberId);
  return order;
}
