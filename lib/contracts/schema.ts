/**
 * A minimal runtime schema: each validator checks an unknown value and returns the typed value or the path and
 * reason of the first mismatch. The event contracts are declared with it once, and their TypeScript types are
 * inferred from the declaration, so the type and the check cannot drift apart.
 */
export type Check<T> = (value: unknown, path: string) => { ok: true; value: T } | { ok: false; reason: string };
export type Infer<C> = C extends Check<infer T> ? T : never;

const pass = <T>(value: T) => ({ ok: true as const, value });
const fail = (path: string, expected: string, value: unknown) => ({
  ok: false as const,
  reason: `${path || 'message'}: expected ${expected}, got ${describe(value)}`,
});

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
  return typeof value;
}

export const string = (opts: { pattern?: RegExp; max?: number } = {}): Check<string> => (value, path) => {
  if (typeof value !== 'string') return fail(path, 'a string', value);
  if (opts.max !== undefined && value.length > opts.max) return fail(path, `at most ${opts.max} chars`, value);
  if (opts.pattern && !opts.pattern.test(value)) return fail(path, `a string matching ${opts.pattern}`, value);
  return pass(value);
};

export const integer = (opts: { min?: number; max?: number } = {}): Check<number> => (value, path) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(path, 'an integer', value);
  if (opts.min !== undefined && value < opts.min) return fail(path, `an integer ≥ ${opts.min}`, value);
  if (opts.max !== undefined && value > opts.max) return fail(path, `an integer ≤ ${opts.max}`, value);
  return pass(value);
};

export const literal = <const L extends string | number | boolean>(expected: L): Check<L> => (value, path) =>
  value === expected ? pass(expected) : fail(path, JSON.stringify(expected), value);

export const oneOf = <const L extends string>(choices: readonly L[]): Check<L> => (value, path) =>
  choices.includes(value as L) ? pass(value as L) : fail(path, `one of ${choices.join('|')}`, value);

/** ISO-8601 date-time with an explicit offset, e.g. 2026-11-30T10:00:00.000Z or …+09:00. */
export const isoDateTime = (): Check<string> => (value, path) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
  !Number.isNaN(Date.parse(value))
    ? pass(value)
    : fail(path, 'an ISO-8601 date-time with offset', value);

export const array = <T>(item: Check<T>, opts: { max?: number } = {}): Check<T[]> => (value, path) => {
  if (!Array.isArray(value)) return fail(path, 'an array', value);
  if (opts.max !== undefined && value.length > opts.max) return fail(path, `at most ${opts.max} items`, value);
  const out: T[] = [];
  for (let i = 0; i < value.length; i++) {
    const result = item(value[i], `${path}[${i}]`);
    if (!result.ok) return result;
    out.push(result.value);
  }
  return pass(out);
};

export const record = <T>(item: Check<T>): Check<Record<string, T>> => (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'an object', value);
  const out: Record<string, T> = {};
  for (const [key, entry] of Object.entries(value)) {
    const result = item(entry, `${path}.${key}`);
    if (!result.ok) return result;
    out[key] = result.value;
  }
  return pass(out);
};

/** Any JSON value, passed through as it came: source records are typed later, by the platform's mapper. */
export const json = (): Check<unknown> => (value) => pass(value);

const OPTIONAL = Symbol('optional');
type Optional<T> = Check<T | undefined> & { [OPTIONAL]: true };
export const optional = <T>(check: Check<T>): Optional<T> =>
  Object.assign<Check<T | undefined>, { [OPTIONAL]: true }>(
    (value, path) => (value === undefined ? pass(undefined) : check(value, path)),
    { [OPTIONAL]: true },
  );

type Shape = Record<string, Check<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** An object with exactly these fields; unknown fields are dropped, so a newer producer cannot smuggle data in. */
export const object = <S extends Shape>(shape: S): Check<ObjectOf<S>> => (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'an object', value);
  const out: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(shape)) {
    const result = check((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (!result.ok) return result;
    if (result.value !== undefined) out[key] = result.value;
  }
  return pass(out as ObjectOf<S>);
};
