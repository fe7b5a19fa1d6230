import type { DomainEvent, EventType } from '../events/schemas.js';
import type { RecordedEvent } from '../events/recorded.js';
import type { EmploymentFact, TeacherFacts } from './types.js';

/** An event as the fold needs it: what happened and which event said so. */
export type FactEvent = DomainEvent & { readonly id: string };

export const emptyFacts = (teacherId: string): TeacherFacts => ({
  teacherId,
  employments: [],
  degrees: [],
  certificates: [],
  completions: [],
  enrolments: [],
});

const minDate = (a: string | undefined, b: string): string => (a !== undefined && a < b ? a : b);

const current = (facts: TeacherFacts): EmploymentFact | undefined => {
  const last = facts.employments[facts.employments.length - 1];
  return last !== undefined && last.leftOn === undefined ? last : undefined;
};

const ignore = (): boolean => false;

type Handlers = {
  [K in EventType]: (facts: TeacherFacts, event: Extract<FactEvent, { type: K }>) => boolean;
};

/*
 * A table keyed by every event type rather than a ts-pattern match: the mapped
 * type fails to compile when an event type is missing, just like `.exhaustive()`,
 * and the projection's hot path is spared building a matcher per event.
 */
const APPLY: Handlers = {
  TeacherHired: (facts, { id, data }) => {
    facts.employments.push({
      eventId: id,
      unitId: data.unitId,
      employment: data.employment,
      hiredOn: data.hiredOn,
      levels: data.levels,
      mode: data.mode,
      transfers: [],
      assignments: [],
    });
    return true;
  },
  TeachingAssignmentChanged: (facts, { id, data }) => {
    const e = current(facts);
    if (e === undefined) return false;
    e.assignments.push({
      levels: data.levels,
      mode: data.mode,
      effectiveOn: data.effectiveOn,
      eventId: id,
    });
    return true;
  },
  TeacherTransferred: (facts, { id, data }) => {
    const e = current(facts);
    if (e === undefined) return false;
    e.transfers.push({ toUnitId: data.toUnitId, effectiveOn: data.effectiveOn, eventId: id });
    return true;
  },
  TeacherLeft: (facts, { id, data }) => {
    const e = current(facts);
    if (e === undefined) return false;
    e.leftOn = data.leftOn;
    e.leftEventId = id;
    return true;
  },
  DegreeAwarded: (facts, { id, data }) => {
    facts.degrees.push({
      degreeId: data.degreeId,
      level: data.level,
      awardedOn: data.awardedOn,
      pedagogical: data.pedagogical === true,
      eventId: id,
    });
    return true;
  },
  DegreeRevoked: (facts, { id, data }) => {
    const d = facts.degrees.findLast((x) => x.degreeId === data.degreeId);
    if (d === undefined) return false;
    const revokedOn = minDate(d.revokedOn, data.revokedOn);
    if (revokedOn === d.revokedOn) return false;
    d.revokedOn = revokedOn;
    d.revokeEventId = id;
    return true;
  },
  CertificateIssued: (facts, { id, data }) => {
    const c: TeacherFacts['certificates'][number] = {
      certificateId: data.certificateId,
      kind: data.kind,
      issuedOn: data.issuedOn,
      eventId: id,
    };
    if (data.level !== undefined) c.level = data.level;
    if (data.expiresOn !== undefined) c.expiresOn = data.expiresOn;
    facts.certificates.push(c);
    return true;
  },
  CertificateRevoked: (facts, { id, data }) => {
    const c = facts.certificates.findLast((x) => x.certificateId === data.certificateId);
    if (c === undefined) return false;
    const revokedOn = minDate(c.revokedOn, data.revokedOn);
    if (revokedOn === c.revokedOn) return false;
    c.revokedOn = revokedOn;
    c.revokeEventId = id;
    return true;
  },
  TeacherEnrolled: (facts, { id, data }) => {
    facts.enrolments.push({
      programmeId: data.programmeId,
      enrolledOn: data.enrolledOn,
      eventId: id,
    });
    return true;
  },
  EnrolmentWithdrawn: (facts, { id, data }) => {
    const e = facts.enrolments.findLast(
      (x) => x.programmeId === data.programmeId && x.withdrawnOn === undefined,
    );
    if (e === undefined) return false;
    e.withdrawnOn = data.withdrawnOn;
    e.withdrawEventId = id;
    return true;
  },
  CourseCompleted: (facts, { id, data }) => {
    facts.completions.push({
      programmeId: data.programmeId,
      completedOn: data.completedOn,
      eventId: id,
    });
    return true;
  },
  CourseCompletionRevoked: (facts, { id, data }) => {
    // Reading 2: the revocation applies to that teacher's completion(s) of that programme.
    let changed = false;
    for (const c of facts.completions) {
      if (c.programmeId !== data.programmeId) continue;
      const revokedOn = minDate(c.revokedOn, data.revokedOn);
      if (revokedOn === c.revokedOn) continue;
      c.revokedOn = revokedOn;
      c.revokeEventId = id;
      changed = true;
    }
    return changed;
  },
  TeacherRegistered: ignore,
  PostgraduateStudyStarted: ignore,
  PostgraduateStudyAbandoned: ignore,
  TeachingContestAwarded: ignore,
  EventRetracted: ignore,
  UnitRegistered: ignore,
  UnitRenamed: ignore,
  UnitAreaChanged: ignore,
  UnitMerged: ignore,
  ProgrammeRegistered: ignore,
  ProgrammeTopicsCorrected: ignore,
  TrainingFunded: ignore,
  AnnualReportSubmitted: ignore,
};

/**
 * Applies one event to `facts` in place and says whether the facts changed.
 * Events that say nothing an indicator reads (registration, postgraduate study,
 * contests, reference data) and `EventRetracted` (handled by `foldTeacherFacts`,
 * which folds again without the retracted event) leave the facts alone.
 *
 * Invalid sequences the deciders reject (a leave while not employed, revoking an
 * unknown degree) are ignored rather than guessed at, so the fold is total.
 * A revocation keeps the earliest revocation date, so the order in which two
 * revocations of one fact arrive does not matter.
 */
export const applyFact = (facts: TeacherFacts, event: FactEvent): boolean =>
  (APPLY[event.type] as (facts: TeacherFacts, event: FactEvent) => boolean)(facts, event);

/** The ids of the events retracted by the `EventRetracted` events among `events`. */
export const retractedIds = (events: readonly FactEvent[]): Set<string> => {
  const ids = new Set<string>();
  for (const e of events) if (e.type === 'EventRetracted') ids.add(e.data.eventId);
  return ids;
};

/**
 * A teacher's facts from their stream (in stream order) minus retracted events
 * (reading 3). Pure: no clock, no I/O. Events of other teachers are ignored.
 */
export const foldTeacherFacts = (
  teacherId: string,
  events: readonly (FactEvent | RecordedEvent)[],
): TeacherFacts => {
  const retracted = retractedIds(events);
  const facts = emptyFacts(teacherId);
  for (const e of events) {
    if (retracted.has(e.id)) continue;
    if ('teacherId' in e.data && e.data.teacherId !== teacherId) continue;
    applyFact(facts, e);
  }
  return facts;
};
