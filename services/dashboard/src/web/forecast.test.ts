import {
  COURSE_COMPLETION,
  type Pipeline,
  STUDY_COMPLETION,
  MIN_STUDY_YEARS,
  bandOf,
  currentTarget,
  outlookFor,
  pipelineCeiling,
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

describe('outlook: both methods as a range, reconciled, and judged results', () => {
  /** Month-ends from January 2024, `from` rising by `step` a month, `n` of them. */
  const history = (from: number, step: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      date: new Date(Date.UTC(2024, i + 1, 0)).toISOString().slice(0, 10),
      value: from + step * i,
    }));
  const emptyPipeline = (asOf: string): Pipeline => ({
    asOf,
    scope: 'province',
    knownAt: '1',
    population: 100,
    postgraduate: [],
    enrolments: [],
    departures: [],
  });
  const t2025 = { year: 2025, target: 0.43, judgedAsOf: '2025-12-31' };
  const t2030 = { year: 2030, target: 0.6, judgedAsOf: '2030-12-31' };

  it('reports a passed target as its result on the judging date, never as a forecast', () => {
    const o = outlookFor({
      code: 'master-or-above',
      target: t2025,
      asOf: '2026-12-06',
      points: history(0.2, 0.002, 35),
      figure: { numerator: 28, denominator: 100 },
      result: 0.256,
      pipeline: emptyPipeline('2026-12-06'),
    });
    expect(o).toMatchObject({ judged: true, verdict: 'missed', result: 0.256, trend: null });
    expect(o.pipeline).toBeNull();
    const met = outlookFor({
      code: 'trained-digital-materials',
      target: { ...t2025, target: 0.5 },
      asOf: '2026-01-01',
      points: history(0.2, 0.02, 24),
      figure: { numerator: 60, denominator: 100 },
      result: 0.5,
      pipeline: null,
    });
    expect(met.verdict).toBe('met');
  });

  it('spans the trend and the pipeline, and calls it at risk when they disagree about the target', () => {
    // Digital materials at 50 %, +2.5 points a month (the trend reaches 100 %), but only 9 teachers enrolled.
    const pipeline: Pipeline = {
      ...emptyPipeline('2025-04-30'),
      enrolments: [{ topic: 'digital-materials', enrolments: 9, teachers: 9, notYetTrained: 9 }],
    };
    const o = outlookFor({
      code: 'trained-digital-materials',
      target: t2030,
      asOf: '2025-04-30',
      points: history(0.125, 0.025, 16),
      figure: { numerator: 50, denominator: 100 },
      pipeline,
    });
    expect(o.trend).toBe(1);
    expect(o.pipeline).toBeCloseTo((50 + COURSE_COMPLETION * 9) / 100, 10);
    expect(o.low).toBeCloseTo(o.pipeline as number, 10);
    expect(o.high).toBe(1);
    expect(o.verdict).toBe('at-risk');
    // Both methods reach it: on track; both far below it: off track.
    expect(
      outlookFor({
        code: 'trained-digital-materials',
        target: t2030,
        asOf: '2025-04-30',
        points: history(0.125, 0.025, 16),
        figure: { numerator: 50, denominator: 100 },
        pipeline: {
          ...pipeline,
          enrolments: [
            { topic: 'digital-materials', enrolments: 20, teachers: 20, notYetTrained: 20 },
          ],
        },
      }).verdict,
    ).toBe('on-track');
    expect(
      outlookFor({
        code: 'trained-digital-materials',
        target: t2030,
        asOf: '2025-04-30',
        points: history(0.2, 0, 16),
        figure: { numerator: 20, denominator: 100 },
        pipeline,
      }).verdict,
    ).toBe('off-track');
  });

  it("bounds the trend by the teachers studying, within the shortest master's programme", () => {
    // 20 of 100 hold a master's, rising 1 point a month; 3 are studying. Within two years
    // nobody else can graduate: at most 23 of 100 by 31/12/2025, whatever the trend says.
    const pipeline: Pipeline = {
      ...emptyPipeline('2024-12-31'),
      postgraduate: [
        { expectedYear: 2025, level: 'master', studies: 2, newToMasterOrAbove: 2 },
        { expectedYear: null, level: 'master', studies: 1, newToMasterOrAbove: 1 },
      ],
    };
    const points = history(0.09, 0.01, 12);
    const figure = { numerator: 20, denominator: 100 };
    const o = outlookFor({
      code: 'master-or-above',
      target: t2025,
      asOf: '2024-12-31',
      points,
      figure,
      pipeline,
    });
    expect(o.ceiling).toBeCloseTo(0.23, 10);
    expect(o.trendUnbounded).toBeCloseTo(0.2 + 0.12, 2);
    expect(o.trend).toBeCloseTo(0.23, 10);
    // Method 2: 20 + 0.8 × 2 (the undated study is not counted) over 100.
    expect(o.pipeline).toBeCloseTo(0.216, 10);
    expect(o.verdict).toBe('off-track');
    // Beyond the shortest programme, newcomers may graduate: the trend's pace is allowed for the rest.
    const ceiling2030 = pipelineCeiling('master-or-above', figure, pipeline, '2030-12-31', 0.12);
    const years =
      (Date.parse('2030-12-31') - Date.parse(`${2024 + MIN_STUDY_YEARS}-12-31`)) /
      (365.25 * 86_400_000);
    expect(ceiling2030).toBeCloseTo(0.23 + 0.12 * years, 6);
    // Other indicators have no such bound.
    expect(
      pipelineCeiling('trained-digital-materials', figure, pipeline, '2025-12-31', 0.1),
    ).toBeNull();
  });

  it('gives the pace needed and the pace achieved in points a year', () => {
    const o = outlookFor({
      code: 'college-lecturers-qualified',
      target: { year: 2025, target: 1, judgedAsOf: '2025-12-31' },
      asOf: '2024-12-31',
      points: history(0.69, 0.01, 12),
      figure: { numerator: 80, denominator: 100 },
      pipeline: null,
    });
    // From 80 % to 100 % in one year: 20 points a year needed; 12 points a year achieved.
    expect(o.paceNeeded).toBeCloseTo(0.2, 2);
    expect(o.paceAchieved).toBeCloseTo(0.12, 2);
    expect(o.pipeline).toBeNull();
    expect(o.low).toBe(o.high);
  });
});
