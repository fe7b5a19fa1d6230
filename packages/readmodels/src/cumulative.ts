/** Σ deltas of one (indicator, unit) up to each valid date, for binary search. */
interface Series {
  readonly dates: string[];
  readonly num: number[];
  readonly den: number[];
}

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

const SEP = '\u0000';

/**
 * Cumulative sums of the ledger per (indicator, unit), as known now, held in
 * memory: a figure as of D is one binary search per (indicator, unit) instead of
 * a scan of the ledger.
 */
export class CumulativeIndex {
  private readonly series = new Map<string, Series>();

  /** Replaces the series of every (indicator, unit) present in `rows`; rows sorted by valid date within each. */
  replace(rows: readonly AggRow[], keys: readonly (readonly [string, string])[]): void {
    for (const [indicator, unitId] of keys) this.series.delete(indicator + SEP + unitId);
    for (const row of rows) {
      const key = row.indicator + SEP + row.unitId;
      let s = this.series.get(key);
      if (s === undefined) {
        s = { dates: [], num: [], den: [] };
        this.series.set(key, s);
      }
      const last = s.dates.length - 1;
      s.dates.push(row.validFrom);
      s.num.push((last < 0 ? 0 : s.num[last]!) + row.dNum);
      s.den.push((last < 0 ? 0 : s.den[last]!) + row.dDen);
    }
  }

  clear(): void {
    this.series.clear();
  }

  /** Σ per (indicator, unit) of the deltas valid on or before `asOf`. */
  sumsAsOf(asOf: string): UnitSum[] {
    const out: UnitSum[] = [];
    for (const [key, s] of this.series) {
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
