export interface AggRow {
  readonly indicator: string;
  readonly unitId: string;
  readonly validFrom: string;
  readonly dNum: number;
  readonly dDen: number;
}

export interface UnitSum {
  readonly indicator: string;
  readonly unitId: string;
  numerator: number;
  denominator: number;
}

/** Σ deltas of one (indicator, unit) per valid date, and their running sums for binary search. */
interface Series {
  readonly perDate: Map<string, { n: number; d: number }>;
  dates: string[];
  num: number[];
  den: number[];
  stale: boolean;
}

const SEP = '\u0000';

/**
 * Cumulative sums of the ledger per (indicator, unit), as known now, held in
 * memory: a figure as of D is one binary search per (indicator, unit) instead of
 * a scan of the ledger. New rows are merged in; running sums are rebuilt lazily.
 */
export class CumulativeIndex {
  private readonly series = new Map<string, Series>();

  /** Adds deltas (any order, any grouping). */
  add(rows: readonly AggRow[]): void {
    for (const row of rows)
      this.addOne(row.indicator, row.unitId, row.validFrom, row.dNum, row.dDen);
  }

  addOne(indicator: string, unitId: string, validFrom: string, dNum: number, dDen: number): void {
    const key = indicator + SEP + unitId;
    let s = this.series.get(key);
    if (s === undefined) {
      s = { perDate: new Map(), dates: [], num: [], den: [], stale: true };
      this.series.set(key, s);
    }
    const at = s.perDate.get(validFrom);
    if (at === undefined) s.perDate.set(validFrom, { n: dNum, d: dDen });
    else {
      at.n += dNum;
      at.d += dDen;
    }
    s.stale = true;
  }

  /** Every (indicator, unit) with rows. */
  keys(): [string, string][] {
    return [...this.series.keys()].map((key) => {
      const sep = key.indexOf(SEP);
      return [key.slice(0, sep), key.slice(sep + 1)];
    });
  }

  clear(): void {
    this.series.clear();
  }

  /** Σ per (indicator, unit) of the deltas valid on or before `asOf`. */
  sumsAsOf(asOf: string): UnitSum[] {
    const out: UnitSum[] = [];
    for (const [key, s] of this.series) {
      if (s.stale) rebuild(s);
      let lo = 0;
      let hi = s.dates.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (s.dates[mid]! <= asOf) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) continue;
      const sep = key.indexOf(SEP);
      out.push({
        indicator: key.slice(0, sep),
        unitId: key.slice(sep + 1),
        numerator: s.num[lo - 1]!,
        denominator: s.den[lo - 1]!,
      });
    }
    return out;
  }
}

const rebuild = (s: Series): void => {
  s.dates = [...s.perDate.keys()].sort();
  s.num = new Array<number>(s.dates.length);
  s.den = new Array<number>(s.dates.length);
  let n = 0;
  let d = 0;
  s.dates.forEach((date, i) => {
    const at = s.perDate.get(date)!;
    n += at.n;
    d += at.d;
    s.num[i] = n;
    s.den[i] = d;
  });
  s.stale = false;
};
