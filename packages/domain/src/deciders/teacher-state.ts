import type { Envelope } from '../events/schemas.js';
import { type EnvelopeOfKind, type EventTypeOfKind, isOfKind } from '../events/streams.js';
import type { Employment } from '../events/vocabulary.js';
import { unhandled } from '../unhandled.js';
import { SUBMITTED_AS } from '../authority/table.js';

/** Every event type of a teacher stream, read off the one stream table. */
export type TeacherEventType = EventTypeOfKind<'teacher'>;
export type TeacherEnvelope = EnvelopeOfKind<'teacher'>;

/** The current employment: where, and the latest date any employment event of it took effect. */
export interface CurrentJob {
  readonly unitId: string;
  readonly employment: Employment;
  readonly hiredOn: string;
  readonly latestOn: string;
}

export interface ProgrammeProgress {
  /** Earliest date of an enrolment not withdrawn since; undefined when none is open. */
  readonly enrolledOn: string | undefined;
  /** Completions recorded (revoked or not): what a revocation may refer to. */
  readonly completions: number;
}

/**
 * What the teacher decider needs to know, and no more: no per-event lists.
 * Three maps grow with a teacher's history (`degrees`, `certificates`,
 * `programmes`, the holdings); every other field has a fixed size. An event
 * reads or changes at most one holding (`holdingOf`), so an import keeps the
 * fixed part in memory and the holdings elsewhere, giving a decision only the
 * entry its event names (`withHolding`).
 */
export interface TeacherDecisionState {
  readonly kind: 'teacher';
  readonly registered: boolean;
  readonly job: CurrentJob | undefined;
  readonly lastLeftOn: string | undefined;
  /** The unit of the latest employment, ended or not (who may write about the teacher: docs/authority.md). */
  readonly lastUnitId: string | undefined;
  /**
   * Who registered the teacher (`submittedAs` of the TeacherRegistered;
   * undefined: the Sở or the operator). A teacher never hired belongs to that
   * authority (docs/authority.md).
   */
  readonly registeredAs?: string | undefined;
  /**
   * The integrator authorities (`submittedAs`) that recorded facts about the
   * teacher before any unit hired them, in order, each once: a unit may hire a
   * never-hired teacher only when it has authority over every one of them.
   */
  readonly recordedBeforeHire?: readonly string[];
  /** degreeId → still held (false once revoked). */
  readonly degrees: ReadonlyMap<string, boolean>;
  /** certificateId → still held (false once revoked). */
  readonly certificates: ReadonlyMap<string, boolean>;
  readonly programmes: ReadonlyMap<string, ProgrammeProgress>;
  /** Postgraduate studies started and not abandoned. */
  readonly studying: ReadonlySet<'master' | 'doctorate'>;
}

export const initialTeacherState: TeacherDecisionState = {
  kind: 'teacher',
  registered: false,
  job: undefined,
  lastLeftOn: undefined,
  lastUnitId: undefined,
  degrees: new Map(),
  certificates: new Map(),
  programmes: new Map(),
  studying: new Set(),
};

const later = (a: string, b: string): string => (a > b ? a : b);
const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> =>
  new Map(map).set(key, value);
const progressOf = (s: TeacherDecisionState, programmeId: string): ProgrammeProgress =>
  s.programmes.get(programmeId) ?? { enrolledOn: undefined, completions: 0 };

/** Notes who recorded a fact about a teacher no unit has hired yet (an integrator only). */
const noteRecorder = (s: TeacherDecisionState, envelope: TeacherEnvelope): TeacherDecisionState => {
  if (s.lastUnitId !== undefined || envelope.type === 'TeacherHired') return s;
  const as = envelope.metadata?.[SUBMITTED_AS];
  if (as === undefined || !as.startsWith('integrator:')) return s;
  const before = s.recordedBeforeHire ?? [];
  return before.includes(as) ? s : { ...s, recordedBeforeHire: [...before, as] };
};

/** Applies one accepted event that is not a retraction. */
const applyFact = (s: TeacherDecisionState, envelope: TeacherEnvelope): TeacherDecisionState =>
  applyFactData(noteRecorder(s, envelope), envelope);

const applyFactData = (
  s: TeacherDecisionState,
  envelope: TeacherEnvelope,
): TeacherDecisionState => {
  switch (envelope.type) {
    case 'TeacherRegistered': {
      const as = envelope.metadata?.[SUBMITTED_AS];
      return { ...s, registered: true, ...(as === undefined ? {} : { registeredAs: as }) };
    }
    case 'TeacherHired': {
      const { data } = envelope;
      return {
        ...s,
        lastUnitId: data.unitId,
        job: {
          unitId: data.unitId,
          employment: data.employment,
          hiredOn: data.hiredOn,
          latestOn: data.hiredOn,
        },
      };
    }
    case 'TeachingAssignmentChanged': {
      const { data } = envelope;
      return s.job === undefined
        ? s
        : { ...s, job: { ...s.job, latestOn: later(s.job.latestOn, data.effectiveOn) } };
    }
    case 'TeacherTransferred': {
      const { data } = envelope;
      return s.job === undefined
        ? s
        : {
            ...s,
            lastUnitId: data.toUnitId,
            job: {
              ...s.job,
              unitId: data.toUnitId,
              latestOn: later(s.job.latestOn, data.effectiveOn),
            },
          };
    }
    case 'TeacherLeft': {
      const { data } = envelope;
      return {
        ...s,
        job: undefined,
        lastLeftOn: data.leftOn,
      };
    }
    case 'DegreeAwarded': {
      const { data } = envelope;
      return {
        ...s,
        degrees: withEntry(s.degrees, data.degreeId, true),
      };
    }
    case 'DegreeRevoked': {
      const { data } = envelope;
      return {
        ...s,
        degrees: withEntry(s.degrees, data.degreeId, false),
      };
    }
    case 'CertificateIssued': {
      const { data } = envelope;
      return {
        ...s,
        certificates: withEntry(s.certificates, data.certificateId, true),
      };
    }
    case 'CertificateRevoked': {
      const { data } = envelope;
      return {
        ...s,
        certificates: withEntry(s.certificates, data.certificateId, false),
      };
    }
    case 'TeacherEnrolled': {
      const { data } = envelope;

      const p = progressOf(s, data.programmeId);
      const enrolledOn =
        p.enrolledOn === undefined || data.enrolledOn < p.enrolledOn
          ? data.enrolledOn
          : p.enrolledOn;
      return { ...s, programmes: withEntry(s.programmes, data.programmeId, { ...p, enrolledOn }) };
    }
    case 'CourseCompleted': {
      const { data } = envelope;

      const p = progressOf(s, data.programmeId);
      return {
        ...s,
        programmes: withEntry(s.programmes, data.programmeId, {
          ...p,
          completions: p.completions + 1,
        }),
      };
    }
    case 'EnrolmentWithdrawn': {
      const { data } = envelope;

      const p = progressOf(s, data.programmeId);
      return {
        ...s,
        programmes: withEntry(s.programmes, data.programmeId, { ...p, enrolledOn: undefined }),
      };
    }
    // A revocation keeps the count: `completions` is how many were recorded, so a
    // later revocation (whatever its date; the earliest holds) finds one to revoke.
    case 'CourseCompletionRevoked': {
      return s;
    }
    case 'PostgraduateStudyStarted': {
      const { data } = envelope;
      return {
        ...s,
        studying: new Set(s.studying).add(data.level),
      };
    }
    case 'PostgraduateStudyAbandoned': {
      const { data } = envelope;

      const studying = new Set(s.studying);
      studying.delete(data.level);
      return { ...s, studying };
    }
    case 'TeachingContestAwarded': {
      return s;
    }
    case 'EventRetracted': {
      return s;
    }
    default:
      return unhandled(envelope, 'evolve');
  }
};

/** The ids a stream's EventRetracted events remove. */
export const retractionTargets = (history: readonly Envelope[]): ReadonlySet<string> =>
  new Set(history.flatMap((e) => (e.type === 'EventRetracted' ? [e.data.eventId] : [])));

/** A teacher's state from their whole stream, every retracted event left out (docs/indicators.md § Readings, 3). */
export const teacherStateFrom = (history: readonly TeacherEnvelope[]): TeacherDecisionState => {
  const retracted = retractionTargets(history);
  return history.reduce(
    (s, e) => (e.type === 'EventRetracted' || retracted.has(e.id) ? s : applyFact(s, e)),
    initialTeacherState,
  );
};

/**
 * Applies one accepted event. An EventRetracted undoes an earlier event, which a
 * compact state cannot do alone: pass `history`, the stream before this event,
 * and the state is refolded from it.
 */
export const evolveTeacher = (
  state: TeacherDecisionState,
  envelope: TeacherEnvelope,
  history?: readonly TeacherEnvelope[],
): TeacherDecisionState => {
  if (envelope.type !== 'EventRetracted') return applyFact(state, envelope);
  if (history === undefined) {
    throw new Error('evolveTeacher needs the stream history to apply an EventRetracted');
  }
  return teacherStateFrom([...history, envelope]);
};

export const isTeacherEnvelope = (e: Envelope): e is TeacherEnvelope => isOfKind(e, 'teacher');

/** The maps of a teacher's state that grow with their history. */
export type HoldingMap = 'degrees' | 'certificates' | 'programmes';
/** One entry of those maps: held or not (degrees, certificates), or a programme's progress. */
export type HoldingValue = boolean | ProgrammeProgress;
export interface HoldingRef {
  readonly map: HoldingMap;
  readonly key: string;
}

/** The one holding a teacher event reads or changes, if any: what its decision and evolution need. */
export const holdingOf = (envelope: TeacherEnvelope): HoldingRef | undefined => {
  switch (envelope.type) {
    case 'DegreeAwarded':
    case 'DegreeRevoked':
      return { map: 'degrees', key: envelope.data.degreeId };
    case 'CertificateIssued':
    case 'CertificateRevoked':
      return { map: 'certificates', key: envelope.data.certificateId };
    case 'TeacherEnrolled':
    case 'CourseCompleted':
    case 'EnrolmentWithdrawn':
    case 'CourseCompletionRevoked':
      return { map: 'programmes', key: envelope.data.programmeId };
    case 'TeacherRegistered':
    case 'TeacherHired':
    case 'TeachingAssignmentChanged':
    case 'TeacherTransferred':
    case 'TeacherLeft':
    case 'PostgraduateStudyStarted':
    case 'PostgraduateStudyAbandoned':
    case 'TeachingContestAwarded':
    case 'EventRetracted':
      return undefined;
    default:
      return unhandled(envelope, 'holding');
  }
};

const NO_HOLDINGS: ReadonlyMap<string, never> = new Map<string, never>();

/** The state with no holdings: the fixed-size part. */
export const withoutHoldings = (s: TeacherDecisionState): TeacherDecisionState =>
  s.degrees.size === 0 && s.certificates.size === 0 && s.programmes.size === 0
    ? s
    : { ...s, degrees: NO_HOLDINGS, certificates: NO_HOLDINGS, programmes: NO_HOLDINGS };

/** The holding `ref` of a state, undefined when the teacher has none by that key. */
export const holdingIn = (s: TeacherDecisionState, ref: HoldingRef): HoldingValue | undefined =>
  s[ref.map].get(ref.key);

/**
 * The fixed-size part of `s` with one holding and no other: exactly what deciding
 * and evolving an event whose `holdingOf` is `ref` read (`value` undefined: none).
 */
export const withHolding = (
  s: TeacherDecisionState,
  ref: HoldingRef,
  value: HoldingValue | undefined,
): TeacherDecisionState => {
  const thin = withoutHoldings(s);
  if (value === undefined) return thin;
  if (ref.map === 'programmes') {
    if (typeof value === 'boolean') throw new Error(`programme ${ref.key}: a progress is needed`);
    return { ...thin, programmes: new Map([[ref.key, value]]) };
  }
  if (typeof value !== 'boolean') throw new Error(`${ref.map} ${ref.key}: a boolean is needed`);
  return { ...thin, [ref.map]: new Map([[ref.key, value]]) };
};

/** Every holding of a state. */
export function* holdingsOf(s: TeacherDecisionState): Generator<[HoldingRef, HoldingValue]> {
  for (const map of ['degrees', 'certificates', 'programmes'] as const)
    for (const [key, value] of s[map]) yield [{ map, key }, value];
}
