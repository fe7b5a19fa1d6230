/**
 * A teacher's contribution to one indicator at one unit as a step function of
 * date: from `from` on (until the next point) the teacher adds `numerator` and
 * `denominator`. Before the first point it is 0/0.
 */
export interface ChangePoint {
  readonly from: string;
  readonly numerator: 0 | 1;
  readonly denominator: 0 | 1;
}

export interface StepFunction {
  readonly indicator: string;
  /** The unit the teacher works at, as recorded (merges are mapped at query time). */
  readonly unitId: string;
  /** Sorted by `from`; consecutive points differ. */
  readonly points: readonly ChangePoint[];
}

/** All of a teacher's step functions, sorted by indicator then unitId (code-unit order). */
export type Contribution = readonly StepFunction[];

export interface ContributionValue {
  readonly indicator: string;
  readonly unitId: string;
  readonly numerator: number;
  readonly denominator: number;
}

/** Compares strings by code unit, the order every sorted output of the ledger uses. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The value of a step function on `date` (0/0 before its first point). */
export const valueAt = (points: readonly ChangePoint[], date: string): ChangePoint | undefined => {
  let found: ChangePoint | undefined;
  for (const p of points) {
    if (p.from > date) break;
    found = p;
  }
  return found;
};

/**
 * The non-zero values, on `date`, of step functions (of one teacher or of many:
 * values of the same indicator and unit are added), sorted by indicator then unitId.
 */
export const contributionAt = (
  stepFunctions: Iterable<StepFunction>,
  date: string,
): ContributionValue[] => {
  const sums = new Map<
    string,
    { indicator: string; unitId: string; numerator: number; denominator: number }
  >();
  for (const f of stepFunctions) {
    const v = valueAt(f.points, date);
    if (v === undefined || (v.numerator === 0 && v.denominator === 0)) continue;
    const key = `${f.indicator}\u0000${f.unitId}`;
    const s = sums.get(key);
    if (s === undefined)
      sums.set(key, {
        indicator: f.indicator,
        unitId: f.unitId,
        numerator: v.numerator,
        denominator: v.denominator,
      });
    else {
      s.numerator += v.numerator;
      s.denominator += v.denominator;
    }
  }
  return [...sums.values()]
    .filter((s) => s.numerator !== 0 || s.denominator !== 0)
    .sort((a, b) => compareText(a.indicator, b.indicator) || compareText(a.unitId, b.unitId));
};

/**
 * Collects one indicator's change points per unit, pushed in date order per unit.
 * A teacher works at one or a few units, so a linear search beats a keyed map here.
 */
export class StepBuilder {
  private readonly units: { indicator: string; unitId: string; points: ChangePoint[] }[] = [];

  constructor(private readonly indicator: string) {}

  push(unitId: string, from: string, numerator: 0 | 1, denominator: 0 | 1): void {
    let entry: { points: ChangePoint[] } | undefined;
    for (const u of this.units)
      if (u.unitId === unitId) {
        entry = u;
        break;
      }
    if (entry === undefined) {
      if (numerator === 0 && denominator === 0) return;
      const created = { indicator: this.indicator, unitId, points: [] };
      this.units.push(created);
      entry = created;
    }
    const pts = entry.points;
    let last = pts[pts.length - 1];
    if (last !== undefined && last.from === from) {
      // A later push for the same day wins (a segment ending the day the next begins).
      pts.pop();
      last = pts[pts.length - 1];
    }
    const prevNum = last === undefined ? 0 : last.numerator;
    const prevDen = last === undefined ? 0 : last.denominator;
    if (prevNum === numerator && prevDen === denominator) return;
    pts.push({ from, numerator, denominator });
  }

  /** The step functions, sorted by unitId. */
  build(): StepFunction[] {
    const out: StepFunction[] = [];
    for (const u of this.units) if (u.points.length > 0) out.push(u);
    if (out.length > 1) out.sort((a, b) => compareText(a.unitId, b.unitId));
    return out;
  }
}
