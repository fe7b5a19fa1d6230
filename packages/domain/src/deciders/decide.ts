import { match } from 'ts-pattern';
import type { Result } from '../errors.js';
import { unhandled } from '../unhandled.js';
import type { Envelope } from '../events/schemas.js';
import { type StreamKind, isOfKind, streamKindOf, streamOf } from '../events/streams.js';
import { type FundingState, decideFunding, evolveFunding, initialFundingState } from './funding.js';
import type { DecisionLookup } from './lookup.js';
import {
  type ProgrammeState,
  decideProgramme,
  evolveProgramme,
  initialProgrammeState,
} from './programme.js';
import { type ReportState, decideReport, evolveReport, initialReportState } from './report.js';
import { decideTeacher } from './teacher.js';
import {
  type TeacherDecisionState,
  evolveTeacher,
  initialTeacherState,
  isTeacherEnvelope,
} from './teacher-state.js';
import { type UnitState, decideUnit, evolveUnit, initialUnitState } from './unit.js';

/** The decision state of one stream, tagged with its stream kind. */
export type StreamState =
  TeacherDecisionState | UnitState | ProgrammeState | FundingState | ReportState;

export const initialState = (kind: StreamKind): StreamState =>
  match<StreamKind, StreamState>(kind)
    .with('teacher', () => initialTeacherState)
    .with('unit', () => initialUnitState)
    .with('programme', () => initialProgrammeState)
    .with('funding', () => initialFundingState)
    .with('report', () => initialReportState)
    .exhaustive();

/** The empty state of the stream `envelope` belongs to. */
export const initialStateFor = (envelope: Envelope): StreamState =>
  initialState(streamKindOf(streamOf(envelope)));

/** Passing the state of another stream's kind is a programming error, not a rejection. */
const as = <K extends StreamState['kind']>(state: StreamState, kind: K, envelope: Envelope) => {
  if (state.kind !== kind) {
    throw new Error(
      `${envelope.type} needs the state of a ${kind} stream, got a ${state.kind} stream's`,
    );
  }
  return state as Extract<StreamState, { kind: K }>;
};

/**
 * Decides one envelope against the state of its stream (`streamOf(envelope)`):
 * accepted, it gives the events to append; refused, a DomainError naming the field.
 */
export const decide = (
  state: StreamState,
  envelope: Envelope,
  lookup: DecisionLookup,
): Result<Envelope[]> => {
  // Dispatch by the STREAM_KIND_OF table (a hot path: every event imported);
  // each guard narrows to the envelopes of exactly that kind, so a new event type
  // reaches its kind's decider, which must handle it to compile.
  if (isOfKind(envelope, 'teacher'))
    return decideTeacher(as(state, 'teacher', envelope), envelope, lookup);
  if (isOfKind(envelope, 'unit')) return decideUnit(as(state, 'unit', envelope), envelope, lookup);
  if (isOfKind(envelope, 'programme'))
    return decideProgramme(as(state, 'programme', envelope), envelope);
  if (isOfKind(envelope, 'funding'))
    return decideFunding(as(state, 'funding', envelope), envelope, lookup);
  if (isOfKind(envelope, 'report'))
    return decideReport(as(state, 'report', envelope), envelope, lookup);
  return unhandled(envelope, 'decider');
};

/**
 * Applies one accepted envelope to its stream's state. For an EventRetracted pass
 * `history`, the teacher's stream before it (see evolveTeacher).
 */
export const evolve = (
  state: StreamState,
  envelope: Envelope,
  history?: readonly Envelope[],
): StreamState => {
  if (isOfKind(envelope, 'teacher'))
    return evolveTeacher(
      as(state, 'teacher', envelope),
      envelope,
      history?.filter(isTeacherEnvelope),
    );
  if (isOfKind(envelope, 'unit')) return evolveUnit(as(state, 'unit', envelope), envelope);
  if (isOfKind(envelope, 'programme'))
    return evolveProgramme(as(state, 'programme', envelope), envelope);
  if (isOfKind(envelope, 'funding')) return evolveFunding(as(state, 'funding', envelope), envelope);
  if (isOfKind(envelope, 'report')) return evolveReport(as(state, 'report', envelope), envelope);
  return unhandled(envelope, 'evolve');
};
