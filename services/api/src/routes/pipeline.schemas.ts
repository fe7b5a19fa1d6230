import { businessDate } from '@nhagiao/domain';
import * as z from 'zod';
import { decimal, scopeParam } from '../schemas.js';

export const pipelineQuery = z.strictObject({
  asOf: businessDate.optional().describe('Valid date YYYY-MM-DD; default: today in Vietnam'),
  scope: scopeParam.default('province'),
});

const teacherIds = z
  .array(z.string())
  .optional()
  .describe('The teachers behind the row; only for auditors and admins (personal data)');

export const studyRowSchema = z
  .object({
    expectedYear: z.number().int().nullable().describe('Year of expectedOn; null when not given'),
    level: z.enum(['master', 'doctorate']),
    studies: z.number().int().describe('Studies under way on asOf'),
    newToMasterOrAbove: z
      .number()
      .int()
      .describe(
        'Teachers whose earliest-expected study this is and who hold no master or doctorate on asOf',
      ),
    teacherIds,
  })
  .meta({ id: 'PipelineStudies' });

export const enrolmentRowSchema = z
  .object({
    topic: z.string(),
    enrolments: z.number().int().describe('Open enrolments in programmes with this topic'),
    teachers: z.number().int().describe('Teachers with at least one such enrolment'),
    notYetTrained: z.number().int().describe('Of those, not counted in trained-<topic> on asOf'),
    teacherIds,
  })
  .meta({ id: 'PipelineEnrolments' });

export const departureRowSchema = z
  .object({
    month: z.string().describe('YYYY-MM of leftOn'),
    teachers: z.number().int(),
    masterOrAbove: z.number().int().describe('Of those, holding a master or doctorate on asOf'),
    trained: z
      .record(z.string(), z.number().int())
      .describe('Of those, counted in trained-<topic> on asOf, by topic'),
    teacherIds,
  })
  .meta({ id: 'PipelineDepartures' });

export const pipelineResponse = z
  .object({
    plan: z.string(),
    asOf: z.string(),
    scope: z.string(),
    knownAt: decimal
      .nullable()
      .describe('The store position the counts reflect (the read model checkpoint)'),
    population: z
      .number()
      .int()
      .describe('Permanent teachers employed on asOf at a unit in scope (the population P)'),
    postgraduate: z.array(studyRowSchema),
    enrolments: z.array(enrolmentRowSchema),
    departures: z.array(departureRowSchema),
  })
  .meta({ id: 'Pipeline' });
