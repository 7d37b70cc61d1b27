/**
 * Buyer personal data never leaves a connector: each platform states, as data, which keys of which entity hold a
 * person's data (names, phones, e-mails, addresses, bank accounts, free text a buyer typed, payment-provider
 * personal blocks), and this module is the one place that acts on such a policy:
 *   - `scrubRecord` at the connector edge, in place, before a record is emitted (so neither Kafka nor raw_records
 *     ever holds them), the buyer's id replaced by its salted hash (`buyer_hash`);
 *   - `personalFieldsOf` in the sink, which asserts the policy: a record that still carries a listed field is
 *     scrubbed there and flagged, never stored in clear.
 * Keys are matched at any depth of a record: a personal block (`receivers`, `buyer`) is removed whole, and the
 * same key met again in a nested embed is removed too.
 */
import type { Platform } from '../contracts/fields.js';
import type { RecordTexts } from '../contracts/raw-result.js';
import { cutKeys, mayHoldKeys, type CutKeys, type FieldTree, type ListRead } from '../json-fields.js';

export interface EntityPrivacy {
  /** Keys whose values describe a person, removed at any depth of the record. */
  readonly personal: readonly string[];
  /** The key of the buyer's id, if the entity has one: its value becomes `buyer_hash`, the key itself is removed. */
  readonly buyerId?: string;
}

/**
 * Every entity a platform emits has an entry (an entity without personal data says so with `personal: []`), so a
 * new entity cannot slip past the policy unnoticed: the platform registry refuses a mapper entity without one.
 */
export interface PrivacyPolicy {
  readonly platform: Platform;
  readonly entities: Readonly<Record<string, EntityPrivacy>>;
}

/** The key a buyer's hashed id is stored under, in every platform's records. */
export const BUYER_HASH_KEY = 'buyer_hash';

/** A buffer of at least `size` bytes for record texts (scrubRecords). */
export type TextRoom = (size: number) => Buffer;

/** Hashes a buyer id (already bound to platform and tenant): '' for a guest. */
export type BuyerIdHasher = (buyerId: string) => string;

interface CompiledEntity {
  keys: ReadonlySet<string>;
  buyerId: string | undefined;
  /** Matches where a listed key may appear in JSON text (`mayHoldPersonalText`); undefined when none is listed. */
  keyText: RegExp | undefined;
  /** The length of the longest listed key. */
  longest: number;
  /** The same keys, cut from JSON text as it is read (`personalKeysOf`). */
  cutKeys: CutKeys;
}

const compiled = new WeakMap<PrivacyPolicy, Map<string, CompiledEntity>>();

function compile(policy: PrivacyPolicy, entity: string): CompiledEntity | undefined {
  let entities = compiled.get(policy);
  if (!entities) compiled.set(policy, (entities = new Map()));
  let entry = entities.get(entity);
  if (!entry) {
    const rule = Object.hasOwn(policy.entities, entity) ? policy.entities[entity] : undefined;
    if (!rule) return undefined;
    const keys = new Set(rule.personal);
    if (rule.buyerId !== undefined) keys.add(rule.buyerId);
    const keyText = keys.size === 0 ? undefined : new RegExp(`"(?:${[...keys].map(escapeRegExp).join('|')})"\\s*:`);
    entry = { keys, buyerId: rule.buyerId, keyText, longest: Math.max(0, ...[...keys].map((key) => key.length)), cutKeys: cutKeys(keys) };
    entities.set(entity, entry);
  }
  return entry;
}

/** The entity's compiled rule; an entity the policy does not know is refused (see scrubRecord). */
function ruleOf(policy: PrivacyPolicy, entity: string): CompiledEntity {
  const rule = compile(policy, entity);
  if (!rule) throw new TypeError(`the ${policy.platform} privacy policy has no entry for entity ${JSON.stringify(entity)}`);
  return rule;
}

/** True when the policy knows the entity (with or without personal fields). */
export function coversEntity(policy: PrivacyPolicy, entity: string): boolean {
  return Object.hasOwn(policy.entities, entity);
}

/**
 * Removes the entity's personal keys from `record` at any depth, in place, and puts the buyer's hashed id under
 * `buyer_hash`. Removed values become `undefined`, which JSON leaves out, so the object keeps its shape: a page
 * brings 1,000 orders of ~7.5 KB, and copying or reshaping each cost more CPU than parsing the page. An entity the
 * policy does not know is refused: emitting it would send data nobody has reviewed.
 */
export function scrubRecord(policy: PrivacyPolicy, entity: string, record: unknown, hashBuyer: BuyerIdHasher): void {
  const rule = ruleOf(policy, entity);
  if (typeof record !== 'object' || record === null) return;
  if (rule.buyerId !== undefined && !Array.isArray(record)) {
    const fields = record as Record<string, unknown>;
    const id = fields[rule.buyerId];
    if (fields[BUYER_HASH_KEY] === undefined) fields[BUYER_HASH_KEY] = hashBuyer(typeof id === 'string' || typeof id === 'number' ? String(id) : '');
  }
  if (rule.keys.size > 0) strip(record, rule.keys);
}

/**
 * The cut of an entity's text: its personal keys and buyer id key, for `readList` (lib/json-fields.ts) to leave
 * out of each record's text at any depth as it reads a page. An entity the policy does not know is refused.
 */
export function personalKeysOf(policy: PrivacyPolicy, entity: string): CutKeys {
  return ruleOf(policy, entity).cutKeys;
}

const withBuyer = new WeakMap<FieldTree, Map<string, FieldTree>>();

/**
 * `fields` with the entity's buyer id and `buyer_hash` named too, whatever the mapper reads: scrubRecords needs
 * both in each record to write the hash, and to know where the source wrote one already.
 */
export function withBuyerFields(policy: PrivacyPolicy, entity: string, fields: FieldTree): FieldTree {
  const { buyerId } = ruleOf(policy, entity);
  if (buyerId === undefined || (fields[buyerId] === true && fields[BUYER_HASH_KEY] === true)) return fields;
  let byId = withBuyer.get(fields);
  if (!byId) withBuyer.set(fields, (byId = new Map()));
  let tree = byId.get(buyerId);
  if (!tree) byId.set(buyerId, (tree = { ...fields, [buyerId]: true, [BUYER_HASH_KEY]: true }));
  return tree;
}

/**
 * `scrubRecord` over the records of a page read by `readList` with this entity's `personalKeysOf` (and, when for
 * fields, `withBuyerFields`), and their texts: each record's text as the source wrote it (its spacing, number
 * forms, escapes, even a repeated key or a number past a double's range) less the cut members, with `buyer_hash`
 * written last where scrubRecord added it, which is where JSON.stringify puts it. So a text parses to the scrubbed
 * record, and for compact source text it is byte for byte its JSON.stringify, without a stringify and UTF-8 write
 * per record. Undefined for an empty page. The texts are written into `room`'s buffer (a fresh one by default).
 */
export function scrubRecords(
  policy: PrivacyPolicy, entity: string, bytes: Buffer, list: ListRead, hashBuyer: BuyerIdHasher, room: TextRoom = Buffer.allocUnsafe,
): RecordTexts | undefined {
  const { records } = list;
  // Where scrubRecord adds buyer_hash (the source wrote none), the text gets it too.
  const appends: (Buffer | undefined)[] = new Array(records.length);
  let appended = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const object = typeof record === 'object' && record !== null && !Array.isArray(record) ? record as Record<string, unknown> : undefined;
    const had = object?.[BUYER_HASH_KEY] !== undefined;
    scrubRecord(policy, entity, record, hashBuyer);
    if (object !== undefined && !had && object[BUYER_HASH_KEY] !== undefined) {
      appended += (appends[i] = Buffer.from(`,"${BUYER_HASH_KEY}":${JSON.stringify(object[BUYER_HASH_KEY])}`, 'utf8')).length;
    }
  }
  if (records.length === 0) return undefined;
  const { starts, ends, cuts, cutEnds } = list;
  const out = room(ends[records.length - 1]! - starts[0]! + appended);
  const spans = new Uint32Array(2 * records.length);
  let at = 0;
  let cut = 0;
  for (let i = 0; i < records.length; i++) {
    spans[2 * i] = at;
    let from = starts[i]!;
    for (; cut < cutEnds[i]!; cut++) {
      at += bytes.copy(out, at, from, cuts[2 * cut]!);
      from = cuts[2 * cut + 1]!;
    }
    const append = appends[i];
    if (append === undefined) {
      at += bytes.copy(out, at, from, ends[i]!);
    } else {
      // Before the closing brace; without its comma when the cut left no member.
      at += bytes.copy(out, at, from, ends[i]! - 1);
      let last = at - 1;
      while (isJsonSpace(out[last]!)) last--;
      at += append.copy(out, at, out[last] === LBRACE ? 1 : 0);
      out[at++] = RBRACE;
    }
    spans[2 * i + 1] = at;
  }
  return { bytes: out, spans };
}

const LBRACE = 0x7b;
const RBRACE = 0x7d;
const isJsonSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function strip(value: object, keys: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const entry of value) if (typeof entry === 'object' && entry !== null) strip(entry, keys);
    return;
  }
  const fields = value as Record<string, unknown>;
  for (const key in fields) {
    const entry = fields[key];
    if (keys.has(key)) {
      if (entry !== undefined) fields[key] = undefined;
    } else if (typeof entry === 'object' && entry !== null) {
      strip(entry, keys);
    }
  }
}

/**
 * The paths of personal fields that still hold a value in `record` (empty when it is clean): what the sink checks
 * before it stores a record. A null or empty value carries nothing and is not reported.
 */
export function personalFieldsOf(policy: PrivacyPolicy, entity: string, record: unknown): string[] {
  const rule = compile(policy, entity);
  const found: string[] = [];
  if (rule && rule.keys.size > 0 && typeof record === 'object' && record !== null) find(record, rule.keys, '', found);
  return found;
}

function find(value: object, keys: ReadonlySet<string>, at: string, found: string[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const entry: unknown = value[i];
      if (typeof entry === 'object' && entry !== null) find(entry, keys, `${at}[${i}]`, found);
    }
    return;
  }
  const fields = value as Record<string, unknown>;
  for (const key in fields) {
    const entry = fields[key];
    if (entry === undefined || entry === null) continue;
    if (keys.has(key)) {
      if (entry !== '') found.push(at ? `${at}.${key}` : key);
    } else if (typeof entry === 'object') {
      find(entry, keys, at ? `${at}.${key}` : key, found);
    }
  }
}

/** `\u`, the start of the escape that can spell any character. */
const UNICODE_ESCAPE = Buffer.from('\\u', 'latin1');

/**
 * The text is tested in windows of about this many bytes. A 512 KB chunk decoded whole is a string in V8's
 * large-object space, whose allocation cost about as much as the regex (7 of 13 µs per 7.8 KB Cafe24 order); a
 * window is an ordinary young string, nearly free.
 */
export const TEXT_WINDOW_BYTES = 16 * 1024;

/** The bytes `\s` matches in latin1 text: tab to carriage return, space and no-break space. */
const isSpace = (byte: number) => (byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0xa0;

/**
 * Whether the JSON text in `bytes` [start, end) may hold one of the entity's personal keys: the sink's check of
 * record text it stores without parsing (rows mapped at the connector edge, edge-rows.ts). Conservative: in JSON
 * a key is `"key":` (whitespace allowed before the colon) and a quote inside a string is always escaped, so clean
 * text never matches, while a match (a listed key, even one holding null) only sends the chunk to the full check,
 * which parses each record. The bytes are read as latin1: UTF-8 bytes of non-ASCII text are all above 0x7f and never
 * form the ASCII of a key. An entity the policy does not know always may.
 *
 * A `\u` escape could spell a key in other characters, so text that holds one is walked instead (json-fields.ts
 * `mayHoldKeys`, which reads escaped keys as JSON.parse does, at about twice the regex's cost): a source that
 * escapes its non-ASCII text keeps the short way. Otherwise the keys are looked for in windows of the text, each
 * decoded apart. A window
 * never ends in whitespace (it runs on to the next other byte), so a key match that crosses its end has a byte of
 * its quoted key in the window's last byte, and the next window, starting the longest quoted key before that end,
 * holds the match whole (running on through whitespace to the colon, however long).
 */
export function mayHoldPersonalText(policy: PrivacyPolicy, entity: string, bytes: Buffer, start: number, end: number): boolean {
  const rule = compile(policy, entity);
  if (!rule) return true;
  if (rule.keyText === undefined) return false;
  const escape = bytes.indexOf(UNICODE_ESCAPE, start);
  if (escape !== -1 && escape + UNICODE_ESCAPE.length <= end) return mayHoldKeys(bytes, start, end, rule.cutKeys);
  for (let from = start; ; ) {
    let to = Math.min(end, from + TEXT_WINDOW_BYTES);
    while (to < end && isSpace(bytes[to - 1]!)) to++;
    if (rule.keyText.test(bytes.toString('latin1', from, to))) return true;
    if (to === end) return false;
    from = to - (rule.longest + 2);
  }
}
