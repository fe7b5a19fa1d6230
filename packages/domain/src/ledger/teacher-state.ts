import { EVENT_TYPES, type EventType } from '../events/schemas.js';
import { type FactEvent, applyFact, emptyFacts } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';
import { decodeFact, encodeFact, factId, isFactEventType } from './fact-text.js';

/** The event types whose events change a teacher's facts (and so are kept for re-folds). */
export const FACT_EVENT_TYPES: ReadonlySet<EventType> = new Set(
  EVENT_TYPES.filter(isFactEventType),
);

/**
 * What the ledger projection keeps of one teacher: the fact events not retracted
 * (so a retraction can fold again without one), the facts folded from them, and
 * the position of the last event projected (to ignore redeliveries).
 *
 * The events are kept as compact text (`encodeFact`: type, id and the fields the
 * fold reads), not as the parsed events: they are read back only when a
 * retraction folds the facts again, which is rare, and the parsed events (with
 * names, reasons and hours no fact reads) made the state, and the serialized
 * state a rebuild writes for every teacher at once, grow with every event.
 */
export interface TeacherState {
  readonly teacherId: string;
  /** `encodeFact` of each fact event not retracted, in stream order. */
  events: string[];
  facts: TeacherFacts;
  lastPosition: bigint;
}

/** JSON-safe form of a `TeacherState`; the position is a decimal string. */
export interface SerializedTeacher {
  readonly v: 2;
  readonly teacherId: string;
  readonly lastPosition: string;
  /** The compact text of each fact event, in stream order. */
  readonly events: readonly string[];
}

/** The form written before events were kept as compact text; still read. */
interface SerializedTeacherV1 {
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

/** Keeps a fact event (one of `FACT_EVENT_TYPES`) in the state's compact form. */
export const keepEvent = (state: TeacherState, event: FactEvent): void => {
  if (!isFactEventType(event.type)) throw new Error(`not a fact event: ${event.type}`);
  state.events.push(encodeFact(event as FactEvent & { type: typeof event.type }));
};

/** Removes the kept event with this id; false when there is none. */
export const dropEvent = (state: TeacherState, eventId: string): boolean => {
  const at = state.events.findIndex((text) => factId(text) === eventId);
  if (at < 0) return false;
  state.events.splice(at, 1);
  return true;
};

export const refold = (state: TeacherState): void => {
  const facts = emptyFacts(state.teacherId);
  for (const text of state.events) applyFact(facts, decodeFact(state.teacherId, text));
  state.facts = facts;
};

export const serializeTeacher = (state: TeacherState): SerializedTeacher => ({
  v: 2,
  teacherId: state.teacherId,
  lastPosition: state.lastPosition.toString(),
  // A copy: the caller may hold it while the projection goes on.
  events: state.events.slice(),
});

const isSerialized = (
  v: Partial<SerializedTeacher | SerializedTeacherV1> | null,
): v is SerializedTeacher | SerializedTeacherV1 =>
  v !== null &&
  typeof v === 'object' &&
  (v.v === 1 || v.v === 2) &&
  typeof v.teacherId === 'string' &&
  typeof v.lastPosition === 'string' &&
  /^-?\d+$/.test(v.lastPosition) &&
  Array.isArray(v.events);

const fromV1 = (teacherId: string, e: SerializedTeacherV1['events'][number]): string => {
  if (e === null || typeof e !== 'object' || typeof e.id !== 'string' || !isFactEventType(e.type))
    throw new Error(`serialized teacher ${teacherId}: unexpected event ${JSON.stringify(e?.type)}`);
  // The events were validated when recorded; the type tag was checked above.
  return encodeFact(e as FactEvent & { type: typeof e.type });
};

/**
 * Reads back what `serializeTeacher` wrote (after a JSON round trip), in this
 * version or version 1, and folds the facts again. The events were validated when
 * recorded; only their shape and type tag are checked.
 */
export const deserializeTeacher = (value: unknown): TeacherState => {
  const v = value as Partial<SerializedTeacher | SerializedTeacherV1> | null;
  if (!isSerialized(v)) throw new Error('not a serialized teacher state of version 1 or 2');
  const teacherId = v.teacherId;
  const events =
    v.v === 2
      ? v.events.map((text) => {
          if (typeof text !== 'string')
            throw new Error(`serialized teacher ${teacherId}: an event is not text`);
          return text;
        })
      : v.events.map((e) => fromV1(teacherId, e));
  const state: TeacherState = {
    teacherId,
    events,
    facts: emptyFacts(teacherId),
    lastPosition: BigInt(v.lastPosition),
  };
  refold(state);
  return state;
};
