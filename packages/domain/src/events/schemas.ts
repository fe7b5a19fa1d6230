import * as z from 'zod';
import { businessDate, identifier, text, uuid } from './primitives.js';
import {
  CERTIFICATE_KINDS,
  CONTEST_AWARDS,
  CONTEST_LEVELS,
  COURSE_RESULTS,
  DEGREE_LEVELS,
  EMPLOYMENTS,
  FUNDING_SOURCES,
  GENDERS,
  LEAVE_REASONS,
  POSTGRADUATE_LEVELS,
  PROGRAMME_MODES,
  TEACHING_LEVELS,
  TEACHING_MODES,
  TOPICS,
  UNIT_KINDS,
} from './vocabulary.js';

const levels = z
  .array(z.enum(TEACHING_LEVELS))
  .min(1, 'must name at least one level taught')
  .refine((ls) => new Set(ls).size === ls.length, 'must not name a level twice');
const topics = z
  .array(z.enum(TOPICS))
  .min(1, 'must name at least one topic')
  .refine((ts) => new Set(ts).size === ts.length, 'must not name a topic twice');

const certificateIssued = z
  .strictObject({
    teacherId: identifier,
    certificateId: identifier,
    kind: z.enum(CERTIFICATE_KINDS),
    level: z.number().int('must be a whole number').optional(),
    occupation: text.optional(),
    issuedOn: businessDate,
    expiresOn: businessDate.optional(),
  })
  .superRefine((c, ctx) => {
    const range =
      c.kind === 'national-skill' ? [1, 5] : c.kind === 'foreign-language' ? [1, 6] : undefined;
    if (range === undefined) return;
    const [lo, hi] = range as [number, number];
    if (c.level === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message: `is required for a ${c.kind} certificate (${lo}–${hi})`,
      });
    } else if (c.level < lo || c.level > hi) {
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message: `must be from ${lo} to ${hi} for a ${c.kind} certificate (got ${c.level})`,
      });
    }
  });

/** The `data` schema of every event type of contract v1 (docs/events.md § Types). */
export const eventDataSchemas = {
  UnitRegistered: z.strictObject({
    unitId: identifier,
    name: text,
    kind: z.enum(UNIT_KINDS),
    area: identifier,
    registeredOn: businessDate,
  }),
  UnitRenamed: z.strictObject({ unitId: identifier, name: text, effectiveOn: businessDate }),
  UnitAreaChanged: z.strictObject({
    unitId: identifier,
    area: identifier,
    effectiveOn: businessDate,
  }),
  UnitMerged: z.strictObject({
    unitId: identifier,
    intoUnitId: identifier,
    effectiveOn: businessDate,
  }),
  TeacherRegistered: z.strictObject({
    teacherId: identifier,
    fullName: text,
    birthDate: businessDate.optional(),
    gender: z.enum(GENDERS).optional(),
    ethnicity: text.optional(),
  }),
  TeacherHired: z.strictObject({
    teacherId: identifier,
    unitId: identifier,
    employment: z.enum(EMPLOYMENTS),
    hiredOn: businessDate,
    levels,
    mode: z.enum(TEACHING_MODES),
  }),
  TeachingAssignmentChanged: z.strictObject({
    teacherId: identifier,
    levels,
    mode: z.enum(TEACHING_MODES),
    effectiveOn: businessDate,
  }),
  TeacherTransferred: z.strictObject({
    teacherId: identifier,
    toUnitId: identifier,
    effectiveOn: businessDate,
  }),
  TeacherLeft: z.strictObject({
    teacherId: identifier,
    leftOn: businessDate,
    reason: z.enum(LEAVE_REASONS),
  }),
  DegreeAwarded: z.strictObject({
    teacherId: identifier,
    degreeId: identifier,
    level: z.enum(DEGREE_LEVELS),
    field: text,
    institution: text,
    awardedOn: businessDate,
    pedagogical: z.boolean().optional(),
    country: text.optional(),
  }),
  DegreeRevoked: z.strictObject({
    teacherId: identifier,
    degreeId: identifier,
    revokedOn: businessDate,
    reason: text,
  }),
  CertificateIssued: certificateIssued,
  CertificateRevoked: z.strictObject({
    teacherId: identifier,
    certificateId: identifier,
    revokedOn: businessDate,
    reason: text,
  }),
  ProgrammeRegistered: z.strictObject({
    programmeId: identifier,
    title: text,
    provider: text,
    topics,
    hours: z.number().positive('must be more than 0').max(100000).optional(),
    mode: z.enum(PROGRAMME_MODES).optional(),
    abroad: z.boolean().optional(),
  }),
  ProgrammeTopicsCorrected: z.strictObject({ programmeId: identifier, topics, reason: text }),
  TeacherEnrolled: z.strictObject({
    teacherId: identifier,
    programmeId: identifier,
    enrolledOn: businessDate,
  }),
  CourseCompleted: z.strictObject({
    teacherId: identifier,
    programmeId: identifier,
    completedOn: businessDate,
    hours: z.number().positive('must be more than 0').max(100000).optional(),
    result: z.enum(COURSE_RESULTS).optional(),
  }),
  EnrolmentWithdrawn: z.strictObject({
    teacherId: identifier,
    programmeId: identifier,
    withdrawnOn: businessDate,
    reason: text.optional(),
  }),
  CourseCompletionRevoked: z.strictObject({
    teacherId: identifier,
    programmeId: identifier,
    revokedOn: businessDate,
    reason: text,
  }),
  PostgraduateStudyStarted: z.strictObject({
    teacherId: identifier,
    level: z.enum(POSTGRADUATE_LEVELS),
    institution: text,
    startedOn: businessDate,
    expectedOn: businessDate.optional(),
  }),
  PostgraduateStudyAbandoned: z.strictObject({
    teacherId: identifier,
    level: z.enum(POSTGRADUATE_LEVELS),
    abandonedOn: businessDate,
  }),
  TeachingContestAwarded: z.strictObject({
    teacherId: identifier,
    level: z.enum(CONTEST_LEVELS),
    year: z.number().int('must be a whole number').min(1950).max(2200),
    award: z.enum(CONTEST_AWARDS),
  }),
  TrainingFunded: z.strictObject({
    fundingId: identifier,
    programmeId: identifier,
    source: z.enum(FUNDING_SOURCES),
    amountVnd: z
      .number()
      .int('must be a whole number of đồng')
      .nonnegative('must not be negative')
      .max(Number.MAX_SAFE_INTEGER),
    fundedOn: businessDate,
  }),
  EventRetracted: z.strictObject({ teacherId: identifier, eventId: uuid, reason: text }),
  AnnualReportSubmitted: z.strictObject({
    unitId: identifier,
    year: z.number().int('must be a whole number').min(2000).max(2200),
    asOf: businessDate,
    submittedOn: businessDate,
    values: z.array(
      z.strictObject({
        indicator: identifier,
        numerator: z.number().int().nonnegative(),
        denominator: z.number().int().nonnegative(),
      }),
    ),
    checkpoint: z.string().max(10000).optional(),
    /** Who signed the report off (a name and title). */
    signedOffBy: text.optional(),
    /** The unit's note to the report. */
    note: z
      .string()
      .max(2000, 'must be at most 2000 characters')
      .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character')
      .optional(),
  }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

/** One domain event: `type` and its `data`, discriminated on `type`. */
export type DomainEvent = { [K in EventType]: { type: K; data: EventData<K> } }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** Sender metadata: free strings. */
export const metadataSchema = z.record(z.string().max(200), z.string().max(2000));

const envelopeVariant = <T extends EventType>(type: T) =>
  z.strictObject({
    id: uuid,
    type: z.literal(type),
    data: eventDataSchemas[type],
    metadata: metadataSchema.optional(),
  });

/** The envelope an integrator sends, discriminated on `type`. */
export const envelopeSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map(envelopeVariant) as unknown as [
    ReturnType<typeof envelopeVariant<EventType>>,
    ...ReturnType<typeof envelopeVariant<EventType>>[],
  ],
);

export type Envelope = DomainEvent & { id: string; metadata?: Record<string, string> };
