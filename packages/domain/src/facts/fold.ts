import { match } from 'ts-pattern';
import type { DomainEvent } from '../events/schemas.js';
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
  match(event)
    .with({ type: 'TeacherHired' }, ({ id, data }) => {
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
    })
    .with({ type: 'TeachingAssignmentChanged' }, ({ id, data }) => {
      const e = current(facts);
      if (e === undefined) return false;
      e.assignments.push({
        levels: data.levels,
        mode: data.mode,
        effectiveOn: data.effectiveOn,
        eventId: id,
      });
      return true;
    })
    .with({ type: 'TeacherTransferred' }, ({ id, data }) => {
      const e = current(facts);
      if (e === undefined) return false;
      e.transfers.push({ toUnitId: data.toUnitId, effectiveOn: data.effectiveOn, eventId: id });
      return true;
    })
    .with({ type: 'TeacherLeft' }, ({ id, data }) => {
      const e = current(facts);
      if (e === undefined) return false;
      e.leftOn = data.leftOn;
      e.leftEventId = id;
      return true;
    })
    .with({ type: 'DegreeAwarded' }, ({ id, data }) => {
      facts.degrees.push({
        degreeId: data.degreeId,
        level: data.level,
        awardedOn: data.awardedOn,
        pedagogical: data.pedagogical === true,
        eventId: id,
      });
      return true;
    })
    .with({ type: 'DegreeRevoked' }, ({ id, data }) => {
      const d = facts.degrees.findLast((x) => x.degreeId === data.degreeId);
      if (d === undefined) return false;
      const revokedOn = minDate(d.revokedOn, data.revokedOn);
      if (revokedOn === d.revokedOn) return false;
      d.revokedOn = revokedOn;
      d.revokeEventId = id;
      return true;
    })
    .with({ type: 'CertificateIssued' }, ({ id, data }) => {
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
    })
    .with({ type: 'CertificateRevoked' }, ({ id, data }) => {
      const c = facts.certificates.findLast((x) => x.certificateId === data.certificateId);
      if (c === undefined) return false;
      const revokedOn = minDate(c.revokedOn, data.revokedOn);
      if (revokedOn === c.revokedOn) return false;
      c.revokedOn = revokedOn;
      c.revokeEventId = id;
      return true;
    })
    .with({ type: 'TeacherEnrolled' }, ({ id, data }) => {
      facts.enrolments.push({
        programmeId: data.programmeId,
        enrolledOn: data.enrolledOn,
        eventId: id,
      });
      return true;
    })
    .with({ type: 'EnrolmentWithdrawn' }, ({ id, data }) => {
      const e = facts.enrolments.findLast(
        (x) => x.programmeId === data.programmeId && x.withdrawnOn === undefined,
      );
      if (e === undefined) return false;
      e.withdrawnOn = data.withdrawnOn;
      e.withdrawEventId = id;
      return true;
    })
    .with({ type: 'CourseCompleted' }, ({ id, data }) => {
      facts.completions.push({
        programmeId: data.programmeId,
        completedOn: data.completedOn,
        eventId: id,
      });
      return true;
    })
    .with({ type: 'CourseCompletionRevoked' }, ({ id, data }) => {
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
    })
    .with(
      { type: 'TeacherRegistered' },
      { type: 'PostgraduateStudyStarted' },
      { type: 'PostgraduateStudyAbandoned' },
      { type: 'TeachingContestAwarded' },
      { type: 'EventRetracted' },
      { type: 'UnitRegistered' },
      { type: 'UnitRenamed' },
      { type: 'UnitAreaChanged' },
      { type: 'UnitMerged' },
      { type: 'ProgrammeRegistered' },
      { type: 'ProgrammeTopicsCorrected' },
      { type: 'TrainingFunded' },
      { type: 'AnnualReportSubmitted' },
      () => false,
    )
    .exhaustive();

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
