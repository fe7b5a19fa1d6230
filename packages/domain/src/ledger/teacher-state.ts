import type { EventType } from '../events/schemas.js';
import { type FactEvent, applyFact, emptyFacts } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';

/** The event types whose events change a teacher's facts (and so are kept for re-folds). */
export const FACT_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'TeacherHired',
  'TeachingAssignmentChanged',
  'TeacherTransferred',
  'TeacherLeft',
  'DegreeAwarded',
  'DegreeRevoked',
  'CertificateIssued',
  'CertificateRevoked',
  'TeacherEnrolled',
  'EnrolmentWithdrawn',
  'CourseCompleted',
  'CourseCompletionRevoked',
]);

/**
 * What the ledger projection keeps of one teacher: the fact events not retracted
 * (so a retraction can fold again without one), the facts folded from them, and
 * the position of the last event projected (to ignore redeliveries).
 */
export interface TeacherState {
  readonly teacherId: string;
  events: FactEvent[];
  facts: TeacherFacts;
  lastPosition: bigint;
}

/** JSON-safe form of a `TeacherState`; the position is a decimal string. */
export interface SerializedTeacher {
  readonly v: 1;
  readonly teacherId: string;
  readonly lastPosition: string;
  readonly events: readonly {
    readonly id: string;
    readonly type: string;
    readonly data: unknown;
  }[];
}

export const newTeacherState = (teacherId: string): TeacherState => ({
  teacherId,
  events: [],
  facts: emptyFacts(teacherId),
  lastPosition: -1n,
});

export const refold = (state: TeacherState): void => {
  const facts = emptyFacts(state.teacherId);
  for (const e of state.events) applyFact(facts, e);
  state.facts = facts;
};

export const serializeTeacher = (state: TeacherState): SerializedTeacher => ({
  v: 1,
  teacherId: state.teacherId,
  lastPosition: state.lastPosition.toString(),
  events: state.events.map((e) => ({ id: e.id, type: e.type, data: e.data })),
});

/**
 * Reads back what `serializeTeacher` wrote (after a JSON round trip) and folds the
 * facts again. The events were validated when recorded; only the shape is checked.
 */
export const deserializeTeacher = (value: unknown): TeacherState => {
  const v = value as Partial<SerializedTeacher> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    v.v !== 1 ||
    typeof v.teacherId !== 'string' ||
    typeof v.lastPosition !== 'string' ||
    !/^-?\d+$/.test(v.lastPosition) ||
    !Array.isArray(v.events)
  )
    throw new Error('not a serialized teacher state of version 1');
  for (const e of v.events) {
    if (!FACT_EVENT_TYPES.has(e.type as EventType) || typeof e.id !== 'string')
      throw new Error(
        `serialized teacher ${v.teacherId}: unexpected event ${JSON.stringify(e.type)}`,
      );
  }
  const state: TeacherState = {
    teacherId: v.teacherId,
    // Shapes were validated when the events were recorded; the type tags were checked above.
    events: v.events as unknown as FactEvent[],
    facts: emptyFacts(v.teacherId),
    lastPosition: BigInt(v.lastPosition),
  };
  refold(state);
  return state;
};
