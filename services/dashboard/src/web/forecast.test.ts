import { bandOf, currentTarget, pace, statusFor } from './forecast.js';

const monthly = (from: number, step: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    date: new Date(Date.UTC(2024, i + 1, 0)).toISOString().slice(0, 10),
    value: from + step * i,
  }));

const target2025 = { year: 2025, target: 0.5, judgedAsOf: '2025-12-31' };

describe('forecast', () => {
  it('carries the pace of the last twelve months forward from the latest value', () => {
    const points = monthly(0.1, 0.02, 12); // Jan–Dec 2024, +2 points a month
    const trend = pace(points);
    expect(trend).not.toBeNull();
    // Twelve more months at ~2 points a month from 32 %.
    expect(trend?.at('2025-12-31')).toBeCloseTo(0.32 + 0.24, 1);
  });

  it('is on track when the projection reaches the target, at risk when it ends a little short, off track when far short', () => {
    expect(statusFor(monthly(0.1, 0.02, 12), '2024-12-31', target2025).status).toBe('on-track');
    expect(statusFor(monthly(0.1, 0.017, 12), '2024-12-31', target2025).status).toBe('at-risk');
    expect(statusFor(monthly(0.1, 0.005, 12), '2024-12-31', target2025).status).toBe('off-track');
    expect(statusFor(monthly(0.6, -0.001, 12), '2024-12-31', target2025).status).toBe('met');
  });

  it('judges a passed target by the figure on its date, not by a projection', () => {
    const points = [...monthly(0.1, 0.02, 24)]; // reaches 56 % by Dec 2025
    expect(statusFor(points, '2026-03-31', target2025)).toEqual({
      status: 'met',
      projected: expect.closeTo(0.56, 5),
    });
    const short = monthly(0.1, 0.01, 24);
    expect(statusFor(short, '2026-03-31', target2025).status).toBe('off-track');
  });

  it('has no status without data', () => {
    expect(statusFor([{ date: '2024-01-31', value: null }], '2024-12-31', target2025).status).toBe(
      'unknown',
    );
  });

  it('picks the next target to be judged, and bands a unit by its distance to it', () => {
    const targets = [{ year: 2030, target: 0.6, judgedAsOf: '2030-12-31' }, target2025];
    expect(currentTarget(targets, '2025-06-30')?.year).toBe(2025);
    expect(currentTarget(targets, '2026-01-01')?.year).toBe(2030);
    expect(currentTarget(targets, '2031-01-01')?.year).toBe(2030);
    expect(bandOf(0.5, 0.5)).toBe('met');
    expect(bandOf(0.41, 0.5)).toBe('near');
    expect(bandOf(0.39, 0.5)).toBe('far');
    expect(bandOf(null, 0.5)).toBe('none');
  });
});
