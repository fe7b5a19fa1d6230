import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('gives the same text for objects whose keys were written in another order, at any depth', () => {
    const a = { teacherId: 't1', values: [{ numerator: 1, indicator: 'x' }], n: 2 };
    const b = { n: 2, values: [{ indicator: 'x', numerator: 1 }], teacherId: 't1' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('tells apart data that differs in a value, in array order or in a missing key', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: 1, b: null })).not.toBe(canonicalJson({ a: 1 }));
  });

  it('drops undefined members as JSON.stringify does, so stored and sent data compare equal', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson(JSON.parse('{"a":1}')));
  });

  it('keeps Vietnamese text as it is, without normalising NFC and NFD', () => {
    const nfc = 'Nguyễn Thị Hằng';
    expect(canonicalJson({ n: nfc })).not.toBe(canonicalJson({ n: nfc.normalize('NFD') }));
  });
});
