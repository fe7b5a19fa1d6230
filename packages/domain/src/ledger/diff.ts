import type { ChangePoint, Contribution } from '../indicators/step.js';
import { compareText } from '../indicators/step.js';
import type { DeltaRow } from './delta.js';

export interface DeltaContext {
  readonly position: bigint;
  readonly eventId: string;
  readonly teacherId: string;
}

const pushPointDiff = (
  rows: DeltaRow[],
  indicator: string,
  unitId: string,
  before: readonly ChangePoint[],
  after: readonly ChangePoint[],
  ctx: DeltaContext,
): void => {
  // Walk both step functions date by date; at each date the row is the change of
  // (after − before) there, i.e. the step of the difference of the two functions.
  let i = 0;
  let j = 0;
  let bNum = 0;
  let bDen = 0;
  let aNum = 0;
  let aDen = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    let date: string;
    const pbN = bNum;
    const pbD = bDen;
    const paN = aNum;
    const paD = aDen;
    if (a === undefined || (b !== undefined && b.from < a.from)) {
      date = b!.from;
      bNum = b!.numerator;
      bDen = b!.denominator;
      i++;
    } else if (b === undefined || a.from < b.from) {
      date = a.from;
      aNum = a.numerator;
      aDen = a.denominator;
      j++;
    } else {
      date = a.from;
      bNum = b.numerator;
      bDen = b.denominator;
      aNum = a.numerator;
      aDen = a.denominator;
      i++;
      j++;
    }
    const dNumerator = aNum - paN - (bNum - pbN);
    const dDenominator = aDen - paD - (bDen - pbD);
    if (dNumerator !== 0 || dDenominator !== 0)
      rows.push({
        indicator,
        unitId,
        validFrom: date,
        position: ctx.position,
        dNumerator,
        dDenominator,
        eventId: ctx.eventId,
        teacherId: ctx.teacherId,
      });
  }
};

const NONE: readonly ChangePoint[] = [];

/**
 * The delta rows that turn contribution `before` into `after` (docs/indicators.md § The delta ledger):
 * only non-zero changes, sorted by indicator, unitId, validFrom (code-unit order).
 * Appended to `rows` when given (and that array returned), so the projection
 * collects an event's rows in one array.
 */
export const diff = (
  before: Contribution,
  after: Contribution,
  ctx: DeltaContext,
  rows: DeltaRow[] = [],
): DeltaRow[] => {
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    const order =
      a === undefined
        ? -1
        : b === undefined
          ? 1
          : compareText(b.indicator, a.indicator) || compareText(b.unitId, a.unitId);
    if (order < 0) {
      pushPointDiff(rows, b!.indicator, b!.unitId, b!.points, NONE, ctx);
      i++;
    } else if (order > 0) {
      pushPointDiff(rows, a!.indicator, a!.unitId, NONE, a!.points, ctx);
      j++;
    } else if (b!.points !== a!.points) {
      pushPointDiff(rows, a!.indicator, a!.unitId, b!.points, a!.points, ctx);
      i++;
      j++;
    } else {
      i++;
      j++;
    }
  }
  return rows;
};

/** Orders rows by indicator, unitId, validFrom, then teacherId: the ledger's one row order. */
export const compareRows = (x: DeltaRow, y: DeltaRow): number =>
  compareText(x.indicator, y.indicator) ||
  compareText(x.unitId, y.unitId) ||
  compareText(x.validFrom, y.validFrom) ||
  compareText(x.teacherId, y.teacherId);
