/**
 * Ably's privacy policy (lib/model/privacy.ts): which keys of which seller-center record describe a person
 * (reference/ably-seller-center.md a.3, a.4, b.4). The connector applies it before anything is emitted; the sink
 * asserts it. Keys match at any depth, so the order lines inside an `orders` group, the items of a cancel and the
 * `member` embed of an inquiry lose theirs too.
 *
 * Phones sit at the cancel level and at the item level (a.4), so both spellings are listed for every entity.
 * Decided stricter than the analytics need: the invoice (waybill) number tracks a parcel to a person's door, the
 * buyer's free text (memo, cancel comment) may hold anything, and a reviewer's height and weight are body data;
 * none has an analytic use here.
 */
import type { PrivacyPolicy } from '../../lib/model/privacy.js';

/** The buyer, the receiver and where the parcel goes, as order lines and claims carry them. */
const ORDER_PERSON = [
  'buyer_name', 'buyer_tel', 'buyer_phone', 'buyer_email', 'buyer', 'receiver_name', 'receiver_tel', 'receiver_phone',
  'receiver_addr', 'receiver_address', 'receiver_addr_detail', 'receiver_postcode', 'receiver_zipcode', 'receiver',
  'postcode', 'zipcode', 'address', 'addr', 'tel', 'phone', 'email', 'memo', 'delivery_memo', 'invoice', 'invoice_number',
  'member', 'member_name', 'user_name', 'user_sno', 'nickname', 'refund_account', 'refund_bank_account', 'refund_account_holder',
] as const;

/** Claims add what the buyer typed and the pickup address of a return. */
const CLAIM_PERSON = [...ORDER_PERSON, 'user_comment', 'detail_reason', 'return_addr', 'return_address', 'pickup_address', 'return_delivery'] as const;

/** A reviewer: name, account, body measurements. */
const REVIEW_PERSON = ['writer_name', 'writer', 'user_name', 'user_sno', 'nickname', 'member', 'member_name', 'height', 'weight', 'user'] as const;

export const ablyPrivacy: PrivacyPolicy = {
  platform: 'ably',
  entities: {
    // One record per order: { order_sno, buyer_key, order_items: [the API's order lines] } (entity-steps.ts);
    // buyer_key is the buyer's identity (member number, else phone digits), replaced by its salted hash.
    orders: { personal: ORDER_PERSON, buyerId: 'buyer_key' },
    order_cancels: { personal: CLAIM_PERSON },
    goods: { personal: [] },
    goods_option_stats: { personal: [] },
    balance_accounts: { personal: ['account_holder', 'account_number', 'bank_account'] },
    reviews: { personal: REVIEW_PERSON },
    contact_rooms: { personal: [...ORDER_PERSON, 'latest_message', 'messages'] },
  },
};
