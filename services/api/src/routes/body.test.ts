import { jsonDepth } from './body.js';

describe('jsonDepth', () => {
  it('counts nesting of arrays and objects, not brackets inside strings', () => {
    expect(jsonDepth('"x"')).toBe(0);
    expect(jsonDepth('[{"a":[1,{"b":[]}]}]')).toBe(5);
    expect(jsonDepth('{"name":"[[[[{{{{"}')).toBe(1);
  });

  it('ends a string only at an unescaped quote', () => {
    // "a\"[[" is one string; "b\\" ends at its second quote, so the bracket after it counts.
    expect(jsonDepth(String.raw`{"k":"a\"[[","l":["b\\",[1]]}`)).toBe(3);
    expect(jsonDepth(String.raw`["\\\"[","\\\\"]`)).toBe(1);
  });

  it('agrees with the depth of what JSON.parse reads', () => {
    const depthOf = (v: unknown): number =>
      typeof v === 'object' && v !== null
        ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf))
        : 0;
    const values = [
      { id: 'x"y', data: { list: ['[', ']', '{\\', { deep: [[['"]']]] }] }, m: '\\' },
      [[], {}, '\\"', [[[[['}}}}']]]]]],
    ];
    for (const v of values) expect(jsonDepth(JSON.stringify(v))).toBe(depthOf(v));
  });
});
