import type { Result } from '../errors.js';
import { unhandled } from '../unhandled.js';
import type { Envelope } from '../events/schemas.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';
import { decideRetraction } from './retraction.js';
import type { TeacherEnvelope, TeacherDecisionState } from './teacher-state.js';

/** An employment event must not precede the current employment's latest date (reading 6). */
const notBefore = (
  state: TeacherDecisionState,
  path: string,
  date: string,
): Result<never> | undefined =>
  state.job !== undefined && date < state.job.latestOn
    ? reject(
        'date-backwards',
        path,
        `must not precede the current employment's latest date ${state.job.latestOn}: send a teacher's employment events in date order`,
      )
    : undefined;

const notEmployed = (teacherId: string): Result<never> =>
  reject('not-employed', 'data.teacherId', `teacher ${teacherId} is not employed: send TeacherHired for ${teacherId} first`);

/**
 * Decides one event of a teacher's stream (docs/indicators.md § Readings, 6, 7, 10).
 *
 * Employment dates: a hire, transfer, assignment change or leave must not precede
 * the current employment's latest such date; a rehire must not precede the last
 * leftOn (a rehire on that very day is allowed, leftOn being the first day no
 * longer employed). A leave must also fall after the hire (leftOn > hiredOn: an
 * employment lasts at least one day). Degrees, certificates, enrolments and
 * completions may carry any past date.
 */
export const decideTeacher = (
  state: TeacherDecisionState,
  envelope: TeacherEnvelope,
  lookup: DecisionLookup,
): Result<Envelope[]> => {
  const { teacherId } = envelope.data;
  if (envelope.type !== 'TeacherRegistered' && !state.registered) {
    return reject('unknown-teacher', 'data.teacherId', `teacher ${teacherId} is not registered: send TeacherRegistered for ${teacherId} first`);
  }
  switch (envelope.type) {
    case 'TeacherRegistered': {
      const e = envelope;
      return state.registered
        ? reject('already-exists', 'data.teacherId', `teacher ${teacherId} is already registered`)
        : accept(e);
    }
    case 'TeacherHired': {
      const e = envelope;

      const { unitId, hiredOn } = e.data;
      if (state.job !== undefined) {
        return reject(
          'already-employed',
          'data.teacherId',
          `teacher ${teacherId} is already employed at ${state.job.unitId} since ${state.job.hiredOn}; record TeacherLeft first`,
        );
      }
      if (lookup.unit(unitId) === undefined) {
        return reject('unknown-unit', 'data.unitId', `unit ${unitId} is not registered: send UnitRegistered for ${unitId} first`);
      }
      if (state.lastLeftOn !== undefined && hiredOn < state.lastLeftOn) {
        return reject(
          'date-backwards',
          'data.hiredOn',
          `must not precede the last leftOn ${state.lastLeftOn}: send a teacher's employment events in date order`,
        );
      }
      return accept(e);
    }
    case 'TeachingAssignmentChanged': {
      const e = envelope;

      if (state.job === undefined) return notEmployed(teacherId);
      return notBefore(state, 'data.effectiveOn', e.data.effectiveOn) ?? accept(e);
    }
    case 'TeacherTransferred': {
      const e = envelope;

      const { toUnitId, effectiveOn } = e.data;
      if (state.job === undefined) return notEmployed(teacherId);
      if (lookup.unit(toUnitId) === undefined) {
        return reject('unknown-unit', 'data.toUnitId', `unit ${toUnitId} is not registered: send UnitRegistered for ${toUnitId} first`);
      }
      return notBefore(state, 'data.effectiveOn', effectiveOn) ?? accept(e);
    }
    case 'TeacherLeft': {
      const e = envelope;

      const { leftOn } = e.data;
      if (state.job === undefined) return notEmployed(teacherId);
      return notBefore(state, 'data.leftOn', leftOn) ?? accept(e);
    }
    case 'DegreeAwarded': {
      const e = envelope;
      return state.degrees.has(e.data.degreeId)
        ? reject('already-exists', 'data.degreeId', `degree ${e.data.degreeId} is already recorded: give another degree its own degreeId; to correct this one, retract it (EventRetracted) and send it again`)
        : accept(e);
    }
    case 'DegreeRevoked': {
      const e = envelope;

      const held = state.degrees.get(e.data.degreeId);
      if (held === undefined) {
        return reject(
          'not-found',
          'data.degreeId',
          `teacher ${teacherId} has no degree ${e.data.degreeId}: send DegreeAwarded for it first, or check the degreeId`,
        );
      }
      // Revoking an already revoked degree again is allowed: the earliest revocation holds.
      return accept(e);
    }
    case 'CertificateIssued': {
      const e = envelope;
      return state.certificates.has(e.data.certificateId)
        ? reject(
            'already-exists',
            'data.certificateId',
            `certificate ${e.data.certificateId} is already recorded`,
          )
        : accept(e);
    }
    case 'CertificateRevoked': {
      const e = envelope;

      const held = state.certificates.get(e.data.certificateId);
      if (held === undefined) {
        return reject(
          'not-found',
          'data.certificateId',
          `teacher ${teacherId} has no certificate ${e.data.certificateId}: send CertificateIssued for it first, or check the certificateId`,
        );
      }
      // As for degrees, a second revocation is allowed: the earliest holds.
      return accept(e);
    }
    case 'TeacherEnrolled': {
      const e = envelope;
      return lookup.programmeExists(e.data.programmeId)
        ? accept(e)
        : reject(
            'unknown-programme',
            'data.programmeId',
            `programme ${e.data.programmeId} is not registered: send ProgrammeRegistered for ${e.data.programmeId} first`,
          );
    }
    case 'CourseCompleted': {
      const e = envelope;

      const { programmeId, completedOn } = e.data;
      if (!lookup.programmeExists(programmeId)) {
        return reject(
          'unknown-programme',
          'data.programmeId',
          `programme ${programmeId} is not registered: send ProgrammeRegistered for ${programmeId} first`,
        );
      }
      const enrolledOn = state.programmes.get(programmeId)?.enrolledOn;
      if (enrolledOn === undefined) {
        return reject(
          'completion-without-enrolment',
          'data.programmeId',
          `teacher ${teacherId} has no enrolment in ${programmeId} that is not withdrawn: send TeacherEnrolled for ${programmeId} first`,
        );
      }
      if (completedOn < enrolledOn) {
        return reject(
          'completion-without-enrolment',
          'data.completedOn',
          `must not precede the enrolment in ${programmeId} on ${enrolledOn}: check the dates, or retract the enrolment and send it with its real date`,
        );
      }
      return accept(e);
    }
    case 'EnrolmentWithdrawn': {
      const e = envelope;
      return state.programmes.get(e.data.programmeId)?.enrolledOn === undefined
        ? reject(
            'not-found',
            'data.programmeId',
            `teacher ${teacherId} has no enrolment in ${e.data.programmeId} to withdraw: send TeacherEnrolled for ${e.data.programmeId} first`,
          )
        : accept(e);
    }
    case 'CourseCompletionRevoked': {
      const e = envelope;
      return (state.programmes.get(e.data.programmeId)?.completions ?? 0) > 0
        ? accept(e)
        : reject(
            'not-found',
            'data.programmeId',
            `teacher ${teacherId} has no completion of ${e.data.programmeId}: send CourseCompleted for it first`,
          );
    }
    case 'PostgraduateStudyStarted': {
      const e = envelope;
      return accept(e);
    }
    case 'PostgraduateStudyAbandoned': {
      const e = envelope;
      return state.studying.has(e.data.level)
        ? accept(e)
        : reject(
            'not-found',
            'data.level',
            `teacher ${teacherId} has no ${e.data.level} study in progress`,
          );
    }
    case 'TeachingContestAwarded': {
      const e = envelope;
      return accept(e);
    }
    case 'EventRetracted': {
      const e = envelope;
      return decideRetraction(e, lookup, decideTeacher);
    }
    default:
      return unhandled(envelope, 'decider');
  }
};
