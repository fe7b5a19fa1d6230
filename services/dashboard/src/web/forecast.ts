/**
 * The forecast method, stated once here and written out on the page: the pace
 * of the last twelve month-ends (a least-squares line through them) carried
 * forward to the date a target is judged. A projection, not a fact.
 */
export interface Point {
  readonly date: string;
  readonly value: number | null;
}

export interface Target {
  readonly year: number;
  readonly target: number;
  readonly judgedAsOf: string;
}

export type Status = 'met' | 'on-track' | 'at-risk' | 'off-track' | 'unknown';

/** How far below the target a projection may end and still be "at risk" rather than "off track". */
export const AT_RISK_MARGIN = 0.05;

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** The trend of the last `window` points with a value: slope per day and the value it gives on `date`. */
export const pace = (
  points: readonly Point[],
  window = 12,
): { perDay: number; at: (date: string) => number } | null => {
  const known = points.filter((p): p is { date: string; value: number } => p.value !== null);
  const last = known.slice(-window);
  if (last.length < 2) return null;
  const xs = last.map((p) => dayNumber(p.date));
  const ys = last.map((p) => p.value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] ?? 0) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] ?? 0) - my);
  }
  const perDay = sxx === 0 ? 0 : sxy / sxx;
  // Anchored on the latest figure, so the projection starts from what is known today.
  const anchor = last[last.length - 1] as { date: string; value: number };
  return {
    perDay,
    at: (date) =>
      Math.min(1, Math.max(0, anchor.value + perDay * (dayNumber(date) - dayNumber(anchor.date)))),
  };
};

/**
 * The status of a figure against one target: judged for good once its date has
 * passed; otherwise "met" when the figure already reaches it, else by where the
 * pace projects it on the judging date.
 */
export const statusFor = (
  points: readonly Point[],
  asOf: string,
  target: Target,
): { status: Status; projected: number | null } => {
  const current = [...points].reverse().find((p) => p.date <= asOf && p.value !== null)?.value;
  if (current === undefined || current === null) return { status: 'unknown', projected: null };
  if (asOf >= target.judgedAsOf) {
    const judged = [...points].reverse().find((p) => p.date <= target.judgedAsOf)?.value ?? null;
    if (judged === null) return { status: 'unknown', projected: null };
    return { status: judged >= target.target ? 'met' : 'off-track', projected: judged };
  }
  const trend = pace(points.filter((p) => p.date <= asOf));
  const projected = trend === null ? current : trend.at(target.judgedAsOf);
  if (current >= target.target) return { status: 'met', projected };
  if (projected >= target.target) return { status: 'on-track', projected };
  if (projected >= target.target - AT_RISK_MARGIN) return { status: 'at-risk', projected };
  return { status: 'off-track', projected };
};

/** The target that matters on `asOf`: the next one still to be judged, else the last one. */
export const currentTarget = (targets: readonly Target[], asOf: string): Target | undefined =>
  [...targets].sort((a, b) => a.year - b.year).find((t) => t.judgedAsOf >= asOf) ??
  [...targets].sort((a, b) => a.year - b.year).at(-1);

/** Distance of a figure to its target, in three bands for the units matrix. */
export type Band = 'met' | 'near' | 'far' | 'none';
export const NEAR_MARGIN = 0.1;
export const bandOf = (value: number | null, target: number | undefined): Band => {
  if (value === null || target === undefined) return 'none';
  if (value >= target) return 'met';
  return value >= target - NEAR_MARGIN ? 'near' : 'far';
};

/** `GET /v1/pipeline`: what may still move a figure after asOf (counts only). */
export interface Pipeline {
  readonly asOf: string;
  readonly scope: string;
  readonly knownAt: string | null;
  readonly population: number;
  readonly postgraduate: readonly {
    readonly expectedYear: number | null;
    readonly level: 'master' | 'doctorate';
    readonly studies: number;
    readonly newToMasterOrAbove: number;
  }[];
  readonly enrolments: readonly {
    readonly topic: string;
    readonly enrolments: number;
    readonly teachers: number;
    readonly notYetTrained: number;
  }[];
  readonly departures: readonly {
    readonly month: string;
    readonly teachers: number;
    readonly masterOrAbove: number;
    readonly trained: Readonly<Record<string, number>>;
  }[];
}

/**
 * Assumed shares, written on the page with the method: of the master's or
 * doctoral studies under way expected to end by 31/12 of a target year, how
 * many end with the degree; of the open enrolments, how many end with a
 * counted completion before that date. Assumptions, not measurements.
 */
export const STUDY_COMPLETION = 0.8;
export const COURSE_COMPLETION = 0.9;

export interface PipelineProjection {
  /** Expected additions to the numerator (studies or courses × their share). */
  readonly added: number;
  /** Announced departures by 31/12 of the year: leave the denominator. */
  readonly leaving: number;
  /** Of those, counted in the numerator now: leave it too. */
  readonly leavingCounted: number;
  readonly numerator: number;
  readonly denominator: number;
  readonly projected: number | null;
}

/**
 * The figure on asOf moved by the pipeline to 31/12 of `year`: for
 * `master-or-above`, + STUDY_COMPLETION × the teachers without a master's whose
 * study is expected by then (a study with no expected date is not counted); for
 * `trained-<topic>`, + COURSE_COMPLETION × the teachers with an open enrolment
 * in the topic not yet counted; for both, the departures announced up to then
 * leave the population (and the numerator, when they were counted in it). Null
 * for an indicator the pipeline says nothing about, or a year already judged.
 */
export const pipelineProjection = (
  code: string,
  figure: { readonly numerator: number; readonly denominator: number },
  pipeline: Pipeline,
  year: number,
  shares: {
    readonly study: number;
    readonly course: number;
    /** Count studies with no expected date too (for an upper bound). */
    readonly undated?: boolean;
  } = { study: STUDY_COMPLETION, course: COURSE_COMPLETION },
): PipelineProjection | null => {
  if (pipeline.asOf > `${year}-12-31`) return null;
  const topic = code.startsWith('trained-') ? code.slice('trained-'.length) : null;
  if (code !== 'master-or-above' && topic === null) return null;
  const added =
    topic === null
      ? shares.study *
        pipeline.postgraduate
          .filter((r) =>
            r.expectedYear === null ? shares.undated === true : r.expectedYear <= year,
          )
          .reduce((sum, r) => sum + r.newToMasterOrAbove, 0)
      : shares.course * (pipeline.enrolments.find((r) => r.topic === topic)?.notYetTrained ?? 0);
  const departing = pipeline.departures.filter((d) => d.month <= `${year}-12`);
  const leaving = departing.reduce((sum, d) => sum + d.teachers, 0);
  const leavingCounted = departing.reduce(
    (sum, d) => sum + (topic === null ? d.masterOrAbove : (d.trained[topic] ?? 0)),
    0,
  );
  const numerator = figure.numerator + added - leavingCounted;
  const denominator = figure.denominator - leaving;
  return {
    added,
    leaving,
    leavingCounted,
    numerator,
    denominator,
    projected: denominator <= 0 ? null : Math.min(1, Math.max(0, numerator / denominator)),
  };
};

/**
 * The shortest master's programme: a teacher who is not studying on asOf
 * cannot hold a master's before asOf + MIN_STUDY_YEARS. An assumption.
 */
export const MIN_STUDY_YEARS = 2;

const YEAR_DAYS = 365.25;

/** Years from one date to another (negative when `to` is earlier). */
export const yearsBetween = (from: string, to: string): number =>
  (dayNumber(to) - dayNumber(from)) / YEAR_DAYS;

/** A date moved by whole years (29 February becomes 28 February). */
const plusYears = (date: string, years: number): string => {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${y}-${md}`;
};

/** Judged results (Đạt / Không đạt) and outlooks (Đúng tiến độ / Có nguy cơ / Chậm tiến độ). */
export type Verdict = 'met' | 'missed' | 'on-track' | 'at-risk' | 'off-track' | 'unknown';

export interface Outlook {
  /** True once the target's date has passed on asOf: `result` is the fact, nothing is estimated. */
  readonly judged: boolean;
  readonly verdict: Verdict;
  /** The figure on the judging date (judged), else null. */
  readonly result: number | null;
  /** Method 1: the trend carried to the judging date, after the pipeline's bound. */
  readonly trend: number | null;
  /** The trend before the bound, when the bound lowered it. */
  readonly trendUnbounded: number | null;
  /** The most the pipeline allows (postgraduate degrees only), else null. */
  readonly ceiling: number | null;
  /** Method 2: the figure moved by the pipeline. */
  readonly pipeline: number | null;
  /** The range both methods span (one method: a single value). */
  readonly low: number | null;
  readonly high: number | null;
  /** Points a year from the current figure to the target by its date; ≤ 0 when already there. */
  readonly paceNeeded: number | null;
  /** Points a year of the last twelve month-ends' trend. */
  readonly paceAchieved: number | null;
}

/**
 * The pipeline's upper bound on `master-or-above` on `date`: every study
 * under way ends with the degree (dated or not, 100 %), announced departures
 * leave, and beyond asOf + MIN_STUDY_YEARS — the earliest a teacher not yet
 * studying could graduate — the trend's pace (if rising) may add the rest.
 * Null for other indicators, or without a pipeline.
 */
export const pipelineCeiling = (
  code: string,
  figure: { readonly numerator: number; readonly denominator: number },
  pipeline: Pipeline | null,
  date: string,
  perYear: number,
): number | null => {
  if (code !== 'master-or-above' || pipeline === null) return null;
  const full = pipelineProjection(code, figure, pipeline, Number(date.slice(0, 4)), {
    study: 1,
    course: 1,
    undated: true,
  });
  if (full === null || full.projected === null) return null;
  const newcomers = Math.max(0, yearsBetween(plusYears(pipeline.asOf, MIN_STUDY_YEARS), date));
  return Math.min(1, full.projected + Math.max(0, perYear) * newcomers);
};

/**
 * One indicator against one target on asOf. A target whose date has passed
 * is judged on the figure of that date (met / missed), never forecast. Else
 * both methods are carried to the date — the trend bounded by the pipeline
 * where it can be (postgraduate degrees) — and the outlook is read from the
 * range they span: on track when its low end reaches the target (or the
 * figure already does), at risk when its high end comes within AT_RISK_MARGIN
 * of it, off track otherwise.
 */
export const outlookFor = (input: {
  readonly code: string;
  readonly target: Target;
  readonly asOf: string;
  /** Month-end values up to asOf. */
  readonly points: readonly Point[];
  readonly figure: { readonly numerator: number; readonly denominator: number };
  /** The figure on the judging date, when it has passed. */
  readonly result?: number | null;
  readonly pipeline: Pipeline | null;
}): Outlook => {
  const { code, target, asOf, points, figure } = input;
  const known = points.filter((p) => p.date <= asOf);
  const current = [...known].reverse().find((p) => p.value !== null)?.value ?? null;
  const trend = pace(known);
  const paceAchieved = trend === null ? null : trend.perDay * YEAR_DAYS;
  if (target.judgedAsOf <= asOf) {
    const result = input.result ?? null;
    return {
      judged: true,
      verdict: result === null ? 'unknown' : result >= target.target ? 'met' : 'missed',
      result,
      trend: null,
      trendUnbounded: null,
      ceiling: null,
      pipeline: null,
      low: result,
      high: result,
      paceNeeded: null,
      paceAchieved,
    };
  }
  const years = yearsBetween(asOf, target.judgedAsOf);
  const paceNeeded =
    current === null ? null : years <= 0 ? null : (target.target - current) / years;
  const raw = trend === null ? current : trend.at(target.judgedAsOf);
  const ceiling = pipelineCeiling(
    code,
    figure,
    input.pipeline,
    target.judgedAsOf,
    paceAchieved ?? 0,
  );
  const bounded = raw === null || ceiling === null ? raw : Math.min(raw, ceiling);
  const moved =
    input.pipeline === null
      ? null
      : (pipelineProjection(code, figure, input.pipeline, target.year)?.projected ?? null);
  const values = [bounded, moved].filter((v): v is number => v !== null);
  const low = values.length === 0 ? null : Math.min(...values);
  const high = values.length === 0 ? null : Math.max(...values);
  let verdict: Verdict;
  if (current === null || low === null || high === null) verdict = 'unknown';
  else if (current >= target.target || low >= target.target) verdict = 'on-track';
  else if (high >= target.target - AT_RISK_MARGIN) verdict = 'at-risk';
  else verdict = 'off-track';
  return {
    judged: false,
    verdict,
    result: null,
    trend: bounded,
    trendUnbounded: raw !== null && bounded !== null && bounded < raw ? raw : null,
    ceiling,
    pipeline: moved,
    low,
    high,
    paceNeeded,
    paceAchieved,
  };
};
