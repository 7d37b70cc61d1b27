/**
 * A page of JSON records read in one walk of its bytes, for what the connector edge needs of it and nothing more:
 * the fields the platform's mapper reads (a `FieldTree`), and where each record's text lies in the page with the
 * members of listed keys (the privacy policy's) cut out at any depth, so that the text can travel on as the source
 * wrote it. A page of 1,000 Cafe24 orders is ~7.7 MB of which the mapper reads ~75 values per order; JSON.parse
 * builds all ~1,300, after a UTF-8 decode that copies every byte into a string, and a second walk found the cuts
 * (bench/cafe24.ts, profiled: together ~80 of the consumer's ~250 µs of CPU per order).
 *
 * The walk holds the whole text to JSON's grammar. The records it gives are what JSON.parse gives with the
 * members the tree does not name left out of every object the tree reaches, and each member it names there an
 * own one, undefined where the text has none (see `shapeOf`; test/lib/json-fields.test.ts holds it to that over
 * random texts and their corruptions). A key or string written with escapes (`\u` ones too, which can
 * spell a listed key in other characters) is read by JSON.parse itself. Where it cannot promise that it gives
 * undefined and the caller parses the text whole: text that is not JSON (JSON.parse then names the fault), bytes
 * that are not UTF-8 (JSON.parse reads U+FFFD where the text would keep the bytes), nesting deeper than MAX_DEPTH
 * (the page and its list count as two levels).
 */
import { isUtf8 } from 'node:buffer';

/**
 * The fields a reader takes: `true` for a member's whole value, a tree for the named members of its value when
 * that is an object, or of each object in it when it is an array.
 */
export interface FieldTree {
  readonly [key: string]: true | FieldTree;
}

/**
 * Object keys matched against their bytes in place, by a hash of their length, first and last byte into a small
 * dense table: a walk looks up every key of a page (~330 per Cafe24 order), most match nothing, and each lookup
 * costs one array read and a compare or two. (A sparse JS array is a dictionary, slower than the walk itself.)
 */
export class KeyTable<T> {
  private readonly slots: ({ bytes: Buffer; value: T }[] | undefined)[] = new Array(SLOTS).fill(undefined);
  private readonly byName = new Map<string, T>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [name, value] of entries) {
      if (this.byName.has(name)) continue;
      const bytes = Buffer.from(name, 'utf8');
      // A lone surrogate encodes as U+FFFD's bytes, and would match that key instead.
      if (bytes.toString('utf8') !== name) throw new TypeError(`a key table cannot hold the ill-formed key ${JSON.stringify(name)}`);
      (this.slots[slotOf(bytes, 0, bytes.length)] ??= []).push({ bytes, value });
      this.byName.set(name, value);
    }
  }

  /** The value of the key whose text (between its quotes) is `b[start, end)` (`withEscapes`: it holds escapes). */
  get(b: Buffer, start: number, end: number, withEscapes: boolean): T | undefined {
    if (withEscapes) return this.byName.get(JSON.parse(b.toString('utf8', start - 1, end + 1)) as string);
    const candidates = this.slots[slotOf(b, start, end)];
    if (candidates === undefined) return undefined;
    const length = end - start;
    next: for (const { bytes, value } of candidates) {
      if (bytes.length !== length) continue;
      for (let k = 0; k < length; k++) if (b[start + k] !== bytes[k]) continue next;
      return value;
    }
    return undefined;
  }
}

const SLOTS = 512;

/** The slot of the key `b[start, end)`. */
const slotOf = (b: Buffer, start: number, end: number) =>
  end === start ? 0 : (((end - start) << 5) ^ (b[start]! << 1) ^ b[end - 1]!) & (SLOTS - 1);

/** The cut of a list: the keys whose members leave the records' text. */
export type CutKeys = KeyTable<true>;

export const cutKeys = (keys: Iterable<string>): CutKeys => new KeyTable([...keys].map((key) => [key, true] as const));

/**
 * A list read by `readList`. Record i's text is `bytes[starts[i], ends[i])` less the ranges `cuts[2k, 2k + 1)` for
 * k from `cutEnds[i - 1]` (0 for the first) to `cutEnds[i]`, in order.
 */
export interface ListRead {
  records: unknown[];
  starts: Uint32Array;
  ends: Uint32Array;
  cuts: Uint32Array;
  cutEnds: Uint32Array;
}

/**
 * The `listKey` array of the JSON object `bytes` hold: its elements, each with the fields `fields` names (whole
 * without it), and their texts less the members whose key is in `cut`; undefined when the text is not one this
 * reads exactly (see the file comment) or holds no such list.
 */
export function readList(bytes: Buffer, listKey: string, { fields, cut }: { fields?: FieldTree; cut?: CutKeys }): ListRead | undefined {
  if (!isUtf8(bytes)) return undefined;
  const n = bytes.length;
  const start = skipSpace(bytes, 0, n);
  if (bytes[start] !== LBRACE) return undefined;
  const page = pageFieldsOf(listKey, fields);
  list = undefined;
  cutCount = 0;
  listCut = cut;
  try {
    const end = objectEnd(bytes, start, n, 1, { fields: page, out: { ...page.shape } }, undefined);
    if (end < 0 || skipSpace(bytes, end, n) !== n || list === undefined) return undefined;
    const read: ListRead = list;
    read.cuts = cutRanges.slice(0, 2 * cutCount);
    return read;
  } finally {
    list = undefined;
    listCut = undefined;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const MAX_DEPTH = 256;
/** ASCII strings up to this long are built from their bytes in JS: a native slice costs ~100 ns whatever its length. */
const SHORT_STRING = 12;
/** Integers of up to this many digits are exact in a double when summed digit by digit. */
const SHORT_INTEGER = 15;

/** The escapes JSON allows after a backslash: 1 for one character, 2 for `u` and its four hex digits. */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;
ESCAPES[0x75] = 2;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

interface Field {
  name: string;
  /** The named members of its value, when only they are wanted. */
  sub: Fields | undefined;
  /** The page's list: its records are read into `list`, with their texts and cuts (`recordsEnd`). */
  isList?: true;
}

interface Fields {
  keys: KeyTable<Field>;
  /** Every named member, undefined: each object read starts as a copy of it (see `shapeOf`). */
  shape: Record<string, undefined>;
}

const compiled = new WeakMap<FieldTree, Fields>();

function fieldsOf(tree: FieldTree): Fields {
  let fields = compiled.get(tree);
  if (!fields) {
    const names = Object.keys(tree);
    const keys = new KeyTable(names.map((name) => {
      // An own member named __proto__ is what JSON.parse makes of that key; an assignment would set a prototype.
      if (name === '__proto__') throw new TypeError('a field tree cannot name __proto__');
      const value = tree[name]!;
      return [name, { name, sub: value === true ? undefined : fieldsOf(value) }] as const;
    }));
    fields = { keys, shape: shapeOf(names) };
    compiled.set(tree, fields);
  }
  return fields;
}

const pageFields = new Map<string, WeakMap<FieldTree | typeof WHOLE, Fields>>();
/** Stands for "no field tree" (whole records) as a WeakMap key. */
const WHOLE = {};

/**
 * An object holding `names`, each undefined, whose copies keep V8's fast properties. An object given members one
 * by one under computed keys turns into a dictionary past about 16 of them (an order has 24), and every later read
 * of it, the mapper's, is a hash lookup; a copy of this one has all its members from the start, in one layout per
 * tree, and the walk only writes their values. JSON.parse builds it, because it gives fast objects whatever their size.
 */
function shapeOf(names: readonly string[]): Record<string, undefined> {
  const shape = JSON.parse(JSON.stringify(Object.fromEntries(names.map((name) => [name, 0])))) as Record<string, unknown>;
  for (const name of names) shape[name] = undefined;
  return shape as Record<string, undefined>;
}

/** A page's fields: its `listKey` member, the list, whose records are read with `fields` (whole without). */
function pageFieldsOf(listKey: string, fields: FieldTree | undefined): Fields {
  let byTree = pageFields.get(listKey);
  if (!byTree) pageFields.set(listKey, (byTree = new WeakMap()));
  let page = byTree.get(fields ?? WHOLE);
  if (!page) {
    const field: Field = { name: listKey, sub: fields === undefined ? undefined : fieldsOf(fields), isList: true };
    byTree.set(fields ?? WHOLE, (page = { keys: new KeyTable([[listKey, field]]), shape: shapeOf([listKey]) }));
  }
  return page;
}

/** What a read gives when the text is not one it reads exactly. */
const FAIL: unique symbol = Symbol('not read');

/*
 * The walk's state. A walk is synchronous and one runs at a time, so it lives here rather than in objects passed
 * down every call: where the last read value ended, what the last string walked held, the list found, the cut.
 */
let readEnd = 0;
let escaped = false;
let wide = false;
let list: ListRead | undefined;
let listCut: CutKeys | undefined;
let cutRanges = new Uint32Array(1024);
let cutCount = 0;

function addCut(from: number, to: number): void {
  if (2 * cutCount + 2 > cutRanges.length) {
    const grown = new Uint32Array(2 * cutRanges.length);
    grown.set(cutRanges);
    cutRanges = grown;
  }
  cutRanges[2 * cutCount] = from;
  cutRanges[2 * cutCount + 1] = to;
  cutCount++;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

function skipSpace(b: Buffer, i: number, n: number): number {
  while (i < n) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * The index after the closing quote of the string that opens at `i`, or -1 when it is not a JSON string; notes in
 * `escaped` whether it holds an escape and in `wide` whether it holds a byte outside ASCII.
 */
function stringEnd(b: Buffer, i: number, n: number): number {
  let high = 0;
  escaped = false;
  for (let j = i + 1; j < n; j++) {
    const c = b[j]!;
    if (c === QUOTE) {
      wide = high >= 0x80;
      return j + 1;
    }
    if (c < 0x20) return -1;
    high |= c;
    if (c === BACKSLASH) {
      const kind = ESCAPES[b[j + 1] ?? 0];
      if (kind === 0) return -1;
      if (kind === 2 && !(HEX[b[j + 2] ?? 0] && HEX[b[j + 3] ?? 0] && HEX[b[j + 4] ?? 0] && HEX[b[j + 5] ?? 0])) return -1;
      escaped = true;
      j += kind === 2 ? 5 : 1;
    }
  }
  return -1;
}

function numberEnd(b: Buffer, i: number): number {
  let j = i;
  if (b[j] === MINUS) j++;
  if (b[j] === ZERO) j++;
  else if (isDigit(b[j])) while (isDigit(b[j])) j++;
  else return -1;
  if (b[j] === DOT) {
    if (!isDigit(b[++j])) return -1;
    while (isDigit(b[j])) j++;
  }
  if (b[j] === 0x65 || b[j] === 0x45) {
    j++;
    if (b[j] === PLUS || b[j] === MINUS) j++;
    if (!isDigit(b[j])) return -1;
    while (isDigit(b[j])) j++;
  }
  return j;
}

/** The index after `word` when it is at `i`, else -1. */
function literalEnd(b: Buffer, i: number, word: Buffer): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** The index after the JSON value at `i` (no space before it), or -1 when there is none. */
function valueEnd(b: Buffer, i: number, n: number, depth: number, cut: CutKeys | undefined): number {
  switch (b[i]) {
    case QUOTE: return stringEnd(b, i, n);
    case LBRACE: return objectEnd(b, i, n, depth + 1, undefined, cut);
    case LBRACKET: return arrayEnd(b, i, n, depth + 1, undefined, cut);
    case 0x74: return literalEnd(b, i, TRUE);
    case 0x66: return literalEnd(b, i, FALSE);
    case 0x6e: return literalEnd(b, i, NULL);
    default: return numberEnd(b, i);
  }
}

/** The value at `i`, with only the fields `sub` names in the objects it reaches (all of it without `sub`), or FAIL. */
function readValue(b: Buffer, i: number, n: number, depth: number, sub: Fields | undefined, cut: CutKeys | undefined): unknown {
  const c = b[i];
  if (sub !== undefined && (c === LBRACE || c === LBRACKET)) {
    const out: Record<string, unknown> | unknown[] = c === LBRACE ? { ...sub.shape } : [];
    const end = c === LBRACE ? objectEnd(b, i, n, depth + 1, { fields: sub, out: out as Record<string, unknown> }, cut) : arrayEnd(b, i, n, depth + 1, { fields: sub, out: out as unknown[] }, cut);
    if (end < 0) return FAIL;
    readEnd = end;
    return out;
  }
  const end = valueEnd(b, i, n, depth, cut);
  if (end < 0) return FAIL;
  readEnd = end;
  if (c === QUOTE) {
    if (escaped) return JSON.parse(b.toString('utf8', i, end));
    return !wide && end - i - 2 <= SHORT_STRING ? asciiText(b, i + 1, end - 1) : b.toString('utf8', i + 1, end - 1);
  }
  if (c === LBRACE || c === LBRACKET) return JSON.parse(b.toString('utf8', i, end));
  if (c === 0x74) return true;
  if (c === 0x66) return false;
  if (c === 0x6e) return null;
  return integerOf(b, i, end) ?? Number(b.toString('latin1', i, end));
}

/** The text of ASCII bytes `b[start, end)`, short enough that four at a time beat a native call. */
function asciiText(b: Buffer, start: number, end: number): string {
  let text = '';
  let i = start;
  for (; i + 4 <= end; i += 4) text += String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
  for (; i < end; i++) text += String.fromCharCode(b[i]!);
  return text;
}

/** The value of the number `b[start, end)` when it is a short integer, summed exactly; else undefined. */
function integerOf(b: Buffer, start: number, end: number): number | undefined {
  const negative = b[start] === MINUS;
  const from = negative ? start + 1 : start;
  if (end - from > SHORT_INTEGER) return undefined;
  let value = 0;
  for (let i = from; i < end; i++) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/** Where a container's named fields go as it is walked. */
interface Reading<T> {
  fields: Fields;
  out: T;
}

/**
 * The index after the object at `i`, its members held to the grammar, or -1; with `reading`, the named members'
 * values are set on its `out`. A member whose key is in `cut` is noted as a range to leave out of the text: from
 * the comma before it when a kept member precedes it, else from its key through the comma after it (or to its
 * value's end when none follows), so that what is left is JSON whatever is cut.
 */
function objectEnd(b: Buffer, i: number, n: number, depth: number, reading: Reading<Record<string, unknown>> | undefined, cut: CutKeys | undefined): number {
  if (depth > MAX_DEPTH) return -1;
  let j = skipSpace(b, i + 1, n);
  if (b[j] === RBRACE) return j + 1;
  let kept = false;
  let commaAt = -1;
  for (;;) {
    if (b[j] !== QUOTE) return -1;
    const keyStart = j;
    const keyEnd = stringEnd(b, j, n);
    if (keyEnd < 0) return -1;
    const keyEscaped = escaped;
    const field = reading?.fields.keys.get(b, keyStart + 1, keyEnd - 1, keyEscaped);
    const isCut = cut !== undefined && cut.get(b, keyStart + 1, keyEnd - 1, keyEscaped) === true;
    j = skipSpace(b, keyEnd, n);
    if (b[j] !== COLON) return -1;
    j = skipSpace(b, j + 1, n);
    // Nothing inside a member that is cut whole needs cutting.
    const inner = isCut ? undefined : cut;
    let valueStop: number;
    if (field === undefined) {
      valueStop = valueEnd(b, j, n, depth, inner);
      if (valueStop < 0) return -1;
    } else if (field.isList) {
      valueStop = recordsEnd(b, j, n, field.sub);
      if (valueStop < 0) return -1;
    } else {
      const value = readValue(b, j, n, depth, field.sub, inner);
      if (value === FAIL) return -1;
      reading!.out[field.name] = value;
      valueStop = readEnd;
    }
    j = skipSpace(b, valueStop, n);
    const more = b[j] === COMMA;
    if (isCut) addCut(kept ? commaAt : keyStart, kept || !more ? valueStop : j + 1);
    else kept = true;
    if (more) {
      commaAt = j;
      j = skipSpace(b, j + 1, n);
    } else {
      return b[j] === RBRACE ? j + 1 : -1;
    }
  }
}

/** `objectEnd` for an array: with `reading`, its elements are read with its fields and pushed on its `out`. */
function arrayEnd(b: Buffer, i: number, n: number, depth: number, reading: Reading<unknown[]> | undefined, cut: CutKeys | undefined): number {
  if (depth > MAX_DEPTH) return -1;
  let j = skipSpace(b, i + 1, n);
  if (b[j] === RBRACKET) return j + 1;
  for (;;) {
    if (reading === undefined) {
      j = valueEnd(b, j, n, depth, cut);
    } else {
      const value = readValue(b, j, n, depth, reading.fields, cut);
      if (value === FAIL) return -1;
      reading.out.push(value);
      j = readEnd;
    }
    if (j < 0) return -1;
    j = skipSpace(b, j, n);
    if (b[j] === COMMA) j = skipSpace(b, j + 1, n);
    else return b[j] === RBRACKET ? j + 1 : -1;
  }
}

/** The list's value at `i`: when an array, its records are read into `list`; the index after it, or -1. */
function recordsEnd(b: Buffer, i: number, n: number, fields: Fields | undefined): number {
  cutCount = 0;
  list = undefined;
  if (b[i] !== LBRACKET) return valueEnd(b, i, n, 1, undefined);
  const records: unknown[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const cutEnds: number[] = [];
  let j = skipSpace(b, i + 1, n);
  if (b[j] !== RBRACKET) {
    for (;;) {
      starts.push(j);
      const record = readValue(b, j, n, 2, fields, listCut);
      if (record === FAIL) return -1;
      j = readEnd;
      records.push(record);
      ends.push(j);
      cutEnds.push(cutCount);
      j = skipSpace(b, j, n);
      if (b[j] === COMMA) j = skipSpace(b, j + 1, n);
      else if (b[j] === RBRACKET) break;
      else return -1;
    }
  }
  list = { records, starts: Uint32Array.from(starts), ends: Uint32Array.from(ends), cuts: new Uint32Array(0), cutEnds: Uint32Array.from(cutEnds) };
  return j + 1;
}

/**
 * Whether the JSON values one after another in `bytes[start, end)`, comma-separated (a RawResult chunk's records),
 * may hold a member whose key is in `keys`, at any depth: true when one does (even holding null), and whenever the
 * text is not such values (not JSON, not UTF-8, nested past MAX_DEPTH), so that the caller checks it the long way.
 * Keys written with escapes are read as JSON.parse reads them.
 */
export function mayHoldKeys(bytes: Buffer, start: number, end: number, keys: CutKeys): boolean {
  if (!isUtf8(bytes.subarray(start, end))) return true;
  cutCount = 0;
  for (let j = skipSpace(bytes, start, end); ;) {
    j = valueEnd(bytes, j, end, 0, keys);
    if (j < 0 || cutCount > 0) return true;
    j = skipSpace(bytes, j, end);
    if (j === end) return false;
    if (bytes[j] !== COMMA) return true;
    j = skipSpace(bytes, j + 1, end);
  }
}
