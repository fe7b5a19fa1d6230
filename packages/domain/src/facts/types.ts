import type {
  CertificateKind,
  DegreeLevel,
  Employment,
  TeachingLevel,
  TeachingMode,
} from '../events/vocabulary.js';

/**
 * What a teacher's stream says about them, minus retracted events (docs/indicators.md § Indicators).
 * Dates are `YYYY-MM-DD` strings: their lexicographic order is date order, which
 * keeps the projection's hot path free of date objects. Every fact names the event
 * that recorded it so `explain` can point at it.
 */
export interface TransferFact {
  toUnitId: string;
  effectiveOn: string;
  eventId: string;
}

export interface AssignmentFact {
  levels: readonly TeachingLevel[];
  mode: TeachingMode;
  effectiveOn: string;
  eventId: string;
}

/** One hire, up to its leave. A rehire is a new employment with its own levels and mode. */
export interface EmploymentFact {
  eventId: string;
  unitId: string;
  employment: Employment;
  hiredOn: string;
  levels: readonly TeachingLevel[];
  mode: TeachingMode;
  /** First day no longer employed. */
  leftOn?: string;
  leftEventId?: string;
  /** In recorded order. */
  transfers: TransferFact[];
  /** In recorded order; the hire's own levels and mode are not repeated here. */
  assignments: AssignmentFact[];
}

export interface DegreeFact {
  degreeId: string;
  level: DegreeLevel;
  awardedOn: string;
  /** A missing `pedagogical` is false (reading 8). */
  pedagogical: boolean;
  eventId: string;
  revokedOn?: string;
  revokeEventId?: string;
}

export interface CertificateFact {
  certificateId: string;
  kind: CertificateKind;
  level?: number;
  issuedOn: string;
  expiresOn?: string;
  eventId: string;
  revokedOn?: string;
  revokeEventId?: string;
}

export interface CompletionFact {
  programmeId: string;
  completedOn: string;
  eventId: string;
  revokedOn?: string;
  revokeEventId?: string;
}

export interface EnrolmentFact {
  programmeId: string;
  enrolledOn: string;
  eventId: string;
  withdrawnOn?: string;
  withdrawEventId?: string;
}

/**
 * The facts of one teacher. Treat as immutable outside the fold: the projection
 * updates its own copy in place for speed and hands out no references to it.
 */
export interface TeacherFacts {
  teacherId: string;
  /** In recorded order (which, for valid streams, is hire-date order). */
  employments: EmploymentFact[];
  degrees: DegreeFact[];
  certificates: CertificateFact[];
  completions: CompletionFact[];
  enrolments: EnrolmentFact[];
}
