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

/**
 * RFC 8785 (JCS) canonical JSON of a value. Throws on what JSON cannot carry
 * exactly (NaN, Infinity, bigint, undefined at the top), because a digest of an
 * ambiguous encoding would prove nothing.
 */
export const canonicalJson = (value: unknown): string => {
  const text = canonicalizeFn(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
};
