import {
  formatDate,
  formatInteger,
  formatPercent,
  formatPoints,
  monthEnds,
  vietnamInstant,
} from './format.js';

describe('formatting', () => {
  it('writes numbers and percentages the Vietnamese way by default, the English way on request', () => {
    expect(formatPercent(0.435, 'vi')).toBe('43,5\u00a0%');
    expect(formatPercent(0.435, 'en')).toBe('43.5%');
    expect(formatPercent(1, 'vi')).toBe('100,0\u00a0%');
    expect(formatPercent(null, 'vi')).toBe('—');
    expect(formatInteger(1234567, 'vi')).toBe('1.234.567');
    expect(formatInteger(1234567, 'en')).toBe('1,234,567');
    expect(formatPoints(0.012, 'vi')).toBe('+1,2\u00a0điểm %');
    expect(formatPoints(-0.012, 'en')).toBe('−1.2 pp');
  });

  it('writes dates dd/MM/yyyy', () => {
    expect(formatDate('2025-08-25')).toBe('25/08/2025');
  });

  it('lists month ends from January 2024 to the as-of date, ending on the date itself', () => {
    const ends = monthEnds('2024-01', '2025-03-15');
    expect(ends[0]).toBe('2024-01-31');
    expect(ends[1]).toBe('2024-02-29');
    expect(ends.at(-2)).toBe('2025-02-28');
    expect(ends.at(-1)).toBe('2025-03-15');
    expect(ends).toHaveLength(15);
    expect(monthEnds('2024-01', '2024-12-31').at(-1)).toBe('2024-12-31');
    expect(monthEnds('2024-01', '2024-12-31')).toHaveLength(12);
    expect(monthEnds('2024-01', '2023-06-30')).toEqual([]);
  });

  it('reads a datetime-local value as Vietnam time', () => {
    expect(new Date(vietnamInstant('2025-01-01T07:00')).toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });
});
