/**
 * Rows → ClickHouse RowBinary, typed by the target table's column types (as system.columns spells them).
 *
 * Why: for the embedded engine, JSON is the expensive part of an insert on both sides. A raw_records row carries
 * a record's JSON text; as a JSON cell every quote in it is escaped by JSON.stringify and unescaped again by the
 * engine. RowBinary writes strings as length + bytes and numbers as fixed-width integers: for raw_records the
 * engine's insert takes a third of the time, and over all the sink's tables encode + insert does 1.3× the rows
 * per core-second (bench/sink-stages.ts).
 *
 * The encoder is strict: it takes only cells whose binary form is exact and unambiguous, the forms the sink's
 * mappers write (tables.ts): strings, safe integers and bigints, decimal text within the column's scale, Unix
 * seconds text ("1736467964.123") or a Date for DateTime64(3), "YYYY-MM-DD" for Date, null for NULL or DEFAULT.
 * Anything else (an ISO date string, a float for a Decimal, a type it does not know) makes `plan` return
 * undefined or `encode` throw NotBinaryEncodable, and the caller sends the rows as JSON instead, where the
 * engine's own parsing rules apply. So this file can only make an insert faster, never change what lands.
 *
 * Defaults: every top-level scalar column is declared Nullable in the payload's structure; a null or missing
 * cell is sent as NULL and `insert_null_as_default=1` turns it into the column's DEFAULT, as JSON's
 * input_format_null_as_default does.
 *
 * Rows can also arrive encoded already (RowBinaryRows: edge rows, encoded by the platform consumer under the
 * model's declared types, lib/model/columns.ts): `combineRowBinary` puts them and the object rows beside them
 * into one payload, and `decode` reads a payload back into cells `encode` takes, for the adapters and fallbacks
 * that insert objects (the HTTP adapter, an object row that does not fit the plan).
 */

/** A cell the strict encoder does not take; the caller falls back to JSON. */
export class NotBinaryEncodable extends Error {}

type Kind =
  | { t: 'string' }
  | { t: 'int'; bytes: 1 | 2 | 4 | 8; signed: boolean }
  | { t: 'float64' }
  | { t: 'decimal'; bytes: 4 | 8; scale: number }
  | { t: 'date' }
  | { t: 'datetime64' }
  | { t: 'nullable'; inner: Kind }
  | { t: 'array'; item: Kind }
  | { t: 'map'; key: Kind; value: Kind };

interface ParsedType {
  kind: Kind;
  /** The type as the payload's structure declares it (LowCardinality dropped: its binary form is the inner one). */
  text: string;
}

export interface RowBinaryPlan {
  /** Columns in payload order. */
  readonly columns: readonly string[];
  /** `name Type, …` for file()/input(): what the payload holds. */
  readonly structure: string;
  /**
   * The payload, in parts to be written one after the other: large byte cells (a record's text sliced from its
   * Kafka message) are parts of their own, not copied (the embedded warehouse writes all parts to its insert file
   * with one writev). With `ends`, each row's end offset in the payload is appended to it.
   */
  encode(rows: readonly Record<string, unknown>[], ends?: number[]): Buffer[];
  /**
   * Rows back from a payload of this plan, cells in the forms `encode` takes (decimal and Unix seconds text, dates
   * as "YYYY-MM-DD", safe integers as numbers, others as bigints); a NULL in a column that is not Nullable in the
   * table (the DEFAULT marker) leaves the cell out. For adapters and fallbacks that insert objects, not for speed.
   */
  decode(payload: Buffer): Record<string, unknown>[];
}

/**
 * Rows already encoded by `plan`, to be inserted as they are (rows mapped at the connector edge,
 * lib/model/edge-rows.ts): a Warehouse.insert takes them among its object rows.
 */
export class RowBinaryRows {
  constructor(
    readonly plan: RowBinaryPlan,
    /** Rows in `bytes`. */
    readonly count: number,
    readonly bytes: Buffer,
  ) {}
}

/**
 * Object rows and RowBinaryRows as one payload of the RowBinaryRows' plan, in order, the object rows encoded by
 * that plan: one insert, one block, one token. Undefined when there is no RowBinaryRows, their plans differ, an
 * object row has a column the plan lacks, or it holds a cell the strict encoder refuses: the caller then inserts
 * expandRows(rows), all objects.
 */
export function combineRowBinary(rows: readonly object[]): { plan: RowBinaryPlan; parts: Buffer[] } | undefined {
  let plan: RowBinaryPlan | undefined;
  for (const row of rows) {
    if (!(row instanceof RowBinaryRows)) continue;
    if (plan === undefined) plan = row.plan;
    else if (row.plan !== plan && row.plan.structure !== plan.structure) return undefined;
  }
  if (plan === undefined) return undefined;
  const known = new Set(plan.columns);
  const parts: Buffer[] = [];
  let run: Record<string, unknown>[] = [];
  const encodeRun = (of: RowBinaryPlan) => {
    if (run.length === 0) return;
    for (const part of of.encode(run)) parts.push(part);
    run = [];
  };
  try {
    for (const row of rows) {
      if (row instanceof RowBinaryRows) {
        encodeRun(plan);
        parts.push(row.bytes);
        continue;
      }
      for (const key in row) if (!known.has(key)) return undefined;
      run.push(row as Record<string, unknown>);
    }
    encodeRun(plan);
  } catch (error) {
    if (error instanceof NotBinaryEncodable) return undefined;
    throw error;
  }
  return { plan, parts };
}

/** Object rows and pre-encoded rows as object rows only, in order (for a payload that is not this plan's RowBinary). */
export function expandRows(rows: readonly object[]): Record<string, unknown>[] {
  if (!rows.some((row) => row instanceof RowBinaryRows)) return rows as Record<string, unknown>[];
  return rows.flatMap((row) => (row instanceof RowBinaryRows ? row.plan.decode(row.bytes) : [row as Record<string, unknown>]));
}

/** A plan for these columns of a table whose types are `types`, or undefined when one is not supported. */
export function planRowBinary(columns: readonly string[], types: ReadonlyMap<string, string>): RowBinaryPlan | undefined {
  const parsed: ParsedType[] = [];
  for (const column of columns) {
    const type = types.get(column);
    const kind = type === undefined ? undefined : parseType(type);
    if (kind === undefined) return undefined;
    parsed.push(kind);
  }
  // Top-level scalars go as Nullable (null → DEFAULT); containers cannot be Nullable and take no null.
  const declared = parsed.map((p) =>
    p.kind.t === 'nullable' || p.kind.t === 'array' || p.kind.t === 'map' ? p : { kind: { t: 'nullable', inner: p.kind } as Kind, text: `Nullable(${p.text})` },
  );
  const structure = columns.map((c, i) => `${c} ${(declared[i] as ParsedType).text}`).join(', ');
  const writers = declared.map((d) => writerOf(d.kind));
  // A NULL where the table's column is not Nullable stands for DEFAULT: read back as a missing cell.
  const readers = declared.map((d, i) => readerOf(d.kind, d !== parsed[i]));
  // Sized from the previous batch: growing a buffer of hundreds of MB by doubling copied it about twice over.
  let copiedPerRow = 64;
  return {
    columns,
    structure,
    encode(rows, ends) {
      const out = new ByteWriter(Math.ceil(rows.length * copiedPerRow * 1.1));
      for (const row of rows) {
        for (let i = 0; i < columns.length; i++) (writers[i] as CellWriter)(out, row[columns[i] as string]);
        ends?.push(out.offset);
      }
      if (rows.length > 0) copiedPerRow = out.copied / rows.length;
      return out.result();
    },
    decode(payload) {
      const input = { buf: payload, pos: 0 };
      const rows: Record<string, unknown>[] = [];
      while (input.pos < payload.length) {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i++) {
          const value = (readers[i] as CellReader)(input);
          if (value !== undefined) row[columns[i] as string] = value;
        }
        rows.push(row);
      }
      if (input.pos !== payload.length) throw new NotBinaryEncodable('a payload that ends inside a row');
      return rows;
    },
  };
}

const SIMPLE: Readonly<Record<string, Kind>> = {
  String: { t: 'string' },
  UInt8: { t: 'int', bytes: 1, signed: false },
  UInt16: { t: 'int', bytes: 2, signed: false },
  UInt32: { t: 'int', bytes: 4, signed: false },
  UInt64: { t: 'int', bytes: 8, signed: false },
  Int8: { t: 'int', bytes: 1, signed: true },
  Int16: { t: 'int', bytes: 2, signed: true },
  Int32: { t: 'int', bytes: 4, signed: true },
  Int64: { t: 'int', bytes: 8, signed: true },
  Float64: { t: 'float64' },
  Date: { t: 'date' },
};

/** system.columns type text → its binary kind, or undefined when this encoder does not speak it. */
export function parseType(text: string): ParsedType | undefined {
  const simple = SIMPLE[text];
  if (simple) return { kind: simple, text };
  const call = /^(\w+)\((.*)\)$/s.exec(text);
  if (!call) return undefined;
  const [, name, inside = ''] = call;
  const args = splitArguments(inside);
  switch (name) {
    case 'LowCardinality':
    case 'Nullable': {
      const inner = args.length === 1 ? parseType(args[0] as string) : undefined;
      if (!inner) return undefined;
      return name === 'LowCardinality' ? inner : { kind: { t: 'nullable', inner: inner.kind }, text: `Nullable(${inner.text})` };
    }
    case 'Array': {
      const item = args.length === 1 ? parseType(args[0] as string) : undefined;
      return item && { kind: { t: 'array', item: item.kind }, text: `Array(${item.text})` };
    }
    case 'Map': {
      const key = args.length === 2 ? parseType(args[0] as string) : undefined;
      const value = args.length === 2 ? parseType(args[1] as string) : undefined;
      return key && value && { kind: { t: 'map', key: key.kind, value: value.kind }, text: `Map(${key.text}, ${value.text})` };
    }
    case 'Decimal': {
      const [precision, scale] = args.map(Number) as [number, number];
      if (!(precision >= 1 && precision <= 18 && scale >= 0 && scale <= precision)) return undefined;
      return { kind: { t: 'decimal', bytes: precision <= 9 ? 4 : 8, scale }, text };
    }
    case 'DateTime64':
      // Ticks are milliseconds only at precision 3; the zone changes how the value reads, not its binary form.
      return args[0] === '3' ? { kind: { t: 'datetime64' }, text } : undefined;
    default:
      return undefined;
  }
}

/** Top-level commas of a type's argument list ("String, Map(String, UInt64)" → two). */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" && text[i - 1] !== '\\') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(text.slice(start).trim());
  return args;
}

const EPOCH_TEXT = /^(-?\d{1,12})(?:\.(\d{1,3}))?$/;
const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER_TEXT = /^-?\d+$/;
const DAY_MS = 86_400_000;

type CellWriter = (out: ByteWriter, value: unknown) => void;

/** The writer of one kind, built once per plan (a switch per cell cost more than the writing). */
function writerOf(kind: Kind): CellWriter {
  switch (kind.t) {
    case 'nullable': {
      const inner = writerOf(kind.inner);
      return (out, value) => {
        if (value === null || value === undefined) return out.u8(1);
        out.u8(0);
        inner(out, value);
      };
    }
    case 'string':
      return (out, value) => {
        if (typeof value === 'string') return out.string(value);
        // UTF-8 bytes as they came (a record's JSON sliced from its Kafka message): written without a decode.
        if (value instanceof Uint8Array) return out.bytes(value);
        throw new NotBinaryEncodable(`not a string: ${typeof value}`);
      };
    case 'int': {
      const bounds = INT_RANGE[`${kind.signed ? 's' : 'u'}${kind.bytes}`] as IntRange;
      return (out, value) => out.int(toInteger(value), kind.bytes, kind.signed, bounds);
    }
    case 'float64':
      return (out, value) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new NotBinaryEncodable('not a finite number');
        out.f64(value);
      };
    case 'decimal': {
      const bounds = INT_RANGE[`s${kind.bytes}`] as IntRange;
      const read = lastValue((value) => scaledDecimal(value, kind.scale));
      return (out, value) => out.int(read(value), kind.bytes, true, bounds);
    }
    case 'date': {
      return (out, value) => out.int(epochDays(value), 2, false, INT_RANGE.u2 as IntRange);
    }
    case 'datetime64': {
      const read = lastValue(epochMillis);
      return (out, value) => out.int(read(value), 8, true, INT_RANGE.s8 as IntRange);
    }
    case 'array': {
      const item = writerOf(kind.item);
      return (out, value) => {
        if (!Array.isArray(value)) throw new NotBinaryEncodable('not an array');
        out.varint(value.length);
        for (const entry of value) item(out, entry);
      };
    }
    case 'map': {
      const key = writerOf(kind.key);
      const item = writerOf(kind.value);
      return (out, value) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new NotBinaryEncodable('not a map object');
        const entries = Object.entries(value);
        out.varint(entries.length);
        for (const [k, v] of entries) {
          key(out, k);
          item(out, v);
        }
      };
    }
  }
}

/**
 * `read` remembering its last text and result: a column's cells repeat from row to row (every row of a chunk has
 * its fetch time; an order's items its order time; most discounts are "0.00"), and one compare of the same string
 * costs far less than reading it again. Only strings are remembered: a string is a value, its result cannot change.
 */
function lastValue<T>(read: (value: unknown) => T): (value: unknown) => T {
  let lastText: string | undefined;
  let lastResult!: T;
  return (value) => {
    if (typeof value !== 'string') return read(value);
    if (value !== lastText) {
      lastResult = read(value);
      lastText = value;
    }
    return lastResult;
  };
}

interface ByteReader {
  buf: Buffer;
  pos: number;
}

type CellReader = (input: ByteReader) => unknown;

/** The reader of one kind: the inverse of writerOf. `nullIsDefault`: a NULL reads as undefined (a missing cell). */
function readerOf(kind: Kind, nullIsDefault = false): CellReader {
  switch (kind.t) {
    case 'nullable': {
      const inner = readerOf(kind.inner);
      const none = nullIsDefault ? undefined : null;
      return (input) => (input.buf[input.pos++] === 0 ? inner(input) : none);
    }
    case 'string':
      return (input) => {
        const length = readVarint(input);
        const end = input.pos + length;
        if (end > input.buf.length) throw new NotBinaryEncodable('a string past the payload');
        const text = input.buf.toString('utf8', input.pos, end);
        input.pos = end;
        return text;
      };
    case 'int':
      return (input) => readInt(input, kind.bytes, kind.signed);
    case 'float64':
      return (input) => {
        const value = input.buf.readDoubleLE(input.pos);
        input.pos += 8;
        return value;
      };
    case 'decimal':
      return (input) => decimalText(BigInt(readInt(input, kind.bytes, true)), kind.scale);
    case 'date':
      return (input) => new Date((readInt(input, 2, false) as number) * DAY_MS).toISOString().slice(0, 10);
    case 'datetime64':
      return (input) => {
        // Text whose Number() is the instant in seconds, as epochMillis reads it: the sign goes before both parts.
        const ms = Number(readInt(input, 8, true));
        const abs = Math.abs(ms);
        return `${ms < 0 ? '-' : ''}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
      };
    case 'array': {
      const item = readerOf(kind.item);
      return (input) => Array.from({ length: readVarint(input) }, () => item(input));
    }
    case 'map': {
      const key = readerOf(kind.key);
      const item = readerOf(kind.value);
      return (input) => {
        const entries: Record<string, unknown> = {};
        for (let n = readVarint(input); n > 0; n--) entries[String(key(input))] = item(input);
        return entries;
      };
    }
  }
}

function readVarint(input: ByteReader): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = input.buf[input.pos++];
    if (byte === undefined) throw new NotBinaryEncodable('a length past the payload');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
}

/** A safe integer as a number, a larger one as a bigint. */
function readInt(input: ByteReader, bytes: 1 | 2 | 4 | 8, signed: boolean): number | bigint {
  const { buf, pos } = input;
  input.pos += bytes;
  if (bytes !== 8) return signed ? buf.readIntLE(pos, bytes) : buf.readUIntLE(pos, bytes);
  const value = signed ? buf.readBigInt64LE(pos) : buf.readBigUInt64LE(pos);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** -1250 at scale 2 → "-12.50". */
function decimalText(scaled: bigint, scale: number): string {
  const sign = scaled < 0n ? '-' : '';
  const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(scale + 1, '0');
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function epochDays(value: unknown): number {
  const m = typeof value === 'string' ? DATE_TEXT.exec(value) : null;
  const days = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : Number.NaN;
  // Date.UTC rolls 2026-02-31 over to March: only a date that reads back the same is taken.
  if (!(days >= 0) || new Date(days * DAY_MS).toISOString().slice(0, 10) !== value) throw new NotBinaryEncodable('not a Date');
  return days;
}

function toInteger(value: unknown): number | bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return BigInt(value);
  throw new NotBinaryEncodable('not an exact integer');
}

/** "39500.5" at scale 2 → 3950050; more fraction digits than the scale would round, so they are refused. */
function scaledDecimal(value: unknown, scale: number): number | bigint {
  const m = typeof value === 'string' ? DECIMAL_TEXT.exec(value) : null;
  if (!m) throw new NotBinaryEncodable('not decimal text');
  const [, sign, whole = '', fraction = ''] = m;
  if (fraction.length > scale) throw new NotBinaryEncodable('more decimals than the column keeps');
  const digits = whole + fraction.padEnd(scale, '0');
  const scaled = digits.length <= 15 ? Number(digits) : BigInt(digits);
  return sign === '-' ? -scaled : scaled;
}

/** Unix seconds text with up to 3 decimals (the sink's EpochText), or a Date → milliseconds. */
function epochMillis(value: unknown): number {
  if (typeof value === 'string' && EPOCH_TEXT.test(value)) {
    // ≤ 15 significant digits: the double is within 0.2 ms of the exact value, so rounding to ms is exact.
    return Math.round(Number(value) * 1000);
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  throw new NotBinaryEncodable('not Unix seconds text or a Date');
}

/** [min, max] per integer width: as numbers for safe-integer cells, as bigints for the rest. */
type IntRange = readonly [min: number, max: number, minBig: bigint, maxBig: bigint];
const range = (min: bigint, max: bigint): IntRange => [Number(min), Number(max), min, max];
const INT_RANGE: Readonly<Record<string, IntRange>> = {
  u1: range(0n, 0xffn), u2: range(0n, 0xffffn), u4: range(0n, 0xffffffffn), u8: range(0n, 2n ** 64n - 1n),
  s1: range(-(2n ** 7n), 2n ** 7n - 1n), s2: range(-(2n ** 15n), 2n ** 15n - 1n), s4: range(-(2n ** 31n), 2n ** 31n - 1n), s8: range(-(2n ** 63n), 2n ** 63n - 1n),
};

/**
 * Byte cells at least this long are passed on as parts, not copied: a Cafe24 order's text (~7 KB) copied into the
 * payload was a quarter of the sink's RowBinary encoding (bench cafe24's profile), and the file write copies it anyway.
 */
const OWN_PART_BYTES = 1024;

/** A growing little-endian buffer, and the large byte cells passed on beside it. */
class ByteWriter {
  #buf: Buffer;
  #pos = 0;
  /** Where the bytes not yet handed to #parts start in #buf. */
  #start = 0;
  /** Bytes written into buffers given up when growing. */
  #copiedBefore = 0;
  /** Bytes of the payload in #parts. */
  #passed = 0;
  readonly #parts: Buffer[] = [];

  constructor(initial: number) {
    this.#buf = Buffer.allocUnsafe(Math.max(initial, 1024));
  }

  /** Bytes written into the buffer (not the parts passed on). */
  get copied(): number {
    return this.#copiedBefore + this.#pos;
  }

  /** Bytes of the payload so far, parts passed on included. */
  get offset(): number {
    return this.#passed + this.#pos - this.#start;
  }

  result(): Buffer[] {
    if (this.#pos > this.#start) this.#parts.push(this.#buf.subarray(this.#start, this.#pos));
    return this.#parts;
  }

  u8(value: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = value;
  }

  varint(value: number): void {
    this.#ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  string(value: string): void {
    // ≤ 42 UTF-16 units encode to ≤ 126 bytes: a one-byte length, written after the bytes are.
    if (value.length <= 42) {
      this.#ensure(1 + value.length * 3);
      const buf = this.#buf;
      const at = this.#pos + 1;
      // Ids, codes and statuses are ASCII: copied here, a short string costs a fraction of a call into
      // Buffer.write (that call was a third of the typed tables' encoding, bench cafe24's sink profile).
      let written = 0;
      while (written < value.length) {
        const code = value.charCodeAt(written);
        if (code > 0x7f) break;
        buf[at + written++] = code;
      }
      if (written < value.length) written = buf.write(value, at, 'utf8');
      buf[this.#pos] = written;
      this.#pos = at + written;
      return;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes);
    this.#ensure(bytes);
    this.#pos += this.#buf.write(value, this.#pos, 'utf8');
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    if (value.length >= OWN_PART_BYTES) {
      this.#parts.push(this.#buf.subarray(this.#start, this.#pos), Buffer.from(value.buffer, value.byteOffset, value.length));
      this.#passed += this.#pos - this.#start + value.length;
      this.#start = this.#pos;
      return;
    }
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  f64(value: number): void {
    this.#ensure(8);
    this.#pos = this.#buf.writeDoubleLE(value, this.#pos);
  }

  int(value: number | bigint, bytes: 1 | 2 | 4 | 8, signed: boolean, [min, max, minBig, maxBig]: IntRange): void {
    if (typeof value === 'number' ? value < min || value > max : value < minBig || value > maxBig) {
      throw new NotBinaryEncodable(`${value} is out of range`);
    }
    this.#ensure(8);
    const buf = this.#buf;
    if (bytes === 8) {
      if (typeof value === 'bigint') {
        this.#pos = signed ? buf.writeBigInt64LE(value, this.#pos) : buf.writeBigUInt64LE(value, this.#pos);
      } else {
        // A safe integer in two 32-bit halves: no BigInt allocated per cell.
        const high = Math.floor(value / 0x1_0000_0000);
        buf.writeUInt32LE(value - high * 0x1_0000_0000, this.#pos);
        buf.writeInt32LE(high, this.#pos + 4);
        this.#pos += 8;
      }
      return;
    }
    // In range, so its low bytes are its two's complement: written as they are, without Buffer's own checks.
    let n = Number(value);
    let pos = this.#pos;
    for (let k = 0; k < bytes; k++) {
      buf[pos++] = n & 0xff;
      n >>= 8;
    }
    this.#pos = pos;
  }

  #ensure(bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return;
    // Only the bytes not yet passed on move: the parts keep slices of the old buffer.
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos - this.#start + bytes));
    this.#buf.copy(grown, 0, this.#start, this.#pos);
    this.#copiedBefore += this.#start;
    this.#pos -= this.#start;
    this.#start = 0;
    this.#buf = grown;
  }
}
