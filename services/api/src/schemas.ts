import {
  businessDate,
  envelopeSchema,
  eventDataSchemas,
  identifier,
  metadataSchema,
} from '@nhagiao/domain';
import * as z from 'zod';

/** A global position or stream revision: a decimal string (JSON numbers lose precision past 2^53). */
export const decimal = z.string().regex(/^\d+$/, 'must be a decimal number');

/**
 * The log position a `knownAt` instant resolves to; `-1` when nothing had been
 * recorded by then, which sees the empty state (every figure zero).
 */
export const knownAtPosition = z
  .string()
  .regex(/^(-1|\d+)$/, 'must be a decimal number or -1')
  .describe('The last log position counted; -1: nothing had been recorded by knownAt');

export const scopeParam = z
  .string()
  .regex(/^(province|(unit|area|kind):[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, {
    message: 'must be province, unit:<unitId>, area:<code> or kind:<unitKind>',
  });

export const asOfParam = businessDate.describe('Valid date YYYY-MM-DD; default: today in Vietnam');
export const knownAtParam = z.iso
  .datetime({ offset: true })
  .describe('Only what was recorded at or before this instant (ISO-8601)');

export const figuresQuery = z.strictObject({
  asOf: asOfParam.optional(),
  knownAt: knownAtParam.optional(),
  by: z.enum(['province', 'unit', 'area', 'kind']).default('province'),
  indicator: identifier.optional(),
});

export const figureSchema = z
  .object({
    indicator: z.string(),
    scope: z.string(),
    asOf: z.string(),
    numerator: z.number(),
    denominator: z.number(),
    value: z.number().nullable(),
    /** The plan's target for the year of `asOf`, when it sets one. */
    target: z.number().nullable(),
  })
  .meta({ id: 'Figure' });

export const figuresResponse = z
  .object({
    plan: z.string(),
    asOf: z.string(),
    knownAt: knownAtPosition.nullable(),
    by: z.string(),
    figures: z.array(figureSchema),
  })
  .meta({ id: 'Figures' });

export const teacherContributionSchema = z.object({
  teacherId: z.string(),
  numerator: z.number(),
  denominator: z.number(),
});

export const explainResponse = z
  .object({
    indicator: z.string(),
    scope: z.string(),
    asOf: z.string(),
    knownAt: knownAtPosition.nullable(),
    numerator: z.number(),
    denominator: z.number(),
    value: z.number().nullable(),
    target: z.number().nullable(),
    /** The teachers behind the figure; only for auditors and admins (personal data). */
    teachers: z.array(teacherContributionSchema).optional(),
  })
  .meta({ id: 'Explanation' });

export const historyRowSchema = z.object({
  indicator: z.string(),
  unitId: z.string(),
  validFrom: z.string(),
  position: decimal,
  recordedAt: z.string().nullable(),
  dNumerator: z.number(),
  dDenominator: z.number(),
  eventId: z.string(),
  teacherId: z.string(),
});

export const historyResponse = z
  .object({ indicator: z.string(), scope: z.string(), rows: z.array(historyRowSchema) })
  .meta({ id: 'History' });

export const recordedEventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    stream: z.string(),
    revision: decimal,
    position: decimal,
    recordedAt: z.string(),
    data: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.string()),
  })
  .meta({ id: 'RecordedEvent' });

export const teacherEventsResponse = z
  .object({ teacherId: z.string(), events: z.array(recordedEventSchema) })
  .meta({ id: 'TeacherEvents' });

export const employmentSchema = z.object({
  unitId: z.string(),
  employment: z.string(),
  hiredOn: z.string(),
  leftOn: z.string().nullable(),
  levels: z.array(z.string()),
  mode: z.string(),
  transfers: z.array(z.object({ toUnitId: z.string(), effectiveOn: z.string() })),
});

export const teacherResponse = z
  .object({
    teacherId: z.string(),
    fullName: z.string().nullable(),
    currentUnitId: z.string().nullable(),
    employments: z.array(employmentSchema),
    degrees: z.array(
      z.object({
        degreeId: z.string(),
        level: z.string(),
        awardedOn: z.string(),
        pedagogical: z.boolean(),
        revokedOn: z.string().nullable(),
      }),
    ),
    certificates: z.array(
      z.object({
        certificateId: z.string(),
        kind: z.string(),
        level: z.number().nullable(),
        issuedOn: z.string(),
        expiresOn: z.string().nullable(),
        revokedOn: z.string().nullable(),
      }),
    ),
    completions: z.array(
      z.object({
        programmeId: z.string(),
        completedOn: z.string(),
        revokedOn: z.string().nullable(),
      }),
    ),
    timeline: z.array(
      z.object({ position: decimal, recordedAt: z.string(), type: z.string(), id: z.string() }),
    ),
  })
  .meta({ id: 'Teacher' });

export const unitSchema = z.object({
  unitId: z.string(),
  name: z.string(),
  kind: z.string(),
  area: z.string(),
  registeredOn: z.string(),
  /** The unit its teachers count under on `asOf` (itself unless merged). */
  countsUnder: z.string(),
});

export const unitsResponse = z
  .object({ asOf: z.string(), units: z.array(unitSchema) })
  .meta({ id: 'Units' });

export const planResponse = z
  .object({
    code: z.string(),
    title: z.object({ vi: z.string(), en: z.string() }),
    countFrom: z.string(),
    legalSource: z.object({
      documentNumber: z.string(),
      date: z.string(),
      issuer: z.string(),
      implements: z.string(),
    }),
    indicators: z.array(
      z.object({
        code: z.string(),
        title: z.object({ vi: z.string(), en: z.string() }),
        targets: z.array(
          z.object({ year: z.number(), target: z.number(), judgedAsOf: z.string() }),
        ),
      }),
    ),
  })
  .meta({ id: 'Plan' });

export const quarantineResponse = z
  .object({
    entries: z.array(
      z.object({
        receivedAt: z.string(),
        source: z.string(),
        line: z.number(),
        actorId: z.string().nullable(),
        code: z.string(),
        message: z.string(),
        issues: z.array(z.object({ path: z.string(), message: z.string() })),
        item: z.unknown(),
      }),
    ),
  })
  .meta({ id: 'Quarantine' });

export const statusResponse = z
  .object({
    head: decimal.nullable(),
    checkpoints: z.record(z.string(), decimal.nullable()),
    /** Events stored but not yet in each read model. */
    lag: z.record(z.string(), decimal.nullable()),
    plan: z.string(),
  })
  .meta({ id: 'Status' });

export const itemOutcomeSchema = z
  .union([
    z.object({
      line: z.number(),
      id: z.string(),
      status: z.literal('accepted'),
      stream: z.string(),
      position: decimal,
      revision: decimal,
    }),
    z.object({
      line: z.number(),
      id: z.string(),
      status: z.literal('duplicate'),
      stream: z.string(),
      /** Absent when the first copy is earlier in the same request. */
      position: decimal.optional(),
      revision: decimal.optional(),
    }),
    z.object({
      line: z.number(),
      id: z.string().optional(),
      status: z.literal('rejected'),
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
    z.object({ line: z.number(), id: z.string(), status: z.literal('not-appended') }),
  ])
  .meta({ id: 'ItemOutcome' });

export const ingestResponse = z
  .object({
    appended: z.number(),
    duplicates: z.number(),
    rejected: z.number(),
    items: z.array(itemOutcomeSchema),
  })
  .meta({ id: 'IngestReport' });

/** The error body of a rejected submission: the one error shape plus each item's outcome. */
export const ingestErrorResponse = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
    items: z.array(itemOutcomeSchema),
  })
  .meta({ id: 'IngestError' });

/**
 * A unit's annual report as a key sends it: a sign-off. The server computes
 * `values` from the log and sets `submittedOn`; figures sent must equal its own.
 */
const reportSignOff = z
  .strictObject({
    id: z.uuid(),
    type: z.literal('AnnualReportSubmitted'),
    data: eventDataSchemas.AnnualReportSubmitted.partial({
      asOf: true,
      submittedOn: true,
      values: true,
    }),
    metadata: metadataSchema.optional(),
  })
  .meta({ id: 'AnnualReportSignOff' });

/** One event as sent: any envelope of the contract, or a report's sign-off. */
const sentEnvelope = z.union([envelopeSchema, reportSignOff]);

/** What `POST /v1/events` accepts as JSON: one envelope or a list (NDJSON: one per line). */
export const eventsBody = z.union([sentEnvelope, z.array(sentEnvelope)]);
