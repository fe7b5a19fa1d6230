import * as z from 'zod';
import { businessDate, identifier, text } from '../events/primitives.js';
import { TOPICS } from '../events/vocabulary.js';
import type { IndicatorRule } from '../indicators/rule.js';

/** A label in Vietnamese (the language of every report) and English. */
export const bilingual = z.strictObject({ vi: text, en: text });
export type Bilingual = z.infer<typeof bilingual>;

/** A share from 0 to 1 (0.43 is 43 %). */
export const fraction = z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

/** The rule of one indicator; typed as IndicatorRule so the schema and the type cannot drift apart. */
export const indicatorRuleSchema: z.ZodType<IndicatorRule> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('master-or-above') }),
  z.strictObject({
    kind: z.literal('meets-standard'),
    standardVersion: text,
    unitKind: z.literal('college'),
  }),
  z.strictObject({ kind: z.literal('trained'), topic: z.enum(TOPICS), countFrom: businessDate }),
]);

const YEAR = /^\d{4}$/;

export const planIndicatorSchema = z.strictObject({
  code: identifier,
  title: bilingual,
  /** A few words for tables and cards, where the full title does not fit. */
  shortTitle: bilingual,
  rule: indicatorRuleSchema,
  /** Target share by year; each is judged as of that year's 31 December. A year absent has no target. */
  targets: z.record(z.string().regex(YEAR, 'must be a year such as 2025'), fraction),
});

export const planSchema = z
  .strictObject({
    code: identifier,
    title: bilingual,
    legalSource: z.strictObject({
      documentNumber: text,
      date: businessDate,
      issuer: text,
      /** The document the plan implements. */
      implements: text,
    }),
    /** Training counts when completed on or after this date. */
    countFrom: businessDate,
    /** Units report every year before this day (month 1–12, day 1–31). */
    reportDue: z.strictObject({
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(31),
    }),
    indicators: z.array(planIndicatorSchema).min(1, 'must list at least one indicator'),
  })
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    plan.indicators.forEach((indicator, i) => {
      if (seen.has(indicator.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['indicators', i, 'code'],
          message: `${indicator.code} is listed twice`,
        });
      }
      seen.add(indicator.code);
      if (indicator.rule.kind === 'trained' && indicator.rule.countFrom !== plan.countFrom) {
        ctx.addIssue({
          code: 'custom',
          path: ['indicators', i, 'rule', 'countFrom'],
          message: `must be the plan's countFrom ${plan.countFrom}`,
        });
      }
    });
  });

export type PlanIndicator = z.infer<typeof planIndicatorSchema>;
export type Plan = z.infer<typeof planSchema>;
