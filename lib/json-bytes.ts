/**
 * JSON text walked as UTF-8 bytes, so that a connector can send each record on as the source wrote it instead of
 * serialising the parsed record again: JSON.stringify and its UTF-8 write were ~56 µs of the ~260 µs of consumer CPU
 * per Cafe24 order (bench/cafe24.ts, profiled). It does two things only: find a page's list and step over its
 * elements (`listStart`, `firstElement`, `nextElement`, `closesPage`), and copy one value without the object members whose key
 * is listed, at any depth (`copyWithoutMembers`), which is also what finds where the value ends. Strings are
 * skipped from quote to quote, so nothing inside one is read as structure.
 *
 * The text must be one that JSON.parse accepted (the caller parsed the same bytes): brackets are counted, not
 * matched. What it cannot walk safely (a key written with escapes where a listed key could hide, nesting deeper
 * than MAX_DEPTH) gives undefined or -1, and the caller serialises the parsed value instead.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MAX_DEPTH = 256;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isSpace(b[i])) i++;
  return i;
}

/** Set by stringEnd: whether the string it last walked holds a backslash escape. */
let escaped = false;

/** The index after the closing quote of the string that opens at `i`, or -1. */
function stringEnd(b: Buffer, i: number, end: number): number {
  escaped = false;
  for (let j = i + 1; j < end; j++) {
    const c = b[j];
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      escaped = true;
      j++;
    }
  }
  return -1;
}

/** The index after the value that starts at `i` (no space before it), or -1. */
function valueEnd(b: Buffer, i: number, end: number): number {
  const first = b[i];
  if (first === QUOTE) return stringEnd(b, i, end);
  if (first === LBRACE || first === LBRACKET) {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const c = b[j];
      if (c === QUOTE) {
        j = stringEnd(b, j, end) - 1;
        if (j < 0) return -1;
      } else if (c === LBRACE || c === LBRACKET) {
        depth++;
      } else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < end) {
    const c = b[j];
    if (c === COMMA || c === RBRACE || c === RBRACKET || isSpace(c)) break;
    j++;
  }
  return j > i ? j : -1;
}

/**
 * The index of the `[` that opens the top-level object's `key` array, or -1 when the text is not an object whose
 * members up to that key are readable (a key written with escapes could be read by JSON.parse as the list's key
 * where this does not). The rest of the page is checked by `closesPage` once the list has been walked, so that
 * the list is walked once.
 */
export function listStart(b: Buffer, key: string): number {
  const end = b.length;
  const i = skipSpace(b, 0, end);
  if (b[i] !== LBRACE) return -1;
  const found = members(b, skipSpace(b, i + 1, end), Buffer.from(key, 'utf8'), true);
  return found >= 0 && b[found] === LBRACKET ? found : -1;
}

/**
 * Whether the list that ends at `i` (after its last element) closes, and the page after it holds no other `key`
 * member (JSON.parse would take the last one) and no key written with escapes.
 */
export function closesPage(b: Buffer, i: number, key: string): boolean {
  let j = skipSpace(b, i, b.length);
  if (b[j] !== RBRACKET) return false;
  j = skipSpace(b, j + 1, b.length);
  if (b[j] === RBRACE) return true;
  return b[j] === COMMA && members(b, skipSpace(b, j + 1, b.length), Buffer.from(key, 'utf8'), false) === -2;
}

/**
 * Reads top-level members from `i`: with `stop`, returns where the value of the first `want` member starts;
 * without, returns -2 when the object closes with no `want` member. -1 when a key holds escapes, or the text is not
 * members there.
 */
function members(b: Buffer, i: number, want: Buffer, stop: boolean): number {
  const end = b.length;
  while (b[i] === QUOTE) {
    const keyEnd = stringEnd(b, i, end);
    if (keyEnd < 0 || escaped) return -1;
    let j = skipSpace(b, keyEnd, end);
    if (b[j] !== COLON) return -1;
    j = skipSpace(b, j + 1, end);
    if (keyEnd - i - 2 === want.length && b.compare(want, 0, want.length, i + 1, keyEnd - 1) === 0) return stop ? j : -1;
    j = skipSpace(b, valueEnd(b, j, end), end);
    if (j < 0) return -1;
    if (b[j] === RBRACE) return stop ? -1 : -2;
    if (b[j] !== COMMA) return -1;
    i = skipSpace(b, j + 1, end);
  }
  return -1;
}

/**
 * After the list element that ended at `i`: the start of the next element, -1 at the list's end, -2 when the
 * text is not a list there.
 */
export function nextElement(b: Buffer, i: number): number {
  const j = skipSpace(b, i, b.length);
  if (b[j] === RBRACKET) return -1;
  return b[j] === COMMA ? skipSpace(b, j + 1, b.length) : -2;
}

/** The first element of the list whose `[` is at `i` (listStart), or -1 when it is empty. */
export function firstElement(b: Buffer, i: number): number {
  const j = skipSpace(b, i + 1, b.length);
  return b[j] === RBRACKET ? -1 : j;
}

/** A set of object keys matched against key bytes in place: by length first, so most keys cost one lookup. */
export class KeyBytes {
  private readonly byLength: (Buffer[] | undefined)[] = [];
  private readonly texts: ReadonlySet<string>;

  constructor(keys: Iterable<string>) {
    this.texts = new Set(keys);
    for (const key of this.texts) {
      const bytes = Buffer.from(key, 'utf8');
      (this.byLength[bytes.length] ??= []).push(bytes);
    }
  }

  /** Whether the key whose text (between its quotes) is `b[start, end)` is listed (`withEscapes`: it holds escapes). */
  has(b: Buffer, start: number, end: number, withEscapes: boolean): boolean {
    if (withEscapes) return this.texts.has(JSON.parse(b.toString('utf8', start - 1, end + 1)) as string);
    const candidates = this.byLength[end - start];
    if (candidates === undefined) return false;
    next: for (const key of candidates) {
      for (let k = 0; k < key.length; k++) if (b[start + k] !== key[k]) continue next;
      return true;
    }
    return false;
  }
}

/** Kinds of the open containers while copying, by depth. */
const OBJECT = 1;
const open = new Uint8Array(MAX_DEPTH + 1);

/** Where copyWithoutMembers stopped: the index after the value in the source, and after its copy in `out`. */
export interface CopyEnd {
  src: number;
  out: number;
}

/**
 * Copies the value that starts at `src[start]` (no space before it) into `out` from `at`, leaving out every object
 * member whose key is in `drop`, at any depth, with the comma that joined it; when `append` is given and the value
 * is an object, it is written as that object's last member. Sets `end` and returns true, or false when the text
 * cannot be walked. `out` needs room for the value's bytes plus `append` and its comma.
 */
export function copyWithoutMembers(src: Buffer, start: number, drop: KeyBytes, out: Buffer, at: number, append: Buffer | undefined, end: CopyEnd): boolean {
  const first = src[start];
  if (first !== LBRACE && first !== LBRACKET) {
    const stop = valueEnd(src, start, src.length);
    if (stop < 0) return false;
    end.src = stop;
    end.out = at + src.copy(out, at, start, stop);
    return true;
  }
  // One loop, strings walked inline: this runs over every byte a connector sends (~7.7 KB per Cafe24 order), and
  // with a call per string it cost twice a plain scan of the bytes.
  const limit = src.length;
  let written = at;
  let copied = start;
  let depth = 0;
  let expectKey = false;
  for (let i = start; i < limit; i++) {
    const c = src[i];
    if (c === QUOTE) {
      let j = i + 1;
      let withEscapes = false;
      for (; j < limit; j++) {
        const d = src[j];
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          withEscapes = true;
          j++;
        }
      }
      if (j >= limit) return false;
      if (!expectKey || !drop.has(src, i + 1, j, withEscapes)) {
        expectKey = false;
        i = j;
        continue;
      }
      let k = skipSpace(src, j + 1, limit);
      if (src[k] !== COLON) return false;
      const valueStop = valueEnd(src, skipSpace(src, k + 1, limit), limit);
      if (valueStop < 0) return false;
      k = skipSpace(src, valueStop, limit);
      written += src.copy(out, written, copied, i);
      if (src[k] === COMMA) {
        // Not the last member: it goes with the comma after it, and a key comes next.
        copied = k + 1;
        i = k;
      } else {
        // The last member: it goes with the comma before it, already copied.
        written = beforeTrailingComma(out, at, written);
        copied = valueStop;
        expectKey = false;
        i = k - 1;
      }
    } else if (c === COMMA) {
      expectKey = open[depth] === OBJECT;
    } else if (c === LBRACE || c === LBRACKET) {
      if (++depth > MAX_DEPTH) return false;
      open[depth] = c === LBRACE ? OBJECT : 0;
      expectKey = c === LBRACE;
    } else if (c === RBRACE || c === RBRACKET) {
      if (depth === 1) {
        if (append !== undefined && c === RBRACE) {
          written += src.copy(out, written, copied, i);
          if (out[lastNonSpace(out, at, written)] !== LBRACE) out[written++] = COMMA;
          written += append.copy(out, written);
          copied = i;
        }
        end.src = i + 1;
        end.out = written + src.copy(out, written, copied, i + 1);
        return true;
      }
      depth--;
      expectKey = false;
    }
  }
  return false;
}

function lastNonSpace(out: Buffer, from: number, to: number): number {
  let k = to - 1;
  while (k >= from && isSpace(out[k])) k--;
  return k;
}

/** `to`, or the index of the comma that ends `out[from, to)` (space after it included), when it ends with one. */
function beforeTrailingComma(out: Buffer, from: number, to: number): number {
  const k = lastNonSpace(out, from, to);
  return k >= from && out[k] === COMMA ? k : to;
}
