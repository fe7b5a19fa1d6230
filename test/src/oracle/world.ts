import type {
  CertificateKind,
  DegreeLevel,
  RecordedEvent,
  TeachingLevel,
  TeachingMode,
  Topic,
  UnitKind,
} from '@nhagiao/domain';
import { match } from 'ts-pattern';

export interface Dated<T> {
  readonly on: string;
  readonly value: T;
}

export interface UnitFacts {
  readonly kind: UnitKind;
  readonly registeredArea: string;
  readonly registeredOn: string;
  /** In log order. */
  readonly areaChanges: Dated<string>[];
  /** In log order: the unit whose teachers this one's count under from `on`. */
  readonly merges: Dated<string>[];
}

export interface Assignment {
  readonly levels: readonly TeachingLevel[];
  readonly mode: TeachingMode;
}

export interface Employment {
  readonly permanent: boolean;
  readonly hiredOn: string;
  leftOn: string | undefined;
  /** The hire's unit first, then transfers, in log order. */
  readonly units: Dated<string>[];
  /** The hire's assignment first, then changes, in log order. */
  readonly assignments: Dated<Assignment>[];
}

export interface Degree {
  readonly level: DegreeLevel;
  readonly awardedOn: string;
  readonly pedagogical: boolean;
}

export interface Certificate {
  readonly kind: CertificateKind;
  readonly level: number | undefined;
  readonly issuedOn: string;
  readonly expiresOn: string | undefined;
}

export interface Completion {
  readonly programmeId: string;
  readonly completedOn: string;
  /** Earliest revocation recorded after this completion. */
  revokedOn: string | undefined;
}

export interface TeacherFacts {
  readonly employments: Employment[];
  readonly degrees: Map<string, Degree>;
  readonly degreeRevocations: Map<string, string[]>;
  readonly certificates: Map<string, Certificate>;
  readonly certificateRevocations: Map<string, string[]>;
  readonly completions: Completion[];
}

/** Everything the indicator rules read, as known at one position. */
export interface World {
  readonly units: Map<string, UnitFacts>;
  readonly programmeTopics: Map<string, readonly Topic[]>;
  readonly teachers: Map<string, TeacherFacts>;
}

const newTeacher = (): TeacherFacts => ({
  employments: [],
  degrees: new Map(),
  degreeRevocations: new Map(),
  certificates: new Map(),
  certificateRevocations: new Map(),
  completions: [],
});

const pushTo = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/**
 * Folds the log as known at `knownAt` (position ≤ knownAt; everything when
 * undefined): events retracted by a retraction known then are dropped entirely
 * (reading 3), then the rest is applied in log order.
 */
export const buildWorld = (events: readonly RecordedEvent[], knownAt?: bigint): World => {
  const known = events.filter((e) => knownAt === undefined || e.position <= knownAt);
  const streamOf = new Map(known.map((e) => [e.id, e.stream]));
  const retracted = new Set<string>();
  for (const e of known) {
    // A retraction removes an event of that teacher's own stream only (docs/events.md § Types, EventRetracted).
    if (
      e.type === 'EventRetracted' &&
      streamOf.get(e.data.eventId) === `teacher-${e.data.teacherId}`
    ) {
      retracted.add(e.data.eventId);
    }
  }

  const world: World = { units: new Map(), programmeTopics: new Map(), teachers: new Map() };
  const teacher = (id: string): TeacherFacts => {
    let t = world.teachers.get(id);
    if (!t) {
      t = newTeacher();
      world.teachers.set(id, t);
    }
    return t;
  };
  const currentEmployment = (id: string): Employment | undefined => teacher(id).employments.at(-1);
  const unit = (id: string): UnitFacts => {
    const u = world.units.get(id);
    if (!u) throw new Error(`oracle: event for unregistered unit ${id}`);
    return u;
  };

  for (const e of known) {
    if (retracted.has(e.id)) continue;
    match(e)
      .with({ type: 'UnitRegistered' }, ({ data }) => {
        world.units.set(data.unitId, {
          kind: data.kind,
          registeredArea: data.area,
          registeredOn: data.registeredOn,
          areaChanges: [],
          merges: [],
        });
      })
      .with({ type: 'UnitRenamed' }, () => undefined)
      .with({ type: 'UnitAreaChanged' }, ({ data }) => {
        unit(data.unitId).areaChanges.push({ on: data.effectiveOn, value: data.area });
      })
      .with({ type: 'UnitMerged' }, ({ data }) => {
        unit(data.unitId).merges.push({ on: data.effectiveOn, value: data.intoUnitId });
      })
      .with({ type: 'TeacherRegistered' }, ({ data }) => {
        teacher(data.teacherId);
      })
      .with({ type: 'TeacherHired' }, ({ data }) => {
        const t = teacher(data.teacherId);
        const previous = t.employments.at(-1);
        // Only possible after a retracted leave: the earlier employment ends at the new hire.
        if (previous && previous.leftOn === undefined) previous.leftOn = data.hiredOn;
        t.employments.push({
          permanent: data.employment === 'permanent',
          hiredOn: data.hiredOn,
          leftOn: undefined,
          units: [{ on: data.hiredOn, value: data.unitId }],
          assignments: [{ on: data.hiredOn, value: { levels: data.levels, mode: data.mode } }],
        });
      })
      .with({ type: 'TeachingAssignmentChanged' }, ({ data }) => {
        currentEmployment(data.teacherId)?.assignments.push({
          on: data.effectiveOn,
          value: { levels: data.levels, mode: data.mode },
        });
      })
      .with({ type: 'TeacherTransferred' }, ({ data }) => {
        currentEmployment(data.teacherId)?.units.push({
          on: data.effectiveOn,
          value: data.toUnitId,
        });
      })
      .with({ type: 'TeacherLeft' }, ({ data }) => {
        const employment = currentEmployment(data.teacherId);
        if (employment) employment.leftOn = data.leftOn;
      })
      .with({ type: 'DegreeAwarded' }, ({ data }) => {
        teacher(data.teacherId).degrees.set(data.degreeId, {
          level: data.level,
          awardedOn: data.awardedOn,
          pedagogical: data.pedagogical === true,
        });
      })
      .with({ type: 'DegreeRevoked' }, ({ data }) => {
        pushTo(teacher(data.teacherId).degreeRevocations, data.degreeId, data.revokedOn);
      })
      .with({ type: 'CertificateIssued' }, ({ data }) => {
        teacher(data.teacherId).certificates.set(data.certificateId, {
          kind: data.kind,
          level: data.level,
          issuedOn: data.issuedOn,
          expiresOn: data.expiresOn,
        });
      })
      .with({ type: 'CertificateRevoked' }, ({ data }) => {
        pushTo(teacher(data.teacherId).certificateRevocations, data.certificateId, data.revokedOn);
      })
      .with({ type: 'ProgrammeRegistered' }, ({ data }) => {
        world.programmeTopics.set(data.programmeId, data.topics);
      })
      .with({ type: 'ProgrammeTopicsCorrected' }, ({ data }) => {
        world.programmeTopics.set(data.programmeId, data.topics);
      })
      .with({ type: 'CourseCompleted' }, ({ data }) => {
        teacher(data.teacherId).completions.push({
          programmeId: data.programmeId,
          completedOn: data.completedOn,
          revokedOn: undefined,
        });
      })
      .with({ type: 'CourseCompletionRevoked' }, ({ data }) => {
        for (const c of teacher(data.teacherId).completions) {
          if (c.programmeId !== data.programmeId) continue;
          if (c.revokedOn === undefined || data.revokedOn < c.revokedOn)
            c.revokedOn = data.revokedOn;
        }
      })
      .with(
        { type: 'TeacherEnrolled' },
        { type: 'EnrolmentWithdrawn' },
        { type: 'PostgraduateStudyStarted' },
        { type: 'PostgraduateStudyAbandoned' },
        { type: 'TeachingContestAwarded' },
        { type: 'TrainingFunded' },
        { type: 'EventRetracted' },
        { type: 'AnnualReportSubmitted' },
        // None of these moves an indicator of plan 423: enrolment is the decider's
        // precondition for a completion (reading 10), not a fact the figures read.
        () => undefined,
      )
      .exhaustive();
  }
  return world;
};
