import type { EventType } from '../events/schemas.js';

/** The roles of API keys. */
export const ROLES = ['integrator', 'reporter', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who may assert an event, besides the Sở (an admin key, or the operator who
 * holds the data directory), who may assert every event:
 *
 * - `so`: only the Sở. Reference data whose change moves several units'
 *   figures (units, renames, areas, merges, programmes and their topics, funding).
 * - `anyone`: any integrator. A registration names no unit, so it moves no figure.
 * - `employer`: an integrator of the unit the teacher works at when the event
 *   is recorded (or, when they are not employed now, the unit they last worked
 *   at), following merges: a key of the unit a teacher's unit was merged into
 *   writes for them too. Facts from before the teacher joined (an earlier
 *   degree) included.
 * - `hiring-unit`: an integrator of the unit named in `data.unitId`, and the
 *   teacher not employed now at a unit the key does not write for.
 * - `both-units`: a transfer; an integrator that writes both for the unit the
 *   teacher works at and for `data.toUnitId`.
 * - `report-unit`: an integrator of the unit named in `data.unitId`.
 * - `retraction`: `employer`, and authority over whoever recorded the
 *   retracted event: the same key, a key of the same units (or of units they
 *   were merged into), or the Sở. An event recorded by the Sở is retracted
 *   only by the Sở.
 * - `cancellation`: a revocation or withdrawal of an earlier fact (`CANCELS`):
 *   authority over whoever recorded the fact it cancels, as for a retraction
 *   (the unit that recorded it may, after the teacher moved on; a new employer
 *   may not undo what the former unit recorded); `employer` when there is no
 *   such fact.
 */
export type Asserter =
  | 'so'
  | 'anyone'
  | 'employer'
  | 'hiring-unit'
  | 'both-units'
  | 'report-unit'
  | 'retraction'
  | 'cancellation';

/** The authority table: for every event type, who besides the Sở may assert it. */
export const AUTHORITY: { readonly [T in EventType]: Asserter } = {
  UnitRegistered: 'so',
  UnitRenamed: 'so',
  UnitAreaChanged: 'so',
  UnitMerged: 'so',
  ProgrammeRegistered: 'so',
  ProgrammeTopicsCorrected: 'so',
  TrainingFunded: 'so',
  TeacherRegistered: 'anyone',
  TeacherHired: 'hiring-unit',
  TeacherTransferred: 'both-units',
  TeachingAssignmentChanged: 'employer',
  TeacherLeft: 'employer',
  DegreeAwarded: 'employer',
  DegreeRevoked: 'cancellation',
  CertificateIssued: 'employer',
  CertificateRevoked: 'cancellation',
  TeacherEnrolled: 'employer',
  CourseCompleted: 'employer',
  EnrolmentWithdrawn: 'cancellation',
  CourseCompletionRevoked: 'cancellation',
  PostgraduateStudyStarted: 'employer',
  PostgraduateStudyAbandoned: 'cancellation',
  TeachingContestAwarded: 'employer',
  EventRetracted: 'retraction',
  AnnualReportSubmitted: 'report-unit',
};

/**
 * The events that cancel an earlier fact of the same teacher, and which one:
 * the latest event of `fact` whose `data[key]` is the same as the
 * cancellation's (and that is not retracted).
 */
export const CANCELS: {
  readonly [T in EventType]?: { readonly fact: EventType; readonly key: string };
} = {
  DegreeRevoked: { fact: 'DegreeAwarded', key: 'degreeId' },
  CertificateRevoked: { fact: 'CertificateIssued', key: 'certificateId' },
  EnrolmentWithdrawn: { fact: 'TeacherEnrolled', key: 'programmeId' },
  CourseCompletionRevoked: { fact: 'CourseCompleted', key: 'programmeId' },
  PostgraduateStudyAbandoned: { fact: 'PostgraduateStudyStarted', key: 'level' },
};

/** What each role may assert: the Sở everything, an integrator what the table gives it, readers nothing. */
export const ROLE_WRITES: { readonly [R in Role]: 'all' | 'table' | 'none' } = {
  admin: 'all',
  integrator: 'table',
  reporter: 'none',
  auditor: 'none',
};

/** The roles that may assert at least one event (the ones `POST /v1/events` admits). */
export const WRITING_ROLES: readonly Role[] = ROLES.filter((r) => ROLE_WRITES[r] !== 'none');

/**
 * Metadata keys the server writes into every event it records for a key: who
 * submitted it (`submittedBy`, the key id) and with what authority
 * (`submittedAs`: `admin`, or `integrator:` and the key's units, sorted, comma
 * separated). And the one the operator's `nhagiao import` writes: the import
 * an event came in (`importedBy`), by which `nhagiao history` groups
 * submissions. A key may send none of them.
 */
export const SUBMITTED_BY = 'submittedBy';
export const SUBMITTED_AS = 'submittedAs';
export const IMPORTED_BY = 'importedBy';
export const RESERVED_METADATA: readonly string[] = [SUBMITTED_BY, SUBMITTED_AS, IMPORTED_BY];
