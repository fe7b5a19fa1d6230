import { toCsv } from './csv.js';

describe("the dashboard's CSV export", () => {
  it('neutralises text that a spreadsheet would run as a formula', () => {
    const csv = toCsv(
      ['Đơn vị', 'Tỷ lệ'],
      [
        ["=cmd|' /C calc'!A0", -0.5],
        ['@SUM(1,2)', 1],
        ['\tTrung tâm', 2],
      ],
    );
    expect(csv.split('\r\n').slice(1, 4)).toEqual([
      `'=cmd|' /C calc'!A0,-0.5`,
      `"'@SUM(1,2)",1`,
      `'\tTrung tâm,2`,
    ]);
  });
});
