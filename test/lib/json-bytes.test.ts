/**
 * The connector edge sends each record on as its source text with the personal members cut out (lib/json-bytes.ts,
 * lib/model/privacy.ts scrubRecords) instead of JSON.stringify of the scrubbed record. That is only right if the
 * text means exactly the scrubbed record: proved here against scrubRecord + JSON.stringify on API-shaped orders and
 * on random JSON (compact: byte-equal; spaced: equal once parsed), and on the shapes a walker gets wrong (first,
 * last and only members, strings holding quotes and brackets, escaped keys).
 */
import assert from 'node:assert/strict';
import { cafe24Privacy } from '../../consumers/cafe24/privacy.js';
import { closesPage, copyWithoutMembers, firstElement, KeyBytes, listStart, nextElement, type CopyEnd } from '../../lib/json-bytes.js';
import { scrubRecord, scrubRecords, type PrivacyPolicy } from '../../lib/model/privacy.js';
import { cafe24ApiOrder, cafe24Product, seeded } from '../fixtures/sink-records.js';

const hash = (id: string) => (id === '' ? '' : `h-${id}`);

/** The texts scrubRecords gives for these records laid out as a page, and the records as scrubRecord leaves them. */
function viaText(policy: PrivacyPolicy, entity: string, records: unknown[], space?: number) {
  const bytes = Buffer.from(JSON.stringify({ [entity]: records, links: [{ rel: 'next', href: 'x?offset=1' }] }, null, space));
  const parsed = (JSON.parse(bytes.toString('utf8')) as Record<string, unknown[]>)[entity]!;
  const texts = scrubRecords(policy, entity, parsed, hash, { bytes, listKey: entity });
  assert.ok(texts, 'the page is cut, not serialised');
  const expected = structuredClone(records);
  for (const record of expected) scrubRecord(policy, entity, record, hash);
  return { texts: parsed.map((_, i) => texts.bytes.toString('utf8', texts.spans[2 * i], texts.spans[2 * i + 1])), expected, parsed };
}

/** Random JSON with keys drawn from the policy's and others, nested; strings with JSON's special characters. */
function randomValue(random: ReturnType<typeof seeded>, keys: string[], depth: number): unknown {
  const kind = random.int(0, depth > 3 ? 3 : 6);
  if (kind === 0) return random.int(-1e6, 1e6) / (random.int(0, 1) ? 100 : 1);
  if (kind === 1) return [null, true, false][random.int(0, 2)];
  if (kind <= 3) return ['', 'plain', 'q"uote', 'b\\ack', '{[,]}:', '김민수', 'name":"x', 'tab\tnew\nline'][random.int(0, 7)];
  if (kind === 4) return Array.from({ length: random.int(0, 3) }, () => randomValue(random, keys, depth + 1));
  const object: Record<string, unknown> = {};
  for (let n = random.int(0, 6); n > 0; n--) object[keys[random.int(0, keys.length - 1)]!] = randomValue(random, keys, depth + 1);
  return object;
}

describe('record text cut from the source (json-bytes, scrubRecords)', () => {
  it('API-shaped orders: the cut text is byte for byte what JSON.stringify writes of the scrubbed order', () => {
    const orders = Array.from({ length: 50 }, (_, i) => cafe24ApiOrder(i + 1));
    const { texts, expected, parsed } = viaText(cafe24Privacy, 'orders', orders);
    texts.forEach((text, i) => assert.equal(text, JSON.stringify(expected[i])));
    assert.deepEqual(parsed, expected, 'the parsed records are scrubbed in place as before');
    assert.ok(texts.every((text) => text.includes('"buyer_hash":') && !text.includes('"buyer_name"')));
  });

  it('random JSON over the policy keys: byte-equal when compact, equal when parsed when spaced', () => {
    const random = seeded(7);
    const keys = ['order_id', 'items', 'member_id', 'buyer_hash', 'name', 'receivers', 'x', 'phone', 'extra'];
    const policy: PrivacyPolicy = { platform: 'cafe24', entities: { orders: { personal: ['name', 'receivers', 'phone'], buyerId: 'member_id' } } };
    for (let round = 0; round < 300; round++) {
      const records = Array.from({ length: random.int(1, 5) }, () => {
        const value = randomValue(random, keys, 0);
        return random.int(0, 4) === 0 || (typeof value === 'object' && value !== null && !Array.isArray(value)) ? value : { value };
      });
      const compact = viaText(policy, 'orders', records);
      compact.texts.forEach((text, i) => assert.equal(text, JSON.stringify(compact.expected[i]) ?? 'null', `round ${round}`));
      const spaced = viaText(policy, 'orders', records, 2);
      spaced.texts.forEach((text, i) => assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(spaced.expected[i]) ?? 'null'), `round ${round}, spaced`));
    }
  });

  it('cuts first, middle, last and only members with their commas, leaving strings that look like JSON alone', () => {
    const drop = new KeyBytes(['name']);
    const cut = (text: string, append?: string) => {
      const src = Buffer.from(text);
      const out = Buffer.alloc(src.length + 64);
      const end: CopyEnd = { src: 0, out: 0 };
      assert.ok(copyWithoutMembers(src, 0, drop, out, 0, append === undefined ? undefined : Buffer.from(append), end));
      assert.equal(end.src, src.length, 'the value ends where its text does');
      return out.toString('utf8', 0, end.out);
    };
    assert.equal(cut('{"name":"a","b":1}'), '{"b":1}');
    assert.equal(cut('{"b":1,"name":"a","c":2}'), '{"b":1,"c":2}');
    assert.equal(cut('{"b":1,"name":{"x":[1,{"y":"}"}]}}'), '{"b":1}');
    assert.equal(cut('{"name":"a"}'), '{}');
    assert.equal(cut('{"name":"a"}', '"h":"1"'), '{"h":"1"}');
    assert.equal(cut('{"b":"\\"name\\":1","name":null}', '"h":"1"'), '{"b":"\\"name\\":1","h":"1"}');
    assert.equal(cut('{ "b" : [ {"name" : 1 , "c":2} ] , "name" : "z" }'), '{ "b" : [ { "c":2} ]  }', 'the spaces around a cut stay');
    assert.equal(cut('{"n\\u0061me":"escaped","b":[{"name":1}]}'), '{"b":[{}]}');
    assert.equal(cut('[{"name":1},{"b":2}]', '"h":"1"'), '[{},{"b":2}]', 'an array record gets no appended member');
  });

  it('finds the list of a page and steps over its elements, and refuses a page it cannot read as the parser does', () => {
    const page = Buffer.from('{ "links" : {"a":"]"}, "orders" : [ {"x":"],"} , 2 ,[3] ] }');
    const drop = new KeyBytes([]);
    const elements: string[] = [];
    const end: CopyEnd = { src: 0, out: 0 };
    const out = Buffer.alloc(page.length);
    for (let at = firstElement(page, listStart(page, 'orders')); at >= 0; at = nextElement(page, end.src)) {
      assert.ok(copyWithoutMembers(page, at, drop, out, 0, undefined, end));
      elements.push(out.toString('utf8', 0, end.out));
    }
    assert.deepEqual(elements, ['{"x":"],"}', '2', '[3]']);
    assert.equal(firstElement(Buffer.from('{"orders":[ ]}'), 10), -1, 'an empty list');
    assert.equal(nextElement(Buffer.from('[1 2]'), 2), -2, 'not a list');
    assert.equal(listStart(Buffer.from('{"ord\\u0065rs":[1]}'), 'orders'), -1, 'an escaped key');
    assert.equal(listStart(Buffer.from('{"products":[1]}'), 'orders'), -1);
    assert.equal(listStart(Buffer.from('{"orders":{}}'), 'orders'), -1, 'not an array');
    assert.equal(listStart(Buffer.from('[1]'), 'orders'), -1);
    const twice = Buffer.from('{"orders":[1],"orders":[22]}');
    assert.equal(closesPage(twice, 12, 'orders'), false, 'given twice: JSON.parse takes the last');
    assert.equal(closesPage(Buffer.from('{"orders":[1] ,"links":{"orders":1}}'), 12, 'orders'), true, 'the key nested elsewhere');
    assert.equal(closesPage(Buffer.from('{"orders":[1],"l\\u0069nks":1}'), 12, 'orders'), false, 'an escaped key after the list');
  });

  it('serialises instead (undefined) when the text cannot stand in for the records', () => {
    const orders = [cafe24ApiOrder(1), cafe24ApiOrder(2)];
    const bytes = Buffer.from(JSON.stringify({ orders }));
    const fresh = () => JSON.parse(bytes.toString()).orders as unknown[];
    assert.equal(scrubRecords(cafe24Privacy, 'orders', fresh().slice(1), hash, { bytes, listKey: 'orders' }), undefined, 'more elements than records');
    assert.equal(scrubRecords(cafe24Privacy, 'orders', [...fresh(), {}], hash, { bytes, listKey: 'orders' }), undefined, 'fewer elements than records');
    const escaped = Buffer.from(JSON.stringify({ orders }).replace('"order_id"', '"order\\u005fid"'));
    assert.equal(scrubRecords(cafe24Privacy, 'orders', fresh(), hash, { bytes: escaped, listKey: 'orders' }), undefined, 'a \\u escape');
    const broken = Buffer.concat([bytes.subarray(0, 20), Buffer.from([0xff]), bytes.subarray(21)]);
    assert.equal(scrubRecords(cafe24Privacy, 'orders', fresh(), hash, { bytes: broken, listKey: 'orders' }), undefined, 'bytes that are not UTF-8');
    const records = fresh();
    assert.equal(scrubRecords(cafe24Privacy, 'orders', records, hash), undefined, 'no source');
    assert.ok(records.every((r) => (r as Record<string, unknown>).buyer_name === undefined && (r as Record<string, unknown>).buyer_hash !== undefined), 'the records are scrubbed all the same');
  });

  it('a source that wrote buyer_hash keeps it where it stands, as scrubRecord does', () => {
    const { texts, expected } = viaText(cafe24Privacy, 'orders', [{ buyer_hash: 'given', member_id: 'm1', order_id: 'o' }, { member_id: 'm2' }]);
    assert.deepEqual(texts, ['{"buyer_hash":"given","order_id":"o"}', '{"buyer_hash":"h-m2"}']);
    assert.deepEqual(texts, expected.map((record) => JSON.stringify(record)));
  });
});
