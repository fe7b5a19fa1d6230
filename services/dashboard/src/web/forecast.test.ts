import {
  COURSE_COMPLETION,
  type Pipeline,
  STUDY_COMPLETION,
  bandOf,
  currentTarget,
  pace,
  pipelineProjection,
  statusFor,
} from './forecast.js';

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

describe('pipeline projection', () => {
  const pipeline: Pipeline = {
    asOf: '2025-06-30',
    scope: 'province',
    knownAt: '100',
    population: 100,
    postgraduate: [
      { expectedYear: 2025, level: 'master', studies: 6, newToMasterOrAbove: 5 },
      { expectedYear: 2027, level: 'master', studies: 10, newToMasterOrAbove: 10 },
      { expectedYear: null, level: 'doctorate', studies: 3, newToMasterOrAbove: 3 },
    ],
    enrolments: [
      { topic: 'digital-transformation', enrolments: 12, teachers: 10, notYetTrained: 10 },
    ],
    departures: [
      {
        month: '2025-09',
        teachers: 4,
        masterOrAbove: 2,
        trained: { 'digital-transformation': 1 },
      },
      { month: '2026-01', teachers: 6, masterOrAbove: 0, trained: {} },
    ],
  };
  const figure = { numerator: 40, denominator: 100 };

  it('adds the studies expected by the year at the stated share and takes the departures out', () => {
    const y2025 = pipelineProjection('master-or-above', figure, pipeline, 2025);
    // 40 + 0.8 × 5 − 2 departing masters, over 100 − 4.
    expect(y2025).toMatchObject({ added: 4, leaving: 4, leavingCounted: 2 });
    expect(y2025?.projected).toBeCloseTo((40 + 4 - 2) / 96, 10);
    const y2030 = pipelineProjection('master-or-above', figure, pipeline, 2030);
    // A study with no expected date is never counted; every announced departure is.
    expect(y2030?.added).toBeCloseTo(STUDY_COMPLETION * 15, 10);
    expect(y2030?.projected).toBeCloseTo((40 + 12 - 2) / 90, 10);
  });

  it('counts open enrolments for trained topics, and says nothing for other indicators or judged years', () => {
    const trained = pipelineProjection('trained-digital-transformation', figure, pipeline, 2025);
    expect(trained?.projected).toBeCloseTo((40 + COURSE_COMPLETION * 10 - 1) / 96, 10);
    expect(pipelineProjection('trained-digital-materials', figure, pipeline, 2025)?.added).toBe(0);
    expect(pipelineProjection('college-lecturers-qualified', figure, pipeline, 2025)).toBeNull();
    expect(
      pipelineProjection('master-or-above', figure, { ...pipeline, asOf: '2026-01-01' }, 2025),
    ).toBeNull();
  });
});
