import { DomainError } from '../errors.js';
import { bacKan423of2024 } from './bac-kan-423-2024.js';
import type { Plan, PlanIndicator } from './schema.js';

/** Every plan the system serves, by code. Adding a plan is adding a data file here. */
export const plans: ReadonlyMap<string, Plan> = new Map([[bacKan423of2024.code, bacKan423of2024]]);

/** The plan with this code, or undefined. */
export const getPlan = (code: string): Plan | undefined => plans.get(code);

/** The indicator of a plan; an unknown code is an error rather than "no target", so a typo is not silent. */
export const indicatorOf = (plan: Plan, code: string): PlanIndicator => {
  const indicator = plan.indicators.find((i) => i.code === code);
  if (indicator === undefined) {
    throw DomainError.field(
      'not-found',
      'indicator',
      `${code} is not an indicator of plan ${plan.code} (${plan.indicators.map((i) => i.code).join(', ')})`,
    );
  }
  return indicator;
};

export interface Target {
  readonly year: number;
  /** The share to reach, 0–1; reached when value ≥ target. */
  readonly target: number;
  /** The date the target is judged on: 31 December of its year. */
  readonly judgedAsOf: string;
}

/** The target of an indicator for a year, or undefined when the plan sets none for that year. */
export const targetFor = (plan: Plan, code: string, year: number): Target | undefined => {
  const target = indicatorOf(plan, code).targets[String(year)];
  return target === undefined ? undefined : { year, target, judgedAsOf: `${year}-12-31` };
};

/** The day a unit's annual report for `year` is due (the plan's day of that year). */
export const reportDueOn = (plan: Plan, year: number): string =>
  `${year}-${String(plan.reportDue.month).padStart(2, '0')}-${String(plan.reportDue.day).padStart(2, '0')}`;
