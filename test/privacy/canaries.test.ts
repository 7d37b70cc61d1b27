/**
 * Canaries (issue 8): both simulators put a unique `CANARY-<field>-<id>` into every personal field the references
 * describe (Cafe24 orders with their items, buyer, receivers and claim embeds, refund banks and payment blocks;
 * Ably order items, cancels and returns, reviews). Tenants of both platforms sync through the real consumer
 * groups and the sink into the embedded engine; then EVERY topic of the test's prefix (read uncommitted, so an
 * aborted transaction's records count too) and EVERY column of EVERY table of the database hold no "CANARY".
 * It can fail: the simulators are shown to serve canaries, the scanner is shown to find one, and a RawResult
 * that still carries personal fields (a connector that forgot its policy) is scrubbed and flagged by the sink.
 * The entities neither simulator serves (Cafe24 members, Ably exchanges and inquiries) are checked against the
 * policy alone, with the reference's field lists.
 */
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { createAblyConsumer } from '../../consumers/ably/ably-consumer.js';
import type { AblySecret } from '../../consumers/ably/login.js';
import { ablyPrivacy } from '../../consumers/ably/privacy.js';
import { createCafe24Consumer } from '../../consumers/cafe24/cafe24-consumer.js';
import { cafe24Privacy } from '../../consumers/cafe24/privacy.js';
import { platformModels } from '../../consumers/platforms.js';
import { createSink } from '../../consumers/sink/sink.js';
import { encodeRawResultChunks, RAW_RESULTS_TOPIC } from '../../lib/contracts/raw-result.js';
import { createPublisher, type Publisher } from '../../lib/kafka/publisher.js';
import { personalFieldsOf, scrubRecord } from '../../lib/model/privacy.js';
import { createKeyring, generateKeySpec } from '../../lib/secrets.js';
import { waitFor } from '../../lib/wait-for.js';
import { migrate } from '../../lib/warehouse/migrate.js';
import type { Warehouse } from '../../lib/warehouse/warehouse.js';
import { buildSyncRequest, publishSyncRequests } from '../../producers/sync-requests.js';
import { connectCafe24 } from '../../producers/tenant-admin.js';
import { startAblySimulator, type AblySimulator } from '../../simulators/ably/simulator.js';
import { CANARY, canaryOf } from '../../simulators/cafe24/canaries.js';
import { startCafe24Simulator, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';
import { cafe24Settings } from '../helpers/cafe24.js';
import { drainTopic, testKafka, testLogger, uniqueName, type TestKafka } from '../helpers/kafka.js';
import { disposeTestWarehouse, testWarehouse } from '../helpers/warehouse.js';

const SHOPS = [{ mallId: 'canaryone', products: 12, orders: 120 }, { mallId: 'canarytwo', products: 8, orders: 80, shopCount: 2 }];
const SELLERS = [
  { sellerId: 'canary-a', loginMode: 'api' as const, goods: 4, historyDays: 40 },
  { sellerId: 'canary-b', loginMode: 'api' as const, goods: 3, historyDays: 40 },
];
const FAST = [{ ratePerSec: 500, burst: 1000 }];
const tenantOf = (id: string) => `t-${id}`;
const hasCanary = (bytes: Buffer | string | null | undefined) => bytes != null && bytes.toString().includes(CANARY);
/** The field a canary names (`CANARY-<field>-<id>`; field names are lower case with dots and underscores). */
const CANARY_FIELD = /CANARY-([a-z_.]+)-/g;
const canaryFields = (text: string) => [...text.matchAll(CANARY_FIELD)].map((m) => m[1] as string);

/** Every column of every table of the database holding "CANARY" somewhere: `table.column` → `N row(s): fields`. */
async function canaryHits(warehouse: Warehouse): Promise<Record<string, string>> {
  const columns = await warehouse.query<{ table: string; name: string }>(
    `SELECT table, name FROM system.columns WHERE database = {db:String} AND table IN
       (SELECT name FROM system.tables WHERE database = {db:String} AND NOT is_temporary) ORDER BY table, position`,
    { db: warehouse.database });
  const byTable = new Map<string, string[]>();
  for (const { table, name } of columns) byTable.set(table, [...(byTable.get(table) ?? []), name]);
  const hits: Record<string, string> = {};
  for (const [table, names] of byTable) {
    const from = `\`${warehouse.database}\`.\`${table}\``;
    const counts = names.map((n, i) => `countIf(position(toString(\`${n}\`), '${CANARY}') > 0) AS c${i}`).join(', ');
    const [row] = await warehouse.query<Record<string, string>>(`SELECT ${counts} FROM ${from}`);
    for (const [i, name] of names.entries()) {
      const rows = Number(row?.[`c${i}`]);
      if (rows === 0) continue;
      const [found] = await warehouse.query<{ fields: string[] }>(
        `SELECT arraySort(groupUniqArrayArray(extractAll(toString(\`${name}\`), 'CANARY-([a-z_.]+)-'))) AS fields FROM ${from}`);
      hits[`${table}.${name}`] = `${rows} row(s): ${(found?.fields ?? []).join(', ')}`;
    }
  }
  assert.ok(byTable.size >= 5, `the scan saw the tables (${[...byTable.keys()].join(', ')})`);
  return hits;
}

/** Messages of every topic of the prefix, read uncommitted from the beginning, with what carries a canary. */
async function scanTopics(kafka: TestKafka): Promise<{ perTopic: Record<string, number>; leaks: string[] }> {
  const topics = (await kafka.admin.listTopics()).filter((t) => t.startsWith(kafka.prefix)).sort();
  const perTopic: Record<string, number> = {};
  const leaks = new Set<string>();
  for (const full of topics) {
    const base = full.slice(kafka.prefix.length);
    const messages: KafkaMessage[] = await drainTopic(kafka, base, { readUncommitted: true });
    perTopic[base] = messages.length;
    for (const m of messages) {
      if (hasCanary(m.value)) leaks.add(`${base} value: ${[...new Set(canaryFields(m.value?.toString() ?? ''))].join(', ')}`);
      if (hasCanary(m.key)) leaks.add(`${base} key`);
      for (const [name, header] of Object.entries(m.headers ?? {})) {
        const values = Array.isArray(header) ? header : [header];
        if (values.some((v) => hasCanary(v as Buffer | string | undefined))) leaks.add(`${base} header ${name}`);
      }
    }
  }
  return { perTopic, leaks: [...leaks].sort() };
}

describe('privacy canaries: no personal field reaches Kafka or ClickHouse', function () {
  this.timeout(240_000);
  let kafka: TestKafka;
  let cafe24: Cafe24Simulator;
  let ably: AblySimulator;
  let warehouse: Warehouse;
  let publisher: Publisher;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    kafka = await testKafka('canary');
    await kafka.createTopics('all');
    cafe24 = await startCafe24Simulator({ seed: 23, shops: SHOPS, faults: { canaries: true } });
    ably = await startAblySimulator({ seed: 23, sellers: SELLERS, knobs: { canaries: true }, limits: { perIp: FAST, perAccount: FAST } });
    warehouse = await testWarehouse();
    await migrate(warehouse);
    publisher = await createPublisher(kafka);
    const keyring = createKeyring(generateKeySpec('canary'));
    const sink = createSink({ kafka, warehouse, logger: testLogger(), registry: platformModels(), buyerHashSalt: 'salt', batchAgeMs: 200 });
    const cafe24Consumer = createCafe24Consumer({
      kafka, instanceId: uniqueName('canary-c24'), logger: testLogger(), keyring, cafe24: cafe24Settings(cafe24), buyerHashSalt: 'salt',
    });
    const ablyConsumer = createAblyConsumer({
      kafka, instanceId: uniqueName('canary-ably'), logger: testLogger(), keyring, buyerHashSalt: 'salt',
      ably: {
        apiBaseUrl: ably.apiUrl, webUrl: ably.webUrl, hostRatePerSec: 200, accountRatePerSec: 100, lookbackDays: 7, initialDays: 90,
        browserPages: 1, browserRetireAfter: 100, browserMaxRssMb: 2048, evidenceDir: '',
      },
      now: () => ably.clock.now(), pacer: { jitterMs: 0 }, jobTimeoutMs: 60_000,
    });
    await Promise.all([sink.start(), cafe24Consumer.start(), ablyConsumer.start()]);
    stops.push(() => sink.stop(), () => cafe24Consumer.stop(), () => ablyConsumer.stop());
    for (const { mallId } of SHOPS) await connectCafe24(cafe24Consumer.credentials, tenantOf(mallId), mallId, (await cafe24.issueTokens(mallId)).response);
    for (const s of ably.sellers) await ablyConsumer.credentials.put(tenantOf(s.sellerId), 'ably', { email: s.email, password: s.password } satisfies AblySecret);
  });

  after(async () => {
    for (const stop of stops) await stop();
    await publisher?.close();
    if (warehouse) await disposeTestWarehouse(warehouse);
    await cafe24?.close();
    await ably?.stop();
    await kafka?.close();
  });

  it('the simulators serve canaries in the personal fields and embeds (so the scans below can fail)', async () => {
    const { accessToken } = await cafe24.issueTokens('canaryone');
    const res = await fetch(`${cafe24.baseUrlFor('canaryone')}/api/v2/admin/orders?start_date=2026-10-01&end_date=2026-11-30&limit=5&embed=items`, {
      headers: { Authorization: `Bearer ${accessToken}`, 'X-Cafe24-Api-Version': '2025-12-01' },
    });
    const { orders } = await res.json() as { orders: Record<string, any>[] };
    const order = orders[0] as Record<string, any>;
    assert.equal(order.billing_name, canaryOf('billing_name', order.order_id));
    assert.ok(String(order.buyer.email).startsWith(CANARY) && String(order.receivers[0].address1).startsWith(CANARY), 'unasked embeds carry canaries');
    for (const claim of ['return', 'cancellation', 'exchange']) assert.ok(JSON.stringify(order[claim]).includes(`${CANARY}-${claim}.`), claim);
    assert.ok(String(order.items[0].claim_reason).startsWith(CANARY));

    const login = await fetch(`${ably.apiUrl}/seller/login/`, {
      method: 'POST', headers: { Origin: ably.webUrl, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: ably.sellers[0]?.email, password: ably.sellers[0]?.password }),
    });
    const { token } = await login.json() as { token: string };
    const page = await fetch(`${ably.apiUrl}/seller/order_items/?start_date=2026-10-20+00:00:00&end_date=2026-11-30+23:59:59&per_page=5`, {
      headers: { Origin: ably.webUrl, Authorization: `JWT ${token}` },
    });
    const { order_items: items } = await page.json() as { order_items: Record<string, unknown>[] };
    assert.equal(items[0]?.receiver_addr, canaryOf('receiver_addr', String(items[0]?.sno)));
  });

  it('both platforms sync their tenants through the consumer groups and the sink', async () => {
    const requests = [
      ...SHOPS.map(({ mallId }) => buildSyncRequest({ tenantId: tenantOf(mallId), platform: 'cafe24', tier: 'paid' }, 'manual')),
      ...SELLERS.map(({ sellerId }) => buildSyncRequest({ tenantId: tenantOf(sellerId), platform: 'ably', tier: 'paid' }, 'manual')),
    ];
    await publishSyncRequests(publisher, requests);
    await waitFor(async () => {
      const [row] = await warehouse.query<{ n: string }>(
        "SELECT count() AS n FROM sync_runs FINAL WHERE request_id IN {ids:Array(String)} AND status = 'succeeded'", { ids: requests.map((r) => r.requestId) });
      return Number(row?.n) === requests.length;
    }, { deadlineMs: 150_000, description: 'every tenant synced' });
    const want = {
      cafe24: SHOPS.reduce((n, { mallId }) => n + cafe24.expectedCounts(mallId).orders, 0),
      ably: SELLERS.reduce((n, { sellerId }) => n + ably.truth(sellerId).orders, 0),
    };
    await waitFor(async () => {
      const rows = await warehouse.query<{ platform: string; n: string }>('SELECT platform, count() AS n FROM orders FINAL GROUP BY platform');
      const got = Object.fromEntries(rows.map((r) => [r.platform, Number(r.n)]));
      return got.cafe24 === want.cafe24 && got.ably === want.ably;
    }, { deadlineMs: 60_000, description: `every order landed (${JSON.stringify(want)})` });
    const [claims] = await warehouse.query<{ n: string }>("SELECT count() AS n FROM order_claims WHERE platform = 'ably'");
    const [reviews] = await warehouse.query<{ n: string }>("SELECT count() AS n FROM reviews WHERE platform = 'ably'");
    assert.ok(Number(claims?.n) > 0 && Number(reviews?.n) > 0, 'claims and reviews were synced too');
  });

  it('no message value, key or header of any topic holds a canary (read uncommitted)', async () => {
    const { perTopic, leaks } = await scanTopics(kafka);
    assert.ok((perTopic[RAW_RESULTS_TOPIC] ?? 0) > 0, `raw.results was scanned (${JSON.stringify(perTopic)})`);
    assert.deepEqual(leaks, [], 'canaries on Kafka');
  });

  it('no column of any table holds a canary, and the scanner finds one when there is', async () => {
    assert.deepEqual(await canaryHits(warehouse), {});
    await warehouse.command(`CREATE TABLE \`${warehouse.database}\`.canary_probe (id UInt8, tags Array(String)) ENGINE = Memory`);
    try {
      await warehouse.command(`INSERT INTO \`${warehouse.database}\`.canary_probe VALUES (1, ['x', '${canaryOf('probe', '1')}'])`);
      assert.deepEqual(await canaryHits(warehouse), { 'canary_probe.tags': '1 row(s): probe' });
    } finally {
      await warehouse.command(`DROP TABLE \`${warehouse.database}\`.canary_probe`);
    }
  });

  it('the sink scrubs and flags a record that still carries personal fields, and stores no canary', async () => {
    const request = buildSyncRequest({ tenantId: 't-leaky', platform: 'cafe24', tier: 'paid' }, 'manual');
    const order = {
      shop_no: 1, order_id: '20261130-0000999', currency: 'KRW', order_date: '2026-11-30T09:00:00+09:00', paid: 'T', canceled: 'F',
      member_id: canaryOf('member_id', 'leak'), billing_name: canaryOf('billing_name', 'leak'), payment_amount: '1000.00',
      receivers: [{ name: canaryOf('receivers.name', 'leak'), address1: canaryOf('receivers.address1', 'leak') }],
      items: [{ order_item_code: '20261130-0000999-01', product_no: 1, product_price: '1000.00', quantity: 1, order_status: 'N10',
        claim_reason: canaryOf('claim_reason', 'leak') }],
    };
    const { values } = encodeRawResultChunks({
      v: 1, requestId: request.requestId, tenantId: 't-leaky', platform: 'cafe24', entity: 'orders', fetchedAt: new Date().toISOString(),
    }, [order]);
    await kafka.produce(RAW_RESULTS_TOPIC, values.map((value) => ({ key: 't-leaky', value })));
    const [row] = await waitFor(async () => {
      const rows = await warehouse.query<{ extra: string; buyer_hash: string }>("SELECT extra, buyer_hash FROM orders WHERE tenant_id = 't-leaky'");
      return rows.length > 0 ? rows : undefined;
    }, { deadlineMs: 30_000, description: 'the leaky order landed' });
    const anomalies = (JSON.parse(row?.extra ?? '{}') as { _anomalies?: string[] })._anomalies ?? [];
    for (const field of ['privacy:billing_name', 'privacy:member_id', 'privacy:receivers', 'privacy:items[0].claim_reason']) {
      assert.ok(anomalies.includes(field), `${field} flagged (${anomalies.join(', ')})`);
    }
    assert.notEqual(row?.buyer_hash, '', 'the member id became a hash');
    assert.deepEqual(await canaryHits(warehouse), {}, 'the warehouse still holds no canary');
  });

  it('the policies also cover what no simulator serves: Cafe24 members, Ably exchanges and inquiries', () => {
    const canaried = (fields: readonly string[], id: string) => Object.fromEntries(fields.map((f) => [f, canaryOf(f, id)]));
    // Cafe24 customersprivacy (§7.7, the documented property list), and the customers lookup.
    const member = {
      shop_no: 1, group_no: 1, created_date: '2026-01-01T00:00:00+09:00', sms: 'T', news_mail: 'F', total_points: '0.00',
      ...canaried(['member_id', 'name', 'name_english', 'name_phonetic', 'phone', 'cellphone', 'email', 'wedding_anniversary', 'birthday',
        'city', 'state', 'address1', 'address2', 'zipcode', 'job', 'job_class', 'nick_name', 'recommend_id', 'residence', 'interest', 'gender',
        'corporate_name', 'nationality', 'refund_bank_code', 'refund_bank_account_no', 'refund_bank_account_holder'], 'member'),
      sns_list: [canaryOf('sns_list', 'member')],
      additional_information: [{ key: 'c1', value: canaryOf('additional_information.value', 'member') }],
    };
    // Ably exchanges (a.3) and inquiries (a.3, b.4): if they are ever emitted, under the claim and inquiry policies.
    const exchange = {
      sno: 1, reason_code: 3, requested_at: '2026-11-30 10:00:00', ...canaried(['detail_reason'], 'exchange'),
      member: { name: canaryOf('member.name', 'exchange') }, return_delivery: { invoice_number: canaryOf('return_delivery.invoice_number', 'exchange') },
      exchange_items: [{ sno: 11, ...canaried(['receiver_name', 'receiver_tel', 'receiver_addr'], 'exchange-item') }],
    };
    const room = {
      sno: 2, category_name: '배송', updated_latest_message_at: '2026-11-30 10:00:00',
      member: { name: canaryOf('member.name', 'room') }, latest_message: { content: canaryOf('latest_message.content', 'room') },
    };
    for (const [policy, entity, record] of [
      [cafe24Privacy, 'customers', member], [ablyPrivacy, 'order_cancels', exchange], [ablyPrivacy, 'contact_rooms', room],
    ] as const) {
      scrubRecord(policy, entity, record, (id) => (id ? 'hash' : ''));
      assert.equal(JSON.stringify(record).includes(CANARY), false, `${policy.platform} ${entity}: ${JSON.stringify(record)}`);
      assert.deepEqual(personalFieldsOf(policy, entity, record), []);
    }
  });
});
