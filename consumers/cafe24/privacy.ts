/**
 * Cafe24's privacy policy (lib/model/privacy.ts): which keys of which Admin API entity describe a person
 * (reference/cafe24-admin-api.md §7.1, §7.2, §7.7, with the field lists of the Admin API's order, cancellation,
 * return, exchange and customersprivacy resources). The connector applies it before a record is emitted; the
 * sink asserts it. Keys match at any depth, so the `buyer`, `receivers`, `return`, `cancellation` and `exchange`
 * embeds lose their personal fields too (or are removed whole). test/privacy/canaries.test.ts proves it with a
 * canary in every one of these fields.
 *
 * Decided stricter than the analytics need: `bank_account_no` and `bank_account_owner_name` are the shop's own
 * deposit account for cash orders, not the buyer's, but an account number has no analytic use, so it goes too.
 */
import type { PrivacyPolicy } from '../../lib/model/privacy.js';

/** Names, contacts, addresses, bank accounts and free text of the buyer and the recipients, at any depth. */
const PERSON = [
  // the orderer (order level and the `buyer` embed)
  'member_email', 'billing_name', 'buyer', 'buyer_name', 'buyer_email', 'buyer_phone', 'buyer_cellphone',
  'name', 'name_furigana', 'name_en', 'phone', 'cellphone', 'email', 'customer_name',
  // recipients (the `receivers` embed; an exchange's `receiver`, `reshipping_detail` and a claim's `pickup`) and addresses
  'receivers', 'receiver', 'reshipping_detail', 'pickup', 'receiver_name', 'receiver_phone', 'receiver_cellphone',
  'virtual_phone_no', 'zipcode', 'address', 'address1', 'address2', 'address_full', 'address_city', 'address_state',
  'address_street', 'shipping_message',
  // social login and marketplace identities
  'social_name', 'social_member_code',
  // money that identifies a person
  // (`bank_accout_no` sic: how an exchange's `additional_payment` spells it)
  'bank_account_no', 'bank_accout_no', 'bank_account_owner_name', 'depositor_name', 'refund_bank_name',
  'refund_bank_account_no', 'refund_bank_account_holder',
  // free text a buyer or the shop typed about the buyer (claim, refund and withdrawal reasons), and payment-provider
  // personal blocks
  'claim_reason', 'claim_reason_type_text', 'refund_reason', 'undone_reason', 'exposed_undone_reason',
  'additional_option_value', 'additional_option_values', 'additional_order_info_list', 'naverpay_payment_information',
] as const;

/** A member record (`customersprivacy`, `customers`): everything but its numbers, dates and group. */
const MEMBER = [
  ...PERSON, 'name_english', 'name_phonetic', 'city', 'state', 'birthday', 'solar_calendar', 'gender', 'nick_name',
  'recommend_id', 'residence', 'interest', 'job', 'job_class', 'corporate_name', 'nationality', 'wedding_anniversary',
  'sns_list', 'additional_information', 'lifetime_member', 'refund_bank_code',
] as const;

export const cafe24Privacy: PrivacyPolicy = {
  platform: 'cafe24',
  entities: {
    orders: { personal: PERSON, buyerId: 'member_id' },
    customers: { personal: MEMBER, buyerId: 'member_id' },
    products: { personal: [] },
    categories: { personal: [] },
    productsales: { personal: [] },
    salesvolume: { personal: [] },
    hourlysales: { personal: [] },
    dailysales: { personal: [] },
    monthlysales: { personal: [] },
  },
};
