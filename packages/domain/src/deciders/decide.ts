import { P, match } from 'ts-pattern';
import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import { type StreamKind, streamKindOf, streamOf } from '../events/streams.js';
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

const TEACHER = [
  'TeacherRegistered',
  'TeacherHired',
  'TeachingAssignmentChanged',
  'TeacherTransferred',
  'TeacherLeft',
  'DegreeAwarded',
  'DegreeRevoked',
  'CertificateIssued',
  'CertificateRevoked',
  'TeacherEnrolled',
  'CourseCompleted',
  'EnrolmentWithdrawn',
  'CourseCompletionRevoked',
  'PostgraduateStudyStarted',
  'PostgraduateStudyAbandoned',
  'TeachingContestAwarded',
  'EventRetracted',
] as const;
const UNIT = ['UnitRegistered', 'UnitRenamed', 'UnitAreaChanged', 'UnitMerged'] as const;
const PROGRAMME = ['ProgrammeRegistered', 'ProgrammeTopicsCorrected'] as const;

/**
 * Decides one envelope against the state of its stream (`streamOf(envelope)`):
 * accepted, it gives the events to append; refused, a DomainError naming the field.
 */
export const decide = (
  state: StreamState,
  envelope: Envelope,
  lookup: DecisionLookup,
): Result<Envelope[]> =>
  match(envelope)
    .with({ type: P.union(...TEACHER) }, (e) => decideTeacher(as(state, 'teacher', e), e, lookup))
    .with({ type: P.union(...UNIT) }, (e) => decideUnit(as(state, 'unit', e), e, lookup))
    .with({ type: P.union(...PROGRAMME) }, (e) => decideProgramme(as(state, 'programme', e), e))
    .with({ type: 'TrainingFunded' }, (e) => decideFunding(as(state, 'funding', e), e, lookup))
    .with({ type: 'AnnualReportSubmitted' }, (e) => decideReport(as(state, 'report', e), e, lookup))
    .exhaustive();

/**
 * Applies one accepted envelope to its stream's state. For an EventRetracted pass
 * `history`, the teacher's stream before it (see evolveTeacher).
 */
export const evolve = (
  state: StreamState,
  envelope: Envelope,
  history?: readonly Envelope[],
): StreamState =>
  match(envelope)
    .with({ type: P.union(...TEACHER) }, (e) =>
      evolveTeacher(as(state, 'teacher', e), e, history?.filter(isTeacherEnvelope)),
    )
    .with({ type: P.union(...UNIT) }, (e) => evolveUnit(as(state, 'unit', e), e))
    .with({ type: P.union(...PROGRAMME) }, (e) => evolveProgramme(as(state, 'programme', e), e))
    .with({ type: 'TrainingFunded' }, (e) => evolveFunding(as(state, 'funding', e), e))
    .with({ type: 'AnnualReportSubmitted' }, (e) => evolveReport(as(state, 'report', e), e))
    .exhaustive();
