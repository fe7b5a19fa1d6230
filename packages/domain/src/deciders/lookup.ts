import type { Envelope } from '../events/schemas.js';

/** What a decider needs to know about a unit other than the one being decided. */
export interface UnitInfo {
  /** The unit this one was merged into, if any (whatever the merge's date). */
  readonly mergedInto?: string | undefined;
}

/**
 * The read-only view of other streams a decision may consult. The integrator
 * builds it from the store (or from an import's own in-memory state).
 */
export interface DecisionLookup {
  /** A registered unit, or undefined. */
  unit(unitId: string): UnitInfo | undefined;
  programmeExists(programmeId: string): boolean;
  /**
   * The teacher's stream as stored, retractions included, in stream order.
   * Consulted only to decide an EventRetracted, so teacher state can stay small.
   */
  teacherHistory(teacherId: string): readonly Envelope[];
}
