import type { DomainEvent, Envelope, EventType } from './schemas.js';

export type StreamKind = 'teacher' | 'unit' | 'programme' | 'funding' | 'report';

/**
 * The stream kind of every event type. Checked against a record over `EventType`,
 * so adding an event type fails to compile here until it is given a stream; kept
 * `as const`, so every per-kind union (`EventTypeOfKind`, `EnvelopeOfKind`) is read
 * off it and a new event joins its kind's deciders, evolves and fact handlers, each
 * of which then fails to compile until it handles it. A table rather than a
 * pattern match: this runs for every event imported and projected.
 */
export const STREAM_KIND_OF = {
  UnitRegistered: 'unit',
  UnitRenamed: 'unit',
  UnitAreaChanged: 'unit',
  UnitMerged: 'unit',
  TeacherRegistered: 'teacher',
  TeacherHired: 'teacher',
  TeachingAssignmentChanged: 'teacher',
  TeacherTransferred: 'teacher',
  TeacherLeft: 'teacher',
  DegreeAwarded: 'teacher',
  DegreeRevoked: 'teacher',
  CertificateIssued: 'teacher',
  CertificateRevoked: 'teacher',
  TeacherEnrolled: 'teacher',
  CourseCompleted: 'teacher',
  EnrolmentWithdrawn: 'teacher',
  CourseCompletionRevoked: 'teacher',
  PostgraduateStudyStarted: 'teacher',
  PostgraduateStudyAbandoned: 'teacher',
  TeachingContestAwarded: 'teacher',
  EventRetracted: 'teacher',
  ProgrammeRegistered: 'programme',
  ProgrammeTopicsCorrected: 'programme',
  TrainingFunded: 'funding',
  AnnualReportSubmitted: 'report',
} as const satisfies { readonly [T in EventType]: StreamKind };

/** The event types of the streams of one kind, e.g. `EventTypeOfKind<'unit'>`. */
export type EventTypeOfKind<K extends StreamKind> = {
  [T in EventType]: (typeof STREAM_KIND_OF)[T] extends K ? T : never;
}[EventType];

/** The envelopes of the streams of one kind. */
export type EnvelopeOfKind<K extends StreamKind> = Extract<Envelope, { type: EventTypeOfKind<K> }>;

/** Whether `envelope` belongs to a stream of `kind` (read off STREAM_KIND_OF, so it narrows truthfully). */
export const isOfKind = <K extends StreamKind>(
  envelope: Envelope,
  kind: K,
): envelope is EnvelopeOfKind<K> => STREAM_KIND_OF[envelope.type] === kind;

/** The stream an event belongs to (docs/events.md § Envelopes): `teacher-<id>`, `unit-<id>`, … */
export const streamOf = (event: DomainEvent): string => {
  const data = event.data as Record<string, unknown>;
  switch (STREAM_KIND_OF[event.type]) {
    case 'teacher':
      return `teacher-${String(data.teacherId)}`;
    case 'unit':
      return `unit-${String(data.unitId)}`;
    case 'programme':
      return `programme-${String(data.programmeId)}`;
    case 'funding':
      return `funding-${String(data.fundingId)}`;
    case 'report':
      return `report-${String(data.unitId)}-${String(data.year)}`;
  }
};

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
