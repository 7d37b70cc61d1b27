/**
 * The connector edge reads a page in one walk (lib/json-fields.ts): the fields its mapper reads, and each record's
 * text less its personal members, which travels on instead of JSON.stringify of the scrubbed record
 * (lib/model/privacy.ts scrubRecords). Both are only right if they mean what JSON.parse and stringify would: the
 * records what JSON.parse gives with the other members left out, the texts the scrubbed records (compact: byte for
 * byte), and text JSON.parse refuses never taken (the caller then parses whole and JSON.parse names the fault).
 * Held here over API-shaped orders, random JSON in compact and spaced forms, random corruptions of it, the shapes
 * a cut gets wrong, and the pages it must hand back.
 */
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { cafe24Mapper } from '../../consumers/cafe24/mapping.js';
import { cafe24Privacy } from '../../consumers/cafe24/privacy.js';
import { readList, type FieldTree } from '../../lib/json-fields.js';
import { personalKeysOf, scrubRecord, type PrivacyPolicy } from '../../lib/model/privacy.js';
import { readSourcePage } from '../../lib/model/source-page.js';
import { cafe24ApiOrder, cafe24Product, seeded } from '../fixtures/sink-records.js';

/** An object as readList reads it under `tree`: every member the tree names is its own, undefined where the text has none. */
const asRead = (tree: FieldTree, members: Record<string, unknown>): Record<string, unknown> =>
  ({ ...Object.fromEntries(Object.keys(tree).map((key) => [key, undefined])), ...members });

/** JSON.parse's value with only the tree's members kept in the objects the tree reaches: what readList promises. */
function project(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((entry) => project(entry, tree));
  if (typeof value !== 'object' || value === null) return value;
  const out = asRead(tree, {});
  for (const [key, entry] of Object.entries(value)) {
    if (!Object.hasOwn(tree, key)) continue;
    const sub = tree[key]!;
    out[key] = sub === true ? entry : project(entry, sub);
  }
  return out;
}

const fieldsOf = (bytes: Buffer, tree: FieldTree, listKey = 'records') => readList(bytes, listKey, { fields: tree })?.records;
const expected = (bytes: Buffer, tree: FieldTree, listKey = 'records') =>
  project((JSON.parse(bytes.toString('utf8')) as Record<string, unknown>)[listKey], tree);

const hash = (id: string) => (id === '' ? '' : `h-${id}`);

/** The texts the edge sends for these records laid out as a page, and the records as scrubRecord leaves them. */
function viaText(policy: PrivacyPolicy, entity: string, records: unknown[], space?: number, fields?: FieldTree, rewrite = (text: string) => text) {
  const bytes = Buffer.from(rewrite(JSON.stringify({ [entity]: records, links: [{ rel: 'next', href: 'x?offset=1' }] }, null, space)));
  const page = readSourcePage(bytes, entity, { policy, entity, hashBuyer: hash, reads: fields });
  assert.ok(page?.texts, 'the page is cut, not serialised');
  const want = structuredClone(records);
  for (const record of want) scrubRecord(policy, entity, record, hash);
  const { texts } = page;
  return { texts: records.map((_, i) => texts.bytes.toString('utf8', texts.spans[2 * i], texts.spans[2 * i + 1])), expected: want, records: page.records };
}

const KEYS = ['id', 'items', 'name', 'price', 'x', 'y', 'tags', 'member_id', 'buyer_hash'];
const TREE: FieldTree = { id: true, price: true, items: { name: true, tags: true, x: { y: true } }, x: { y: true } };

/** Random JSON with keys from KEYS, nested; strings with JSON's escapes (but `\u`), non-ASCII text, odd numbers. */
function randomValue(random: ReturnType<typeof seeded>, depth: number): unknown {
  const kind = random.int(0, depth > 3 ? 3 : 6);
  if (kind === 0) return [0, -0.5, 12000, 1e21, 1.5e-7, -3, 2 ** 53 + 2, 123456789012345][random.int(0, 7)];
  if (kind === 1) return [null, true, false][random.int(0, 2)];
  if (kind <= 3) return ['', 'plain', 'q"uote', 'b\\ack', '{[,]}:', '김민수', 'tab\tnew\nline', 'sl/ash', 'name":"x', 'thirteen char', 'ctl\u0001', 'lone \ud800'][random.int(0, 11)];
  if (kind === 4) return Array.from({ length: random.int(0, 3) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let n = random.int(0, 6); n > 0; n--) object[KEYS[random.int(0, KEYS.length - 1)]!] = randomValue(random, depth + 1);
  return object;
}

/** Records, mostly objects. */
const randomRecords = (random: ReturnType<typeof seeded>) => Array.from({ length: random.int(1, 5) }, () => {
  const value = randomValue(random, 0);
  return random.int(0, 4) === 0 || (typeof value === 'object' && value !== null && !Array.isArray(value)) ? value : { value };
});

/** Bytes JSON cares about, to corrupt a text with. */
const NOISE = [...'{}[]",:\\ -.0e+tfnua\t\n'].map((c) => c.charCodeAt(0)).concat([0x01, 0x80]);

/** The same JSON with some keys spelled with `\u` escapes, as a source may write them. */
const escapedKeys = (text: string) => text.replaceAll('"id":', '"\\u0069d":').replaceAll('"name":', '"n\\u0061me":').replaceAll('"member_id":', '"member\\u005fid":');

describe('a page read in one walk: the fields named (json-fields)', () => {
  it('API-shaped orders and products: what JSON.parse gives, with only the mapper\'s fields', () => {
    const orders = Buffer.from(JSON.stringify({ orders: Array.from({ length: 30 }, (_, i) => cafe24ApiOrder(i + 1)) }));
    const reads = cafe24Mapper.entities.orders!.reads!;
    const got = fieldsOf(orders, reads, 'orders');
    assert.deepEqual(got, expected(orders, reads, 'orders'));
    assert.ok(got!.every((order) => (order as { items: unknown[] }).items.length > 0), 'the items come through');
    const products = Buffer.from(JSON.stringify({ products: Array.from({ length: 10 }, (_, i) => cafe24Product(i + 1)) }, null, 2));
    const productReads = cafe24Mapper.entities.products!.reads!;
    assert.deepEqual(fieldsOf(products, productReads, 'products'), expected(products, productReads, 'products'));
  });

  it('random JSON, compact and spaced: equal to JSON.parse projected, and whole records equal to JSON.parse', () => {
    const random = seeded(11);
    for (let round = 0; round < 500; round++) {
      const page = { records: Array.from({ length: random.int(0, 4) }, () => randomValue(random, 0)), links: [{ rel: 'next' }], count: random.int(0, 9) };
      for (const text of [JSON.stringify(page), JSON.stringify(page, null, 2), ` \r\n${JSON.stringify(page, null, '\t')}\n`, escapedKeys(JSON.stringify(page))]) {
        const bytes = Buffer.from(text);
        assert.deepEqual(fieldsOf(bytes, TREE), expected(bytes, TREE), `round ${round}: ${text}`);
        assert.deepEqual(readList(bytes, 'records', {})?.records, page.records, `round ${round}, whole: ${text}`);
      }
    }
  });

  it('corrupted JSON: refused whenever JSON.parse refuses it, and equal to it otherwise', () => {
    const random = seeded(5);
    const cut = personalKeysOf({ platform: 'cafe24', entities: { records: { personal: ['name', 'tags'] } } }, 'records');
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes = Buffer.from(JSON.stringify({ records: randomRecords(random), links: [{ rel: 'next' }] }));
      const at = random.int(0, bytes.length - 1);
      const noise = NOISE[random.int(0, NOISE.length - 1)]!;
      const mode = random.int(0, 2);
      const text = mode === 0
        ? Buffer.concat([bytes.subarray(0, at), Buffer.of(noise), bytes.subarray(at + 1)])
        : mode === 1 ? Buffer.concat([bytes.subarray(0, at), Buffer.of(noise), bytes.subarray(at)]) : Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.toString('utf8'));
      } catch {
        refused++;
        assert.equal(readList(text, 'records', { fields: TREE, cut }), undefined, `round ${round}: JSON.parse refuses ${text.toString()}`);
        continue;
      }
      const got = readList(text, 'records', { fields: TREE, cut })?.records;
      const list = (parsed as Record<string, unknown> | null)?.records;
      if (got !== undefined) assert.deepEqual(got, project(list, TREE), `round ${round}: ${text.toString()}`);
      else assert.ok(!Array.isArray(list) || !isUtf8(text), `round ${round}: refused what it reads: ${text.toString()}`);
    }
    assert.ok(refused > 1000, `the corruptions broke the text often enough to prove something (${refused})`);
  });

  it('hands back what it cannot promise to read as JSON.parse does', () => {
    const read = (text: string | Buffer) => fieldsOf(Buffer.isBuffer(text) ? text : Buffer.from(text), TREE);
    assert.deepEqual(read('{"records":[{"id":1,"z":2}]}'), [asRead(TREE, { id: 1 })]);
    assert.deepEqual(read('{"records":[{"id":"\\u0041\\u00e9","p\\u0072ice":1}]}'), [asRead(TREE, { id: 'Aé', price: 1 })], '\\u escapes, in keys too');
    assert.equal(read('{"records":[{"id":"\\u00G1"}]}'), undefined, 'a \\u escape that is not one');
    assert.equal(read('{"records":[{"id":"\\x"}]}'), undefined, 'an escape JSON does not have');
    assert.equal(read(Buffer.from([...Buffer.from('{"records":[{"id":"'), 0xff, ...Buffer.from('"}]}')])), undefined, 'bytes that are not UTF-8');
    assert.equal(read(`{"records":[${'['.repeat(300)}${']'.repeat(300)}]}`), undefined, 'nesting past MAX_DEPTH');
    assert.equal(read('[{"records":[]}]'), undefined, 'not an object');
    assert.equal(read('{"other":[]}'), undefined, 'no list');
    assert.equal(read('{"records":{"id":1}}'), undefined, 'not a list');
    assert.equal(read('{"records":[1],"records":{}}'), undefined, 'the last of the list\'s keys is not a list');
    assert.equal(read('{"records":[{"id":1}]} x'), undefined, 'text after the value');
    assert.equal(read('{"records":[{"id":01}]}'), undefined, 'a leading zero');
    assert.equal(read('{"records":[{"x":"a\u0001b"}]}'), undefined, 'a control character in a string');
    assert.deepEqual(read('{"records":[{"id":1}],"records":[{"id":2,"id":3}]}'), [asRead(TREE, { id: 3 })], 'the last of repeated keys, as JSON.parse');
    assert.deepEqual(fieldsOf(Buffer.from('{"records":[{"a\\/b":1,"a/c":2}]}'), { 'a/b': true }), [{ 'a/b': 1 }], 'an escaped key is read as its text');
    assert.deepEqual(read('{"records":[null,7,"s",[{"id":1,"q":2}]]}'), [null, 7, 's', [asRead(TREE, { id: 1 })]], 'elements that are not objects');
    assert.deepEqual(read('{"records":[{"id":-0,"price":1234567890123456789}]}'), [asRead(TREE, { id: -0, price: 1234567890123456789 })], 'numbers as JSON.parse reads them');
    assert.throws(() => fieldsOf(Buffer.from('{"records":[]}'), JSON.parse('{"__proto__":true}') as FieldTree), /__proto__/);
    assert.throws(() => fieldsOf(Buffer.from('{"records":[]}'), { '\ud800': true }), /ill-formed/, 'a lone surrogate would match U+FFFD');
  });
});

describe('a page read in one walk: each record\'s text less its personal members (json-fields, scrubRecords)', () => {
  it('API-shaped orders: the text is byte for byte what JSON.stringify writes of the scrubbed order, with or without the fields', () => {
    const orders = Array.from({ length: 50 }, (_, i) => cafe24ApiOrder(i + 1));
    for (const fields of [undefined, cafe24Mapper.entities.orders!.reads]) {
      const { texts, expected: want, records } = viaText(cafe24Privacy, 'orders', orders, undefined, fields);
      texts.forEach((text, i) => assert.equal(text, JSON.stringify(want[i])));
      if (fields === undefined) assert.deepEqual(records, want, 'whole records are scrubbed in place as before');
      assert.ok(texts.every((text) => text.includes('"buyer_hash":') && !text.includes('"buyer_name"') && !text.includes('"member_id"')));
    }
  });

  it('random JSON over the policy keys: byte-equal when compact, equal when parsed when spaced', () => {
    const random = seeded(7);
    const policy: PrivacyPolicy = { platform: 'cafe24', entities: { orders: { personal: ['name', 'items', 'tags'], buyerId: 'member_id' } } };
    for (let round = 0; round < 300; round++) {
      const records = randomRecords(random);
      const compact = viaText(policy, 'orders', records, undefined, round % 2 === 0 ? TREE : undefined);
      compact.texts.forEach((text, i) => assert.equal(text, JSON.stringify(compact.expected[i]) ?? 'null', `round ${round}`));
      const spaced = viaText(policy, 'orders', records, 2);
      spaced.texts.forEach((text, i) => assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(spaced.expected[i]) ?? 'null'), `round ${round}, spaced`));
      const escaped = viaText(policy, 'orders', records, undefined, TREE, escapedKeys);
      escaped.texts.forEach((text, i) => assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(escaped.expected[i]) ?? 'null'), `round ${round}, escaped keys`));
    }
  });

  it('cuts first, middle, last, only and nested members with their commas, leaving strings that look like JSON alone', () => {
    const cut = (record: string, personal = ['name'], buyerId?: string) => {
      const policy: PrivacyPolicy = { platform: 'cafe24', entities: { records: { personal, buyerId } } };
      const page = readSourcePage(Buffer.from(`{"records":[${record}]}`), 'records', { policy, entity: 'records', hashBuyer: hash, reads: undefined });
      assert.ok(page?.texts, `cut ${record}`);
      return page.texts.bytes.toString('utf8', page.texts.spans[0], page.texts.spans[1]);
    };
    assert.equal(cut('{"name":"a","b":1}'), '{"b":1}');
    assert.equal(cut('{"b":1,"name":"a","c":2}'), '{"b":1,"c":2}');
    assert.equal(cut('{"b":1,"name":"a"}'), '{"b":1}');
    assert.equal(cut('{"name":"a"}'), '{}');
    assert.equal(cut('{"name":1,"phone":2,"b":3,"name":4,"phone":5}', ['name', 'phone']), '{"b":3}', 'runs of cut members');
    assert.equal(cut('{"b":1,"name":{"x":[1,{"name":"}"}]}}'), '{"b":1}', 'a cut member holding another');
    assert.equal(cut('{"b":[{"c":{"name":2}},{"name":3}]}'), '{"b":[{"c":{}},{}]}', 'at any depth');
    assert.equal(cut('{"member_id":"m","b":1}', [], 'member_id'), '{"b":1,"buyer_hash":"h-m"}', 'the buyer id becomes its hash, last');
    assert.equal(cut('{"member_id":"m"}', [], 'member_id'), '{"buyer_hash":"h-m"}');
    assert.equal(cut('{"b":"\\"name\\":1","name":null,"member_id":""}', ['name'], 'member_id'), '{"b":"\\"name\\":1","buyer_hash":""}');
    const spaced = cut('{ "b" : [ {"name" : 1 , "c":2} ] , "name" : "z" }');
    assert.deepEqual(JSON.parse(spaced), { b: [{ c: 2 }] }, `spaced: ${spaced}`);
    assert.equal(cut('{"a\\/b":"escaped","c":2}', ['a/b']), '{"c":2}', 'an escaped key is cut as its text');
    assert.equal(cut('[{"name":1},{"b":2}]', ['name'], 'member_id'), '[{},{"b":2}]', 'an array record gets no appended member');
  });

  it('a source that wrote buyer_hash keeps it where it stands, as scrubRecord does', () => {
    const { texts, expected: want } = viaText(cafe24Privacy, 'orders', [{ buyer_hash: 'given', member_id: 'm1', order_id: 'o' }, { member_id: 'm2' }]);
    assert.deepEqual(texts, ['{"buyer_hash":"given","order_id":"o"}', '{"buyer_hash":"h-m2"}']);
    assert.deepEqual(texts, want.map((record) => JSON.stringify(record)));
  });

  it('a page the walk cannot read is parsed whole and its records serialised; text that is not JSON is JSON.parse\'s to refuse', () => {
    const orders = [cafe24ApiOrder(1), cafe24ApiOrder(2)];
    const reading = { policy: cafe24Privacy, entity: 'orders', hashBuyer: hash, reads: cafe24Mapper.entities.orders!.reads };
    const escaped = Buffer.from(JSON.stringify({ orders }).replaceAll('"order_id"', '"order\\u005fid"').replaceAll('"buyer_name"', '"buyer\\u005fname"'));
    const cut = readSourcePage(escaped, 'orders', reading);
    assert.equal((cut!.records[0] as Record<string, unknown>).order_id, orders[0]!.order_id, 'a \\u escape: read as JSON.parse reads it');
    assert.ok(cut!.texts && !cut!.texts.bytes.includes('buyer\\u005fname') && cut!.texts.bytes.includes('order\\u005fid'), 'and the text cut, the escapes kept');
    const bytes = Buffer.from(JSON.stringify({ orders }));
    const broken = Buffer.from(bytes);
    broken[broken.indexOf('KRW') + 1] = 0xff;
    const whole = readSourcePage(broken, 'orders', reading);
    assert.equal(whole?.texts, undefined, 'not UTF-8: serialised');
    assert.equal((whole!.records[0] as Record<string, unknown>).currency, 'K\ufffdW', 'read whole, as JSON.parse reads it');
    assert.ok(whole!.records.every((r) => (r as Record<string, unknown>).buyer_name === undefined && (r as Record<string, unknown>).buyer_hash !== undefined), 'and scrubbed all the same');
    assert.equal(readSourcePage(bytes, 'products', reading), undefined, 'no such list');
    assert.throws(() => readSourcePage(bytes.subarray(0, bytes.length - 1), 'orders', reading), SyntaxError, 'truncated');
    assert.throws(() => readSourcePage(bytes, 'orders', { ...reading, entity: 'coupons' }), /no entry for entity "coupons"/, 'an entity the policy does not know');
  });
});
