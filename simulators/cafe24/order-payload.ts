/**
 * Orders on the wire: field names, types and formats of reference §7.1/§7.2 and the S2 field catalog.
 * T/F flags are strings, money is decimal strings, dates are KST with offset or null, a few ids are strings
 * where real responses have them so (`group_no_when_ordering: "1"`). Buyer and recipient personal data are
 * included as the real API sends them; with the canary knob (canaries.ts) each personal field holds its canary,
 * and the order carries every personal embed (buyer, receivers, a return, a cancellation and an exchange) whether
 * asked for or not, so a test proves the connector drops what it never asked for too.
 */
import { canaryOf, type PersonalValue, personalValue } from './canaries.js';
import { formatKst } from './kst.js';
import { formatMoney, formatWholeMoney } from './money.js';
import { PAYMENT_METHOD_NAMES, type OrderCore, type OrderItemCore } from './order-core.js';
import { ORDER_STATUS_TEXT, type OrderStatus, reachedAt, statusCodeOf } from './order-lifecycle.js';
import { type ItemState, type OrderAmounts, orderAmounts, type OrderState } from './order-state.js';

const dateOrNull = (ms: number | null) => (ms === null ? null : formatKst(ms));

function amountsPayload(amounts: OrderAmounts) {
  return {
    order_price_amount: formatMoney(amounts.orderPriceCents),
    shipping_fee: formatMoney(amounts.shippingFeeCents),
    points_spent_amount: formatMoney(amounts.pointsCents),
    credits_spent_amount: '0.00',
    coupon_discount_price: formatMoney(amounts.couponCents),
    coupon_shipping_fee_amount: '0.00',
    membership_discount_amount: '0.00',
    shipping_fee_discount_amount: '0.00',
    set_product_discount_amount: '0.00',
    app_discount_amount: '0.00',
    point_incentive_amount: '0.00',
    total_amount_due: formatMoney(amounts.totalDueCents),
    payment_amount: formatMoney(amounts.totalDueCents),
    market_other_discount_amount: '0.00',
    tax: null,
  };
}

export type OrderEmbed = 'items' | 'receivers' | 'buyer' | 'return' | 'cancellation' | 'exchange';
export const ORDER_EMBEDS: readonly OrderEmbed[] = ['items', 'receivers', 'buyer', 'return', 'cancellation', 'exchange'];

/** The embeds the canary knob adds to every order: all that carry personal data. */
export const CANARY_EMBEDS: readonly OrderEmbed[] = ['receivers', 'buyer', 'return', 'cancellation', 'exchange'];

export function orderPayload(core: OrderCore, state: OrderState, embed: readonly OrderEmbed[] = [], canaries = false): Record<string, unknown> {
  const { skeleton, shop, buyer } = core;
  const amounts = orderAmounts(core, state);
  const isCash = skeleton.paymentMethod === 'cash';
  const pii = personalValue(canaries, core.orderId);
  const payload: Record<string, unknown> = {
    shop_no: shop.shopNo,
    currency: shop.currency,
    order_id: core.orderId,
    market_id: 'self',
    market_order_no: null,
    member_id: pii('member_id', core.memberId ?? ''),
    member_email: pii('member_email', core.memberId ? buyer.email : ''),
    member_authentication: core.memberId ? 'T' : null,
    billing_name: pii('billing_name', buyer.name),
    bank_code: isCash ? 'bank_04' : null,
    bank_code_name: isCash ? '국민은행' : null,
    payment_method: [skeleton.paymentMethod],
    payment_method_name: [PAYMENT_METHOD_NAMES[skeleton.paymentMethod]],
    payment_gateway_names: isCash ? [] : ['KCP'],
    sub_payment_method_name: null,
    sub_payment_method_code: null,
    transaction_ids: [],
    paid: state.paid,
    canceled: state.canceled,
    order_date: formatKst(skeleton.orderDateMs),
    first_order: core.firstOrder ? 'T' : 'F',
    payment_date: dateOrNull(state.paymentDateMs),
    order_from_mobile: core.placeId === 'mobile' ? 'T' : 'F',
    use_escrow: 'F',
    group_no_when_ordering: String(core.groupNo),
    customer_group_no_when_ordering: String(core.groupNo),
    initial_order_amount: amountsPayload(amounts.initial),
    actual_order_amount: amountsPayload(amounts.actual),
    bank_account_no: pii('bank_account_no', isCash ? '123-456-789012' : null),
    bank_account_owner_name: pii('bank_account_owner_name', isCash ? '(주)셀러스트림' : null),
    market_seller_id: null,
    payment_amount: formatMoney(amounts.actual.totalDueCents),
    cancel_date: dateOrNull(state.cancelDateMs),
    order_place_name: core.placeId === 'mobile' ? '모바일웹' : 'PC쇼핑몰',
    order_place_id: core.placeId,
    payment_confirmation: null,
    commission: '0.00',
    postpay: 'F',
    admin_additional_amount: null,
    additional_shipping_fee: '0.00',
    international_shipping_insurance: '0.00',
    additional_handling_fee: '0.00',
    shipping_type: 'A',
    shipping_type_text: '국내배송',
    shipping_status: state.shippingStatus,
    wished_delivery_date: null,
    wished_delivery_time: null,
    wished_carrier_id: null,
    wished_carrier_name: null,
    return_confirmed_date: dateOrNull(firstReached(state, 'R10')),
    total_supply_price: formatWholeMoney(core.items.reduce((sum, i) => sum + i.supplyPriceCents * i.quantity, 0)),
    naver_point: 0,
    // Answers to the shop's extra order-form questions (§7.1 `additional_order_info_list`: id, name, value...).
    additional_order_info_list: canaries ? [{
      id: 1, name: '추가 요청사항', value: canaryOf('additional_order_info_list.value', core.orderId), input_type: 'T', product_type: 'A', applied_product_list: [],
    }] : [],
    store_pickup: 'F',
    easypay_name: '',
    loan_status: null,
    subscription: 'F',
    multiple_addresses: 'F',
    exchange_rate: '1.0000',
    first_payment_methods: [skeleton.paymentMethod],
    naverpay_payment_information: pii('naverpay_payment_information', null),
    include_tax: 'T',
    tax_detail: null,
    service_type: null,
    service_data: null,
    show_shipping_address: 'T',
    social_member_code: pii('social_member_code', null),
    social_name: pii('social_name', null),
    shipping_fee_detail: [{
      shipping_group_code: 1,
      supplier_code: 'S0000000',
      shipping_fee: formatMoney(core.shippingFeeCents),
      cancel_shipping_fee: '0.00',
      additional_shipping_fee: '0.00',
      refunded_shipping_fee: amounts.actual.shippingFeeCents === 0 && core.shippingFeeCents > 0
        ? formatMoney(core.shippingFeeCents) : '0.00',
      return_shipping_fee: '0.00',
      items: core.items.map((i) => i.orderItemCode),
    }],
    regional_surcharge_detail: [],
  };
  const embeds = canaries ? [...new Set([...embed, ...CANARY_EMBEDS])] : embed;
  if (embeds.includes('items')) payload.items = core.items.map((item, k) => itemPayload(core, item, state.items[k] as ItemState, state.atMs, canaries));
  if (embeds.includes('receivers')) payload.receivers = [receiverPayload(core, state, pii)];
  if (embeds.includes('buyer')) payload.buyer = buyerPayload(core, pii);
  for (const kind of ['return', 'cancellation', 'exchange'] as const) if (embeds.includes(kind)) payload[kind] = claimPayloads(core, state, kind, canaries);
  return payload;
}

function firstReached(state: OrderState, status: OrderStatus): number | null {
  const dates = state.items.map((i) => reachedAt(i.script, status, state.atMs)).filter((d): d is number => d !== null);
  return dates.length > 0 ? Math.min(...dates) : null;
}

export function itemPayload(core: OrderCore, item: OrderItemCore, itemState: ItemState, atMs: number, canaries = false): Record<string, unknown> {
  const pii = personalValue(canaries, item.orderItemCode);
  const at = (status: OrderStatus) => reachedAt(itemState.script, status, atMs);
  const shippedAt = at('N30');
  const preparedAt = at('N20');
  const claimStatus = itemState.status.startsWith('C') && itemState.status !== 'C47' && itemState.status !== 'C48'
    ? 'C' : itemState.status.startsWith('R') ? 'R' : null;
  const refundedAt = at('C40') ?? at('R40');
  const { product, variant } = item;
  return {
    shop_no: core.shop.shopNo,
    item_no: item.itemNo,
    order_item_code: item.orderItemCode,
    variant_code: variant.variantCode,
    product_no: product.productNo,
    product_code: product.productCode,
    internal_product_name: null,
    custom_product_code: '',
    custom_variant_code: '',
    eng_product_name: product.engName,
    option_id: variant.optionId,
    option_value: optionValue(variant.color[0], variant.size),
    option_value_default: optionValue(variant.color[0], variant.size),
    // What the buyer typed into a free-text option (an engraving, a message card).
    additional_option_value: pii('additional_option_value', ''),
    additional_option_values: canaries
      ? [{ key: 'engraving', name: '각인 문구', type: 'T', value: canaryOf('additional_option_values.value', item.orderItemCode) }] : [],
    product_name: product.name,
    product_name_default: product.name,
    product_price: formatMoney(item.unitPriceCents),
    option_price: formatMoney(item.optionPriceCents),
    additional_discount_price: '0.00',
    coupon_discount_price: formatMoney(item.couponCents),
    app_item_discount_amount: '0.00',
    // null unless the shop enabled automatic discount calculation (§7.2); this simulated shop has not.
    payment_amount: null,
    quantity: item.quantity,
    product_tax_type: 'A',
    tax_rate: 10,
    supplier_product_name: '',
    supplier_transaction_type: 'D',
    supplier_id: 'S0000000',
    supplier_name: '자체공급',
    tracking_no: shippedAt !== null ? `6${String(item.itemNo).padStart(11, '0')}` : null,
    shipping_code: preparedAt !== null ? core.shippingCode : null,
    claim_code: claimStatus ? `${claimStatus}${item.orderItemCode.replaceAll('-', '')}` : null,
    claim_reason_type: claimStatus === 'C' ? 'A' : claimStatus === 'R' ? 'O' : null,
    claim_reason: pii('claim_reason', claimReasonOf(claimStatus)),
    refund_bank_name: pii('refund_bank_name', null),
    refund_bank_account_no: pii('refund_bank_account_no', null),
    refund_bank_account_holder: pii('refund_bank_account_holder', null),
    post_express_flag: null,
    order_status: itemState.status,
    request_undone: null,
    order_status_additional_info: null,
    claim_quantity: claimStatus ? item.quantity : 0,
    status_code: statusCodeOf(itemState.status),
    status_text: ORDER_STATUS_TEXT[itemState.status],
    open_market_status: '',
    bundled_shipping_type: 'N',
    shipping_company_id: shippedAt !== null ? '2' : null,
    shipping_company_name: shippedAt !== null ? 'CJ대한통운' : null,
    shipping_company_code: shippedAt !== null ? '0006' : null,
    product_bundle: 'F',
    product_bundle_no: '0',
    product_bundle_name: null,
    product_bundle_name_default: null,
    product_bundle_type: null,
    was_product_bundle: null,
    original_bundle_item_no: null,
    naver_pay_order_id: null,
    naver_pay_claim_status: null,
    individual_shipping_fee: '0.00',
    shipping_fee_type: 'X',
    shipping_fee_type_text: '기본배송',
    shipping_payment_option: 'P',
    payment_info_id: null,
    original_item_no: [],
    store_pickup: 'F',
    ordered_date: formatKst(core.skeleton.orderDateMs),
    shipped_date: dateOrNull(shippedAt),
    delivered_date: dateOrNull(at('N40')),
    purchaseconfirmation_date: dateOrNull(at('N50')),
    cancel_date: dateOrNull(at('C40') ?? at('C47') ?? at('C48')),
    return_confirmed_date: dateOrNull(at('R10')),
    return_request_date: dateOrNull(at('R00')),
    return_collected_date: dateOrNull(at('R20')),
    cancel_request_date: dateOrNull(at('C00')),
    refund_date: dateOrNull(refundedAt),
    exchange_request_date: null,
    exchange_date: null,
    product_material: null,
    product_material_eng: null,
    cloth_fabric: null,
    product_weight: '1.00',
    volume_size: null,
    volume_size_weight: null,
    clearance_category: null,
    clearance_category_info: null,
    clearance_category_code: null,
    hs_code: '',
    one_plus_n_event: null,
    origin_place: '국내',
    origin_place_no: null,
    made_in_code: 'KR',
    origin_place_value: '',
    gift: 'F',
    item_granting_gift: null,
    subscription: 'F',
    product_bundle_list: null,
    market_cancel_request: null,
    market_cancel_request_quantity: null,
    market_fail_reason: null,
    market_fail_reason_guide: null,
    market_fail_reason_type: null,
    market_item_no: null,
    market_custom_variant_code: null,
    option_type: 'T',
    options: [
      { option_code: 'O000000A', option_name: '색상', option_value: { option_text: variant.color[0] } },
      { option_code: 'O000000B', option_name: '사이즈', option_value: { option_text: variant.size } },
    ],
    market_discount_amount: '0.00',
    labels: [],
    order_status_before_cs: null,
    supply_price: formatMoney(item.supplyPriceCents),
    multi_invoice: null,
    shipping_expected_date: null,
    order_id: core.orderId,
    claim_type: claimStatus,
    claim_status: claimStatus ? 'T' : null,
  };
}

const optionValue = (color: string, size: string) => `색상=${color}, 사이즈=${size}`;

const claimReasonOf = (claimStatus: 'C' | 'R' | null) => (claimStatus === 'C' ? '단순 변심' : claimStatus === 'R' ? '사이즈가 맞지 않음' : null);

function receiverPayload(core: OrderCore, state: OrderState, pii: PersonalValue) {
  const { receiver } = core;
  return {
    shop_no: core.shop.shopNo,
    name: pii('receivers.name', receiver.name),
    name_furigana: pii('receivers.name_furigana', ''),
    phone: pii('receivers.phone', receiver.phone),
    cellphone: pii('receivers.cellphone', receiver.cellphone),
    virtual_phone_no: pii('receivers.virtual_phone_no', null),
    zipcode: pii('receivers.zipcode', receiver.zipcode),
    address1: pii('receivers.address1', receiver.address1),
    address2: pii('receivers.address2', receiver.address2),
    address_state: pii('receivers.address_state', null),
    address_city: pii('receivers.address_city', null),
    address_street: pii('receivers.address_street', null),
    address_full: pii('receivers.address_full', `${receiver.address1} ${receiver.address2}`),
    name_en: pii('receivers.name_en', ''),
    city_en: pii('receivers.city_en', ''),
    state_en: pii('receivers.state_en', ''),
    street_en: pii('receivers.street_en', ''),
    country_code: 'KR',
    country_name: '대한민국',
    country_name_en: 'Republic of Korea',
    shipping_message: pii('receivers.shipping_message', core.shippingMessage),
    clearance_information_type: null,
    clearance_information: pii('receivers.clearance_information', null),
    wished_delivery_date: null,
    wished_delivery_time: null,
    shipping_code: state.items.some((i) => reachedAt(i.script, 'N20', state.atMs) !== null) ? core.shippingCode : null,
  };
}

function buyerPayload(core: OrderCore, pii: PersonalValue) {
  const { buyer } = core;
  return {
    shop_no: core.shop.shopNo,
    member_id: pii('buyer.member_id', core.memberId ?? ''),
    member_group_no: core.groupNo,
    name: pii('buyer.name', buyer.name),
    names_furigana: pii('buyer.names_furigana', ''),
    email: pii('buyer.email', buyer.email),
    phone: pii('buyer.phone', buyer.phone),
    cellphone: pii('buyer.cellphone', buyer.cellphone),
    customer_notification: null,
    updated_date: null,
    user_id: pii('buyer.user_id', null),
    user_name: pii('buyer.user_name', null),
    company_name: pii('buyer.company_name', null),
    company_registration_no: pii('buyer.company_registration_no', null),
    buyer_zipcode: pii('buyer.buyer_zipcode', buyer.zipcode),
    buyer_address1: pii('buyer.buyer_address1', buyer.address1),
    buyer_address2: pii('buyer.buyer_address2', buyer.address2),
  };
}

type ClaimKind = 'return' | 'cancellation' | 'exchange';
const CLAIM_PREFIX: Record<ClaimKind, string> = { cancellation: 'C', return: 'R', exchange: 'E' };

/**
 * The claim embeds (Cafe24's cancellation, return and exchange resources): one claim per claimed item, from
 * its status (exchanges are not simulated, so that embed is empty). With canaries, an order without such a
 * claim gets one over its first item, so every embed carries its personal fields: reasons typed by the buyer or
 * the admin, the refund account, the pickup address, the exchange's recipient and extra payment.
 */
function claimPayloads(core: OrderCore, state: OrderState, kind: ClaimKind, canaries: boolean): Record<string, unknown>[] {
  const prefix = CLAIM_PREFIX[kind];
  const claimed = core.items.filter((_, k) => {
    const status = (state.items[k] as ItemState).status;
    return status.startsWith(prefix) && status !== 'C47' && status !== 'C48';
  });
  const items = claimed.length > 0 ? claimed : canaries && core.items[0] ? [core.items[0]] : [];
  return items.map((item) => claimPayload(core, item, kind, canaries));
}

function claimPayload(core: OrderCore, item: OrderItemCore, kind: ClaimKind, canaries: boolean): Record<string, unknown> {
  const claimCode = `${CLAIM_PREFIX[kind]}${item.orderItemCode.replaceAll('-', '')}`;
  const pii = personalValue(canaries, claimCode);
  const at = (field: string) => `${kind}.${field}`;
  const { receiver, buyer } = core;
  const refund = formatMoney(item.unitPriceCents * item.quantity);
  const claim: Record<string, unknown> = {
    shop_no: core.shop.shopNo,
    order_id: core.orderId,
    claim_code: claimCode,
    claim_reason_type: kind === 'cancellation' ? 'A' : 'E',
    claim_reason: pii(at('claim_reason'), claimReasonOf(kind === 'cancellation' ? 'C' : 'R')),
    refund_methods: ['card'],
    refund_reason: pii(at('refund_reason'), ''),
    order_price_amount: refund,
    refund_amounts: [{ payment_method: 'card', amount: refund }],
    shipping_fee: '0.00',
    return_ship_type: null,
    undone: 'F',
    undone_reason_type: null,
    undone_reason: pii(at('undone_reason'), null),
    expose_order_detail: 'F',
    exposed_undone_reason: pii(at('exposed_undone_reason'), null),
    items: [{ order_item_code: item.orderItemCode, quantity: item.quantity }],
    include_tax: 'T',
    tax: null,
    cancel_fee_amount: '0.00',
    status: kind === 'cancellation' ? 'canceled' : kind === 'return' ? 'returned' : 'accept',
    recover_inventory: 'T',
    refund_bank_code: null,
    refund_bank_name: pii(at('refund_bank_name'), null),
    refund_bank_account_no: pii(at('refund_bank_account_no'), null),
    refund_bank_account_holder: pii(at('refund_bank_account_holder'), null),
  };
  if (kind === 'return') {
    Object.assign(claim, {
      claim_due_date: null,
      pickup: {
        name: pii(at('pickup.name'), receiver.name), phone: pii(at('pickup.phone'), receiver.phone),
        cellphone: pii(at('pickup.cellphone'), receiver.cellphone), zipcode: pii(at('pickup.zipcode'), receiver.zipcode),
        address1: pii(at('pickup.address1'), receiver.address1), address2: pii(at('pickup.address2'), receiver.address2),
      },
      return_invoice_no: null,
      return_shipping_company_name: null,
      pickup_request_state: 'E',
      request_pickup: 'T',
      pickup_completed: 'T',
    });
  }
  if (kind === 'exchange') {
    const person = (block: string) => ({
      name: pii(at(`${block}.name`), receiver.name), phone: pii(at(`${block}.phone`), receiver.phone),
      cellphone: pii(at(`${block}.cellphone`), receiver.cellphone), zipcode: pii(at(`${block}.zipcode`), receiver.zipcode),
      address: pii(at(`${block}.address`), `${receiver.address1} ${receiver.address2}`),
      shipping_message: pii(at(`${block}.shipping_message`), core.shippingMessage),
    });
    Object.assign(claim, {
      claim_due_date: null,
      receiver: person('receiver'),
      reshipping_detail: person('reshipping_detail'),
      pickup: {
        use_pickup: 'T', same_address: 'T', name: pii(at('pickup.name'), receiver.name), phone: pii(at('pickup.phone'), receiver.phone),
        cellphone: pii(at('pickup.cellphone'), receiver.cellphone), zipcode: pii(at('pickup.zipcode'), receiver.zipcode),
        address: pii(at('pickup.address'), `${receiver.address1} ${receiver.address2}`),
      },
      additional_payment: {
        payment_amount: '0.00', payment_method: 'cash', billing_name: pii(at('additional_payment.billing_name'), buyer.name),
        // `bank_accout_no` (sic) is how the exchange resource spells it.
        bank_name: null, bank_accout_no: pii(at('additional_payment.bank_accout_no'), null),
        bank_account_owner_name: pii(at('additional_payment.bank_account_owner_name'), null),
      },
      return_invoice_no: null,
      return_shipping_company_name: null,
      exchanged_items: [],
    });
  }
  return claim;
}
