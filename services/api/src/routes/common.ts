import { type Plan, type PlanIndicator, targetFor } from '@nhagiao/domain';
import { ApiError, errorBodySchema } from '../errors.js';
import type { ApiReadModel } from '../ports.js';

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const commonErrors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  429: errorBodySchema,
  503: errorBodySchema,
} as const;

export const withNotFound = { ...commonErrors, 404: errorBodySchema } as const;

export const indicatorOrThrow = (plan: Plan, code: string): PlanIndicator => {
  const indicator = plan.indicators.find((i) => i.code === code);
  if (indicator === undefined) {
    throw new ApiError(
      404,
      'not-found',
      `${code} is not an indicator of plan ${plan.code} (${plan.indicators.map((i) => i.code).join(', ')})`,
      [{ path: 'code', message: 'unknown indicator' }],
    );
  }
  return indicator;
};

/** The plan's target for the year of `asOf`, or null when it sets none. */
export const targetOn = (plan: Plan, code: string, asOf: string): number | null =>
  targetFor(plan, code, Number(asOf.slice(0, 4)))?.target ?? null;

/** `knownAt` as a position: nothing recorded by then is position -1 (sees nothing). */
export const knownAtPosition = async (
  readModel: ApiReadModel,
  knownAt: string | undefined,
): Promise<bigint | undefined> => {
  if (knownAt === undefined) return undefined;
  const instant = new Date(knownAt).toISOString();
  return (await readModel.positionAt(instant)) ?? -1n;
};
