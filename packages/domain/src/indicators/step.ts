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

interface UnitPoints {
  unitId: string;
  /** Only the first `n` are this build's; the rest are left over from an earlier one. */
  points: ChangePoint[];
  n: number;
}

const byUnitId = (a: StepFunction, b: StepFunction): number => compareText(a.unitId, b.unitId);

/**
 * Collects one indicator's change points per unit, pushed in date order per unit.
 * A teacher works at one or a few units, so a linear search beats a keyed map here.
 *
 * `reset` empties it for reuse: the projection builds every teacher's step functions
 * with one builder per indicator, so its buffers are not allocated again per event,
 * and `build` hands out exact-size copies, which are what a projection keeps for
 * every teacher (an array grown by `push` holds room for 16 or more).
 */
export class StepBuilder {
  private readonly units: UnitPoints[] = [];
  private count = 0;

  constructor(private readonly indicator: string) {}

  /** Forgets every point pushed so far. */
  reset(): void {
    this.count = 0;
  }

  push(unitId: string, from: string, numerator: 0 | 1, denominator: 0 | 1): void {
    let entry: UnitPoints | undefined;
    for (let k = 0; k < this.count; k++)
      if (this.units[k]!.unitId === unitId) {
        entry = this.units[k];
        break;
      }
    if (entry === undefined) {
      if (numerator === 0 && denominator === 0) return;
      entry = this.units[this.count];
      if (entry === undefined) this.units.push((entry = { unitId, points: [], n: 0 }));
      else {
        entry.unitId = unitId;
        entry.n = 0;
      }
      this.count++;
    }
    const pts = entry.points;
    let n = entry.n;
    let last = n > 0 ? pts[n - 1] : undefined;
    if (last !== undefined && last.from === from) {
      // A later push for the same day wins (a segment ending the day the next begins).
      n--;
      last = n > 0 ? pts[n - 1] : undefined;
    }
    entry.n = n;
    const prevNum = last === undefined ? 0 : last.numerator;
    const prevDen = last === undefined ? 0 : last.denominator;
    if (prevNum === numerator && prevDen === denominator) return;
    pts[n] = { from, numerator, denominator };
    entry.n = n + 1;
  }

  /** The step functions, sorted by unitId. */
  build(): StepFunction[] {
    let found: StepFunction | undefined;
    let out: StepFunction[] | undefined;
    for (let k = 0; k < this.count; k++) {
      const u = this.units[k]!;
      if (u.n === 0) continue;
      const f = { indicator: this.indicator, unitId: u.unitId, points: u.points.slice(0, u.n) };
      if (found === undefined) found = f;
      else (out ??= [found]).push(f);
    }
    if (out !== undefined) return out.sort(byUnitId);
    return found === undefined ? [] : [found];
  }
}
