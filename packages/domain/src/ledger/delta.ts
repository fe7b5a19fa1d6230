/**
 * One row of the indicator delta ledger (docs/indicators.md § The delta ledger): the change an event made
 * to one teacher's contribution to one indicator at one unit, from one valid date on.
 *
 * value as of D, as known at position P =
 *   Σ dNumerator / Σ dDenominator over rows with validFrom ≤ D and position ≤ P.
 *
 * `unitId` is the unit the teacher works at on `validFrom`, as recorded (never the
 * unit it was merged into): merges, areas and kinds are mapped at query time.
 */
export interface DeltaRow {
  readonly indicator: string;
  readonly unitId: string;
  /** First valid date (YYYY-MM-DD) from which the change holds. */
  readonly validFrom: string;
  /** Global position of the event that caused the change. */
  readonly position: bigint;
  readonly dNumerator: number;
  readonly dDenominator: number;
  /** The event that moved the figure. */
  readonly eventId: string;
  readonly teacherId: string;
}
