import { businessDate, identifier } from '@nhagiao/domain';
import * as z from 'zod';
import { decimal } from '../schemas.js';

export const REPORT_FORMATS = ['xlsx', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const year = z.coerce.number().int().min(2000).max(2200);

export const reportsQuery = z.strictObject({
  year: year.describe('The reporting year, e.g. 2025'),
});

export const reportFileParams = z.strictObject({
  unitId: identifier,
  year,
  format: z.enum(REPORT_FORMATS),
});

export const reportFileQuery = z.strictObject({
  asOf: businessDate
    .optional()
    .describe('The roll date the report describes; default 30 June of the year'),
});

export const submissionSchema = z
  .object({
    eventId: z.string(),
    position: decimal,
    recordedAt: z.string(),
    submittedOn: z.string(),
    asOf: z.string(),
    values: z.array(
      z.object({ indicator: z.string(), numerator: z.number(), denominator: z.number() }),
    ),
  })
  .meta({ id: 'ReportSubmission' });

export const reportStatusSchema = z
  .object({
    unitId: z.string(),
    name: z.string(),
    kind: z.string(),
    area: z.string(),
    countsUnder: z.string().describe('The unit it counts under on the due day, after merges'),
    status: z
      .enum(['submitted', 'late', 'missing'])
      .describe(
        'submitted: a report dated (submittedOn) on or before the due day; late: only after it; missing: none',
      ),
    submissions: z.number().int().describe('How many reports the unit recorded for the year'),
    firstSubmittedOn: z.string().nullable(),
    latest: submissionSchema.nullable().describe('The latest submission, when there is one'),
  })
  .meta({ id: 'ReportStatus' });

export const reportsResponse = z
  .object({
    plan: z.string(),
    year: z.number().int(),
    dueOn: z.string(),
    units: z.array(reportStatusSchema),
  })
  .meta({ id: 'ReportStatuses' });
