import { cellText } from './cell-text.js';

describe('cellText', () => {
  it.each(["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("x")'])(
    'neutralises %j with a leading apostrophe',
    (text) => {
      expect(cellText(text)).toBe(`'${text}`);
    },
  );

  it('leaves other text, numbers and empty cells as they are', () => {
    for (const v of ['Nguyễn Thị Ánh', 'ĐH Thái Nguyên', " ='not at the start", '', "'quoted"])
      expect(cellText(v)).toBe(v);
    for (const v of [-5, 0, 3.5, null, undefined]) expect(cellText(v)).toBe(v);
  });
});
