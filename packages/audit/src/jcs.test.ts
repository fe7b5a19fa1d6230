import { canonicalJson, libraryCanonicalJson, quoteJson } from './jcs.js';

/**
 * A seeded generator of JSON values (mulberry32), so a failure names a seed that
 * reproduces it. fast-check is not a dependency of this package; this covers the
 * same ground for the one property that matters here: equality with the library.
 */
const random = (seed: number) => {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
};
type Random = ReturnType<typeof random>;

// Units chosen for JCS's edge cases: escapes, controls, U+2028, non-ASCII in and
// out of the BMP (where UTF-16 order differs from code-point order), lone surrogates.
const UNITS = [
  'a',
  'b',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  'é',
  'ạ',
  'Đ',
  'ừ',
  '\u2028',
  '\u2029',
  '€',
  '\uffff',
  '😀',
  '\ud800',
  '\udfff',
  'ﬀ',
];

const text = (r: Random): string => {
  let out = '';
  const length = r.int(9);
  for (let i = 0; i < length; i++) out += r.pick(UNITS);
  return out;
};

const number = (r: Random): number => {
  switch (r.int(7)) {
    case 0:
      return r.int(2000) - 1000;
    case 1:
      return r.pick([
        0, -0, 1e21, 1e-7, 9007199254740991, -9007199254740992, 5e-324, 1.7976931348623157e308,
      ]);
    case 2:
      return (r.next() - 0.5) * 10 ** (r.int(60) - 30);
    case 3:
      return r.pick([
        0.1,
        0.2,
        0.30000000000000004,
        1e20,
        123456789012345680000,
        4.35,
        2 ** 53 + 2,
      ]);
    default: {
      // Any finite double, from random bits.
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, r.int(2 ** 32));
      view.setUint32(4, r.int(2 ** 32));
      const n = view.getFloat64(0);
      return Number.isFinite(n) ? n : 0;
    }
  }
};

const value = (r: Random, depth: number): unknown => {
  const kind = r.int(depth > 3 ? 5 : 8);
  switch (kind) {
    case 0:
      return text(r);
    case 1:
      return number(r);
    case 2:
      return r.next() < 0.5;
    case 3:
      return null;
    case 4:
      return r.pick(['cdbk-017', 'Hoàng Thị Lan', '2025-05-12', 'lms.moodle', '']);
    case 5:
      return Array.from({ length: r.int(5) }, () =>
        r.int(12) === 0 ? undefined : value(r, depth + 1),
      );
    default: {
      const o: Record<string, unknown> = {};
      const keys = r.int(7);
      for (let i = 0; i < keys; i++) o[text(r)] = r.int(12) === 0 ? undefined : value(r, depth + 1);
      return o;
    }
  }
};

const outcome = (f: () => string | undefined): string => {
  try {
    return `ok ${f()}`;
  } catch (e) {
    return `throws ${(e as Error).constructor.name}`;
  }
};

describe('canonicalJson', () => {
  it('equals the canonicalize library on random JSON values', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const v = value(random(seed), 0);
      const ours = canonicalJson(v);
      if (ours !== libraryCanonicalJson(v)) {
        throw new Error(`seed ${seed}: ${ours} !== ${String(libraryCanonicalJson(v))}`);
      }
    }
  });

  it('orders keys by UTF-16 code units, not code points', () => {
    // By code point U+FB00 comes before U+1F600; in UTF-16 the emoji's first unit 0xD83D is smaller.
    expect(canonicalJson({ '\ufb00': 1, '😀': 2, '\u20ac': 3, a: 4 })).toBe(
      '{"a":4,"€":3,"😀":2,"ﬀ":1}',
    );
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([-0, 1e21, 1e-7, 0.000001, 1e20, 5e-324, 333333333.3333333])).toBe(
      '[0,1e+21,1e-7,0.000001,100000000000000000000,5e-324,333333333.3333333]',
    );
  });

  it('leaves what is not plain JSON to the library, with its result or error', () => {
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const odd: unknown[] = [
      new Date(0),
      { at: new Date(0), n: 1 },
      { toJSON: 'not a function' },
      sparse,
      [undefined, 1],
      { a: undefined, b: 1 },
      { s: Symbol('s'), b: 1 },
      [Symbol('s')],
      NaN,
      { n: Infinity },
      [-Infinity],
      10n,
      { big: 1n },
      undefined,
    ];
    for (const v of odd) {
      expect(outcome(() => canonicalJson(v))).toBe(
        outcome(() => {
          const t = libraryCanonicalJson(v);
          if (t === undefined) throw new TypeError('no canonical form');
          return t;
        }),
      );
    }
    expect(() => canonicalJson(NaN)).toThrow();
    expect(() => canonicalJson({ n: Infinity })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe('quoteJson', () => {
  it('writes strings exactly as JSON.stringify does', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const s = text(random(seed));
      if (quoteJson(s) !== JSON.stringify(s)) throw new Error(`seed ${seed}: ${quoteJson(s)}`);
    }
  });
});
