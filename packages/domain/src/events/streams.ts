import { match } from 'ts-pattern';
import type { DomainEvent } from './schemas.js';

export type StreamKind = 'teacher' | 'unit' | 'programme' | 'funding' | 'report';

/** The stream an event belongs to (design.md §3): `teacher-<id>`, `unit-<id>`, … */
export const streamOf = (event: DomainEvent): string =>
  match(event)
    .with(
      { type: 'UnitRegistered' },
      { type: 'UnitRenamed' },
      { type: 'UnitAreaChanged' },
      { type: 'UnitMerged' },
      (e) => `unit-${e.data.unitId}`,
    )
    .with(
      { type: 'TeacherRegistered' },
      { type: 'TeacherHired' },
      { type: 'TeachingAssignmentChanged' },
      { type: 'TeacherTransferred' },
      { type: 'TeacherLeft' },
      { type: 'DegreeAwarded' },
      { type: 'DegreeRevoked' },
      { type: 'CertificateIssued' },
      { type: 'CertificateRevoked' },
      { type: 'TeacherEnrolled' },
      { type: 'CourseCompleted' },
      { type: 'EnrolmentWithdrawn' },
      { type: 'CourseCompletionRevoked' },
      { type: 'PostgraduateStudyStarted' },
      { type: 'PostgraduateStudyAbandoned' },
      { type: 'TeachingContestAwarded' },
      { type: 'EventRetracted' },
      (e) => `teacher-${e.data.teacherId}`,
    )
    .with(
      { type: 'ProgrammeRegistered' },
      { type: 'ProgrammeTopicsCorrected' },
      (e) => `programme-${e.data.programmeId}`,
    )
    .with({ type: 'TrainingFunded' }, (e) => `funding-${e.data.fundingId}`)
    .with({ type: 'AnnualReportSubmitted' }, (e) => `report-${e.data.unitId}-${e.data.year}`)
    .exhaustive();

/** The kind of a stream name: the part before the first `-`. */
export const streamKindOf = (stream: string): StreamKind => {
  const kind = stream.slice(0, stream.indexOf('-'));
  if (
    kind === 'teacher' ||
    kind === 'unit' ||
    kind === 'programme' ||
    kind === 'funding' ||
    kind === 'report'
  ) {
    return kind;
  }
  throw new Error(`${JSON.stringify(stream)} is not a stream of nhagiao`);
};
