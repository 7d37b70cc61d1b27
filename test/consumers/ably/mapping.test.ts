/** The Ably mapper without I/O: reference-shaped records (scrubbed by the Ably privacy policy first) in, rows out. */
import assert from 'node:assert/strict';
import { ablyMapper, ablyStatus, orderStatusOf } from '../../../consumers/ably/mapping.js';
import { ablyPrivacy } from '../../../consumers/ably/privacy.js';
import { parseSettlementCsv } from '../../../consumers/ably/settlement-csv.js';
import { SchemaDriftError } from '../../../consumers/ably/seller-api.js';
import type { RecordContext } from '../../../lib/model/mapper.js';
import { personalFieldsOf, scrubRecord } from '../../../lib/model/privacy.js';
import { createModelRegistry } from '../../../lib/model/registry.js';
import { RowBuffer } from '../../../lib/model/row-buffer.js';
import type { TableName } from '../../../lib/model/tables.js';
import { epochText, timeWindow } from '../../../lib/model/values.js';

const FETCHED_MS = Date.parse('2026-11-30T01:00:00.000Z');
const ctx: RecordContext = {
  tenantId: 'tenant-a', platform: 'ably', entity: '', requestId: 'request-0001', fetchedAtMs: FETCHED_MS, fetchedAt: epochText(FETCHED_MS),
  window: timeWindow(FETCHED_MS), partition: 1, offset: 7, hashBuyer: (id) => (id ? `h-${id}` : ''), scrubbed: [],
};

function map(entity: string, record: Record<string, unknown>) {
  scrubRecord(ablyPrivacy, entity, record, (id) => `h-${id}`);
  assert.deepEqual(personalFieldsOf(ablyPrivacy, entity, record), [], 'the policy leaves nothing personal');
  const out = new RowBuffer();
  const id = ablyMapper.entities[entity]!.map(record, { ...ctx, entity }, out);
  return { id, rows: <T = Record<string, unknown>>(table: TableName) => out.rowsOf(table) as T[] };
}

const line = (sno: number, over: Record<string, unknown> = {}) => ({
  sno, order_sno: 900, ea: 2, price: 19_900, status: 'PREPARING', processing_status: 2, ordered_at: '2026-11-28 10:00:00',
  checked_at: '2026-11-28 10:01:00', goods_sno: 100_001, goods_option_sno: 10_000_101, goods_name: '린넨 셔츠', option_info: '블루 / M',
  delivery_type: 'standard', exact_amount: 37_800, exact_coupon_discount: 2_000, exact_emoney_discount: 0, pay_method_name: '카드',
  buyer_name: '홍길동', buyer_tel: '010-1234-5678', buyer_email: 'hong@example.com', receiver_name: '김철수', receiver_tel: '010-9999-0000',
  receiver_addr: '서울시 강남구', receiver_postcode: '06000', memo: '문 앞에 두세요', invoice: '123456789', user_sno: 55, ...over,
});

describe('ably mapping', () => {
  it('registers with its privacy policy covering every mapped entity', () => {
    const registry = createModelRegistry([{ platform: 'ably', mapper: ablyMapper, privacy: ablyPrivacy }]);
    assert.equal(registry.fingerprint, 'ably@1');
  });

  it('maps one grouped order: one orders row from all its lines, one order_items row per line', () => {
    const order = { order_sno: 900, ordered_at: '2026-11-28 10:00:00', buyer_key: '55', order_items: [line(1), line(2, { status: 'CANCELLED', ea: 1, exact_amount: 19_900, exact_coupon_discount: 0 })] };
    const { id, rows } = map('orders', order);
    assert.equal(id, '900');
    const [row] = rows<Record<string, unknown>>('orders');
    assert.equal(row?.order_id, '900');
    assert.equal(row?.ordered_at, `${Date.UTC(2026, 10, 28, 1, 0, 0) / 1000}.000`, 'KST wall clock');
    assert.equal(row?.item_count, 2);
    assert.equal(row?.order_amount, '59700.00');
    assert.equal(row?.discount_amount, '2000.00');
    assert.equal(row?.payment_amount, '57700.00');
    assert.equal(row?.refund_amount, '19900.00', 'the cancelled line');
    assert.equal(row?.status, 'preparing');
    assert.equal(row?.source_status, 'CANCELLED,PREPARING');
    assert.equal(row?.buyer_hash, 'h-55');
    assert.equal(row?.sales_channel, 'ably');
    const items = rows<Record<string, unknown>>('order_items');
    assert.deepEqual(items.map((i) => [i.item_id, i.product_id, i.variant_id, i.quantity, i.unit_price, i.payment_amount, i.status]), [
      ['1', '100001', '10000101', 2, '19900.00', '37800.00', 'preparing'],
      ['2', '100001', '10000101', 1, '19900.00', '19900.00', 'cancelled'],
    ]);
    const text = JSON.stringify(order);
    for (const leak of ['홍길동', '010-', 'hong@', '강남구', '06000', '문 앞', '123456789', '"user_sno"']) assert.ok(!text.includes(leak), leak);
  });

  it('rejects an order without lines and an absurd quantity', () => {
    assert.throws(() => map('orders', { order_sno: 1, order_items: [] }), /order_items/);
    assert.throws(() => map('orders', { order_sno: 1, order_items: [line(1, { ea: 10_000_000 })] }), /ea/);
  });

  it('names statuses in the shared vocabulary', () => {
    assert.equal(ablyStatus('CONFIRMED'), 'confirmed');
    assert.equal(ablyStatus(undefined, 3), 'shipping');
    assert.equal(orderStatusOf(['cancelled', 'returned']), 'returned');
    assert.equal(orderStatusOf(['delivered', 'return_requested']), 'return_requested');
    assert.equal(orderStatusOf(['confirmed', 'shipping']), 'shipping');
  });

  it('maps a return with its lines to order_claims, without the buyer\'s phone or comment', () => {
    const claim = {
      sno: 77, cancel_type: 'return', status: 'RETURN_REQUESTED', processing_sub_status: 41, cancel_received_at: '2026-11-29 09:00:00',
      order_sno: 900, buyer_tel: '010-1111-2222', receiver_name: '김철수',
      order_items: [{ sno: 1, goods_sno: 100_001, goods_name: '린넨 셔츠', ea: 1, option_info: '블루 / M', return_delivery_fee: 3000, cancel_reason: '사이즈 불만', user_comment: '너무 커요 010-3333', buyer_tel: '010-1' }],
    };
    const { id, rows } = map('order_cancels', claim);
    assert.equal(id, '77');
    const [row] = rows<Record<string, unknown>>('order_claims');
    assert.deepEqual([row?.claim_type, row?.status, row?.item_id, row?.order_id, row?.quantity, row?.return_shipping_fee, row?.reason],
      ['return', 'requested', '1', '900', 1, '3000.00', '사이즈 불만']);
    assert.ok(!JSON.stringify(claim).includes('010-'));
  });

  it('reads a settlement detail CSV (BOM, CRLF, quoted cells, columns by header) and settles from its lines', () => {
    const csv = '\uFEFF정산번호,정산기간,주문번호,주문일시,구분,상품주문번호,결제금액,판매수수료,결제수수료,쿠폰부담금,적립금부담금,정산금액,구매확정일,상품명\r\n'
      + '5,2026-10-01~2026-10-31,900,2026-10-02 10:00:00,구매확정,9001,37800,1134,1497,2000,0,37169,2026-10-09 10:00:00,"린넨 셔츠, ""블루"""\r\n'
      + '5,2026-10-01~2026-10-31,901,2026-10-03 11:00:00,구매확정,9002,"10,000",300,396,0,500,9804,2026-10-10 10:00:00,니트\r\n';
    const lines = parseSettlementCsv(csv);
    assert.deepEqual(lines.map((l) => [l.order_item_sno, l.order_sno, l.category, l.payment, l.settlement]),
      [['9001', '900', '구매확정', 37_800, 37_169], ['9002', '901', '구매확정', 10_000, 9_804]]);
    // A moved column is found by its header; a file without the settlement column is drift, not zeros.
    const moved = parseSettlementCsv('상품주문번호,비고,정산금액,결제금액,구분\n77,x,900,1000,구매확정\n');
    assert.deepEqual(moved.map((l) => [l.order_item_sno, l.payment, l.settlement]), [['77', 1000, 900]]);
    assert.throws(() => parseSettlementCsv('a,b,c\n1,2,3\n'), SchemaDriftError);

    const settlement = map('balance_accounts', { sno: 5, period_start: '2026-10-01', period_end: '2026-10-31', status: 'PAID', paid_at: '2026-11-10 00:00:00',
      sales_amount: 47_800, settlement_amount: 40_000, order_count: 9, detail_lines: lines });
    assert.deepEqual(settlement.rows<Record<string, unknown>>('settlements').map((s) => [s.order_count, s.sales_amount, s.commission_amount, s.payment_fee,
      s.adjustment_amount, s.settlement_amount, JSON.parse(String(s.extra)).amounts_from, JSON.parse(String(s.extra)).list_settlement_amount]),
    [[2, '47800.00', '1434.00', '1893.00', '2500.00', '46973.00', 'csv', '40000.00']]);
  });

  it('maps goods, option stats, settlements and reviews', () => {
    const goods = map('goods', { sno: 100_001, name: '린넨 셔츠', custom_code: 'AB-1', price: 19_900, original_price: 24_900, is_display: true, sale_status: 'ON_SALE',
      created_at: '2026-10-01 12:00:00', options: [{ sno: 1, stock: 5, use_stock: true }, { sno: 2, stock: 7, use_stock: true }, { sno: 3, stock: 9, use_stock: false }] });
    assert.deepEqual(goods.rows<Record<string, unknown>>('products').map((p) => [p.product_id, p.price, p.list_price, p.status, p.stock_quantity]),
      [['100001', '19900.00', '24900.00', 'on_sale', 12]]);
    const stats = map('goods_option_stats', { stat_date: '2026-11-29', goods_sno: 100_001, goods_option_sno: 10_000_101, view_count: 40, order_count: 3, sold_quantity: 4, sales_amount: 79_600, cart_count: 5, like_count: 2 });
    assert.equal(stats.id, '2026-11-29:100001:10000101');
    assert.deepEqual(stats.rows<Record<string, unknown>>('product_daily_stats').map((s) => [s.stat_date, s.sold_quantity, s.sales_amount, s.view_count, s.cancel_count]),
      [['2026-11-29', 4, '79600.00', 40, null]]);
    const settlement = map('balance_accounts', { sno: 5, period_start: '2026-10-01', period_end: '2026-10-15', status: 'PAID', paid_at: '2026-10-25 10:00:00',
      sales_amount: 1_000_000, commission_amount: 100_000, payment_fee: 39_600, ad_deduction: 0, adjustment: -500, settlement_amount: 859_900, order_count: 40 });
    assert.deepEqual(settlement.rows<Record<string, unknown>>('settlements').map((s) => [s.settlement_id, s.status, s.adjustment_amount, s.settlement_amount]),
      [['5', 'paid', '-500.00', '859900.00']]);
    const review = { sno: 3, contents: '재질이 좋아요', images: ['a.jpg'], status: 'VISIBLE', created_at: '2026-11-20 08:00:00', goods: { sno: 100_001, name: '린넨 셔츠' },
      rating: 5, order_item_sno: 1, writer_name: '홍*동', height: 165, weight: 50, user_sno: 55 };
    const reviews = map('reviews', review);
    assert.deepEqual(reviews.rows<Record<string, unknown>>('reviews').map((r) => [r.review_id, r.product_id, r.item_id, r.rating, r.image_count, r.content]),
      [['3', '100001', '1', 5, 1, '재질이 좋아요']]);
    assert.ok(!/홍|165|"weight"/.test(JSON.stringify(review)));
  });
});
