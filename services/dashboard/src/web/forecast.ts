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
