import canonicalizeModule from 'canonicalize';

type Canonicalize = (input: unknown) => string | undefined;

// `canonicalize` is CommonJS (`module.exports = fn`) with an ESM-style typing;
// depending on the loader's interop the default import is the function itself
// or a namespace holding it, so resolve it once here.
const loaded: unknown = canonicalizeModule;
const canonicalizeFn: Canonicalize =
  typeof loaded === 'function'
    ? (loaded as Canonicalize)
    : (loaded as { default: Canonicalize }).default;

/** Met a value the JSON writer leaves to the library (see {@link canonicalJson}). */
const NOT_PLAIN = Symbol('not plain JSON');

/**
 * A JSON string literal, as JSON.stringify writes it. Most text needs no escape
 * (no `"`, `\`, control character or surrogate, paired or lone); scanning for
 * that in JS is about twice as fast as calling JSON.stringify per string.
 */
export const quoteJson = (text: string): string => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
};

/**
 * Sorts keys in place by UTF-16 code units, as JCS requires and as `<` on
 * strings compares. Objects here have a handful of keys, where an insertion
 * sort beats the generic `Array.prototype.sort`.
 */
const sortKeys = (keys: string[]): string[] => {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
  return keys;
};

/**
 * `"key":` per key met: data objects share a small set of keys, and a lookup is
 * cheaper than scanning and quoting the key again (measured ~1.5x on the whole
 * writer). Bounded, for data whose keys do not repeat.
 */
const KEY_PREFIXES_KEPT = 1024;
const keyPrefixes = new Map<string, string>();
const keyPrefix = (key: string): string => {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${quoteJson(key)}:`;
    if (keyPrefixes.size >= KEY_PREFIXES_KEPT) keyPrefixes.clear();
    keyPrefixes.set(key, prefix);
  }
  return prefix;
};

/**
 * JCS of plain JSON data: strings, finite numbers, booleans, null, arrays and
 * objects of them. The rules it relies on: JCS writes strings and numbers exactly
 * as JSON.stringify does (ECMAScript Number::toString, `-0` as `0`), and orders
 * keys by UTF-16 code units. Returns NOT_PLAIN on anything else, rather than
 * guess at the library's treatment of it.
 */
const write = (value: unknown): string | typeof NOT_PLAIN => {
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      return Number.isFinite(value) ? `${value}` : NOT_PLAIN;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return 'null';
  if ((value as { toJSON?: unknown }).toJSON !== undefined) return NOT_PLAIN;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    let out = '[';
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // `undefined` items become null, as in JSON.stringify; holes do not (the library drops them).
      const text = item === undefined ? (i in items ? 'null' : NOT_PLAIN) : write(item);
      if (text === NOT_PLAIN) return NOT_PLAIN;
      out += i === 0 ? text : `,${text}`;
    }
    return `${out}]`;
  }
  const record = value as Readonly<Record<string, unknown>>;
  let out = '{';
  for (const key of sortKeys(Object.keys(record))) {
    const item = record[key];
    if (item === undefined) continue;
    const text = write(item);
    if (text === NOT_PLAIN) return NOT_PLAIN;
    out += `${out.length === 1 ? '' : ','}${keyPrefix(key)}${text}`;
  }
  return `${out}}`;
};

/**
 * RFC 8785 (JCS) canonical JSON of a value. Throws on what JSON cannot carry
 * exactly (NaN, Infinity, bigint, undefined at the top), because a digest of an
 * ambiguous encoding would prove nothing.
 *
 * Written here for plain JSON data because it is the hot path of a full
 * verification (two digests per event): on the data of a 249k-event store it
 * runs about twice as fast as the `canonicalize` library (measured 2.1-2.2x).
 * Anything else (toJSON, symbols, functions, sparse arrays, non-finite numbers)
 * goes to the library, and a property test holds both to the same output.
 */
export const canonicalJson = (value: unknown): string => {
  const fast = write(value);
  if (fast !== NOT_PLAIN) return fast;
  const text = canonicalizeFn(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
};

/** The library's output, for the property test that holds {@link canonicalJson} to it. */
export const libraryCanonicalJson = (value: unknown): string | undefined => canonicalizeFn(value);
