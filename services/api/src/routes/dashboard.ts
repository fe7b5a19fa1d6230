import { businessDate, identifier, targetFor, writesFor } from '@nhagiao/domain';
import {
  type FigureRow,
  type ReadModelStore,
  resolveUnit,
  unitTimelineFrom,
} from '@nhagiao/readmodels';
import {
  PdfUnavailableError,
  ReportError,
  computeAnnualReport,
  defaultAsOf,
  renderReportPdf,
  withoutPersonalData,
} from '@nhagiao/reports';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { ALL_ROLES, PERSONAL_DATA_ROLES, keyOf } from '../auth.js';
import { ApiError, errorBodySchema } from '../errors.js';
import type { ServerDeps } from '../ports.js';
import { knownAtParam } from '../schemas.js';
import { commonErrors, knownAtPosition, withNotFound } from './common.js';
import { mergesOf } from './reach.js';
import { pipelineResponse } from './pipeline.schemas.js';
import { reportFileQuery } from './reports.schemas.js';
import { pipelineCounts } from './pipeline-counts.js';
import { createPipelineSource } from './pipeline-facts.js';

/** Distinct (asOf, knownAt, audience) answers kept per checkpoint. */
const CACHE_ENTRIES = 64;
/** The monthly series starts with the plan's first month. */
const SERIES_FROM = '2024-01';
/** Units listed as furthest behind, per indicator. */
const BEHIND = 3;
const PIPELINE_ROLES = ['reporter', 'auditor', 'admin'];

/** The last day of each month from `from` (YYYY-MM) up to `until`, which ends the list. */
export const monthEnds = (from: string, until: string): string[] => {
  const out: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (let i = 0; i < 1200; i++) {
    const last = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
    if (last >= until) {
      if (`${year}-${String(month).padStart(2, '0')}` <= until.slice(0, 7)) out.push(until);
      return out;
    }
    out.push(last);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
};

/**
 * Teachers the numerator lacks to reach `target` over `denominator`:
 * the smallest n with (numerator + n) / denominator ≥ target (0 when met).
 */
export const teachersShort = (numerator: number, denominator: number, target: number): number => {
  if (denominator <= 0) return 0;
  // A hair below the exact product, so 0.43 × 100 (43.00000000000001) needs 43, not 44.
  const needed = Math.ceil(target * denominator - 1e-9);
  return Math.max(0, needed - numerator);
};

const counts = z.object({
  numerator: z.number().int(),
  denominator: z.number().int(),
  value: z.number().nullable(),
});

const dashboardOverviewResponse = z
  .object({
    plan: z.string(),
    asOf: z.string(),
    knownAt: z
      .string()
      .regex(/^(-1|\d+)$/)
      .nullable()
      .describe(
        'The store position "as known at" resolved to, if given; -1 when nothing was recorded by then (every figure 0)',
      ),
    indicators: z.array(
      z.object({
        code: z.string(),
        figure: counts.describe('The province figure on asOf (as known at knownAt, if given)'),
        corrected: counts
          .nullable()
          .describe('With knownAt: the same figure as known now, else null'),
        targets: z.array(
          z.object({
            year: z.number().int(),
            target: z.number(),
            judgedAsOf: z.string(),
            shortNow: z
              .number()
              .int()
              .describe('Teachers the province numerator lacks on asOf to reach the target'),
            result: counts
              .extend({
                met: z.boolean().nullable(),
                short: z.number().int().describe('Teachers it lacked on judgedAsOf'),
              })
              .nullable()
              .describe('Once judgedAsOf ≤ asOf: the judged result on judgedAsOf; else null'),
          }),
        ),
        series: z
          .array(counts.extend({ date: z.string() }))
          .describe('The province figure at each month end from 01/2024 to asOf (asOf last)'),
        behind: z
          .array(
            counts.extend({
              unitId: z.string(),
              name: z.string(),
              short: z.number().int(),
            }),
          )
          .describe(
            'The units lacking the most teachers against the next target to be judged (at most 3)',
          ),
      }),
    ),
    pipeline: pipelineResponse
      .nullable()
      .describe(
        'What GET /v1/pipeline gives for the province on asOf (counts only, never teacher ids), for reporters, auditors and admins; else null',
      ),
  })
  .meta({ id: 'DashboardOverview' });

const dashboardUnitResponse = z
  .object({
    plan: z.string(),
    asOf: z.string(),
    knownAt: z
      .string()
      .regex(/^(-1|\d+)$/)
      .nullable(),
    unit: z.object({
      unitId: z.string(),
      name: z.string(),
      kind: z.string(),
      area: z.string(),
      countsUnder: z.string(),
      countsUnderName: z.string(),
    }),
    indicators: z.array(
      z.object({
        code: z.string(),
        figure: counts,
        target: z
          .object({ year: z.number().int(), target: z.number(), short: z.number().int() })
          .nullable()
          .describe('The next target to be judged (else the last) and the teachers short of it'),
        series: z.array(counts.extend({ date: z.string() })),
        lacking: z
          .array(z.object({ teacherId: z.string(), fullName: z.string().nullable() }))
          .optional()
          .describe('Auditors and admins only: the teachers counted but not meeting it'),
      }),
    ),
    pipeline: pipelineResponse
      .nullable()
      .describe(
        "The unit's pipeline counts (never teacher ids), for reporters, auditors and admins",
      ),
  })
  .meta({ id: 'DashboardUnit' });

type Counts = z.infer<typeof counts>;

const countsOf = (row: FigureRow | undefined): Counts => ({
  numerator: row?.numerator ?? 0,
  denominator: row?.denominator ?? 0,
  value: row?.value ?? null,
});

/**
 * `GET /v1/dashboard/overview`: what the dashboard's first screen shows, in one
 * answer — each indicator's province figure, its judged results for targets
 * whose date has passed, the monthly series for the trend, the teachers short
 * of each target, the units furthest behind, and the pipeline counts the
 * second forecast method moves the figure by. Estimates are not made here: the
 * page computes them from these facts with the method it writes out.
 */
export const dashboardRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const { plan, readModel } = deps;
  const today =
    deps.today ?? (() => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' }));
  const projection = deps.projections?.[0] ?? 'ledger';
  const cache = new Map<string, string>();
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** Figures, or all zeros when "as known at" is before anything was recorded. */
  const figures = async (
    asOf: string,
    by: 'province' | 'unit',
    knownAt: bigint | undefined,
  ): Promise<readonly FigureRow[]> =>
    knownAt === -1n
      ? []
      : readModel.figures({
          indicators: plan.indicators,
          asOf,
          by,
          ...(knownAt === undefined ? {} : { knownAt }),
        });

  // Folded from the log on first use, like /v1/pipeline's own; the dashboard asks here, not there.
  const source = createPipelineSource(deps.store);
  /** The province's pipeline counts on asOf, as known at the checkpoint: counts only, never teacher ids. */
  const pipeline = (asOf: string, checkpoint: bigint | null) =>
    source.at(checkpoint ?? -1n, (snapshot) =>
      pipelineCounts(snapshot, plan, asOf, 'province', false),
    );

  r.get(
    '/v1/dashboard/overview',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary:
          "The dashboard's scorecard in one answer: figures, judged results, monthly series, teachers short, units furthest behind, pipeline counts",
        tags: ['indicators'],
        security: [{ apiKey: [] }],
        querystring: z.strictObject({
          asOf: businessDate
            .optional()
            .describe('Valid date YYYY-MM-DD; default: today in Vietnam'),
          knownAt: knownAtParam.optional(),
        }),
        response: { 200: dashboardOverviewResponse, ...commonErrors },
      },
    },
    async (request, reply) => {
      const asOf = request.query.asOf ?? today();
      const knownAt = await knownAtPosition(readModel, request.query.knownAt);
      const role = keyOf(request).role;
      const withPipeline = PIPELINE_ROLES.includes(role);
      const checkpoint = await readModel.checkpoint(projection);
      const key = `${asOf}|${knownAt ?? ''}|${role}|${checkpoint ?? ''}`;
      let json = cache.get(key);
      if (json === undefined) {
        const dates = monthEnds(SERIES_FROM, asOf);
        const judgedDates = [
          ...new Set(
            plan.indicators.flatMap((i) =>
              Object.keys(i.targets)
                .map((y) => `${y}-12-31`)
                .filter((d) => d <= asOf),
            ),
          ),
        ];
        const byDate = new Map<string, readonly FigureRow[]>();
        for (const d of new Set([...dates, ...judgedDates, asOf])) {
          byDate.set(d, await figures(d, 'province', knownAt));
        }
        const corrected =
          knownAt === undefined ? undefined : await figures(asOf, 'province', undefined);
        const byUnit = await figures(asOf, 'unit', knownAt);
        const timeline = unitTimelineFrom(await readModel.unitEvents());
        const at = (date: string, code: string) =>
          byDate.get(date)?.find((f) => f.indicator === code);

        const indicators = plan.indicators.map((indicator) => {
          const code = indicator.code;
          const figure = countsOf(at(asOf, code));
          const targets = Object.keys(indicator.targets)
            .map(Number)
            .sort((a, b) => a - b)
            .flatMap((year) => {
              const t = targetFor(plan, code, year);
              if (t === undefined) return [];
              const judged = t.judgedAsOf <= asOf ? countsOf(at(t.judgedAsOf, code)) : null;
              return [
                {
                  year,
                  target: t.target,
                  judgedAsOf: t.judgedAsOf,
                  shortNow: teachersShort(figure.numerator, figure.denominator, t.target),
                  result:
                    judged === null
                      ? null
                      : {
                          ...judged,
                          met: judged.value === null ? null : judged.value >= t.target,
                          short: teachersShort(judged.numerator, judged.denominator, t.target),
                        },
                },
              ];
            });
          const next = targets.find((t) => t.result === null) ?? targets.at(-1);
          const behind =
            next === undefined
              ? []
              : byUnit
                  .filter((f) => f.indicator === code && f.denominator > 0)
                  .map((f) => {
                    const unitId = f.scope.slice('unit:'.length);
                    return {
                      ...countsOf(f),
                      unitId,
                      name: resolveUnit(timeline, unitId, asOf)?.name ?? unitId,
                      short: teachersShort(f.numerator, f.denominator, next.target),
                    };
                  })
                  .filter((u) => u.short > 0)
                  .sort(
                    (a, b) =>
                      b.short - a.short ||
                      (a.value ?? 0) - (b.value ?? 0) ||
                      a.unitId.localeCompare(b.unitId),
                  )
                  .slice(0, BEHIND);
          return {
            code,
            figure,
            corrected:
              corrected === undefined
                ? null
                : countsOf(corrected.find((f) => f.indicator === code)),
            targets,
            series: dates.map((date) => ({ date, ...countsOf(at(date, code)) })),
            behind,
          };
        });
        const body = {
          plan: plan.code,
          asOf,
          knownAt: knownAt === undefined ? null : knownAt.toString(),
          indicators,
          pipeline: withPipeline
            ? {
                plan: plan.code,
                knownAt: checkpoint === null ? null : checkpoint.toString(),
                ...(await pipeline(asOf, checkpoint)),
              }
            : null,
        };
        json = JSON.stringify(dashboardOverviewResponse.parse(body));
        if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? '');
        cache.set(key, json);
      }
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
    },
  );
  r.get(
    '/v1/dashboard/unit',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary:
          'One unit for the dashboard: its figures against the next target, its monthly series, what its teachers lack (counts; names for auditors and admins) and its pipeline',
        tags: ['indicators'],
        security: [{ apiKey: [] }],
        querystring: z.strictObject({
          unitId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
          asOf: businessDate
            .optional()
            .describe('Valid date YYYY-MM-DD; default: today in Vietnam'),
          knownAt: knownAtParam.optional(),
        }),
        response: { 200: dashboardUnitResponse, ...withNotFound },
      },
    },
    async (request, reply) => {
      const asOf = request.query.asOf ?? today();
      const key = keyOf(request);
      const knownAt = await knownAtPosition(readModel, request.query.knownAt);
      const timeline = unitTimelineFrom(await readModel.unitEvents());
      const own = timeline.units.get(request.query.unitId);
      if (own === undefined) {
        throw new ApiError(404, 'not-found', `no unit ${request.query.unitId}`, [
          { path: 'unitId', message: 'unknown unit' },
        ]);
      }
      const mayName = PERSONAL_DATA_ROLES.includes(key.role);
      const checkpoint = await readModel.checkpoint(projection);
      const cacheKey = `unit|${own.unitId}|${asOf}|${knownAt ?? ''}|${key.role}|${checkpoint ?? ''}`;
      let json = cache.get(cacheKey);
      if (json === undefined) {
        const resolved = resolveUnit(timeline, own.unitId, asOf);
        const countsUnder = resolved?.unitId ?? own.unitId;
        const scope = `unit:${countsUnder}` as const;
        const dates = monthEnds(SERIES_FROM, asOf);
        const series = new Map<string, FigureRow[]>();
        for (const d of dates) {
          for (const f of await figures(d, 'unit', knownAt)) {
            if (f.scope !== scope) continue;
            const list = series.get(f.indicator) ?? [];
            list.push(f);
            series.set(f.indicator, list);
          }
        }
        const now = (await figures(asOf, 'unit', knownAt)).filter((f) => f.scope === scope);
        const names = new Map<string, string | null>();
        const nameOf = async (teacherId: string): Promise<string | null> => {
          if (!names.has(teacherId)) {
            let name: string | null = null;
            for await (const e of deps.store.readStream(`teacher-${teacherId}`)) {
              if (e.type === 'TeacherRegistered') name = (e.data as { fullName: string }).fullName;
            }
            names.set(teacherId, name);
          }
          return names.get(teacherId) ?? null;
        };
        const indicators = [];
        for (const indicator of plan.indicators) {
          const figure = countsOf(now.find((f) => f.indicator === indicator.code));
          const years = Object.keys(indicator.targets)
            .map(Number)
            .sort((a, b) => a - b);
          const year = years.find((y) => `${y}-12-31` >= asOf) ?? years.at(-1);
          const t = year === undefined ? undefined : targetFor(plan, indicator.code, year);
          const list = series.get(indicator.code) ?? [];
          let lacking: { teacherId: string; fullName: string | null }[] | undefined;
          if (mayName && knownAt !== -1n) {
            const behind = await readModel.teachersBehind({
              indicators: plan.indicators,
              indicator: indicator.code,
              scope,
              asOf,
              ...(knownAt === undefined ? {} : { knownAt }),
            });
            lacking = [];
            for (const c of behind) {
              if (c.denominator > 0 && c.numerator === 0) {
                lacking.push({ teacherId: c.teacherId, fullName: await nameOf(c.teacherId) });
              }
            }
          }
          indicators.push({
            code: indicator.code,
            figure,
            target:
              t === undefined
                ? null
                : {
                    year: t.year,
                    target: t.target,
                    short: teachersShort(figure.numerator, figure.denominator, t.target),
                  },
            series: dates.map((date) => ({
              date,
              ...countsOf(list.find((f) => f.asOf === date)),
            })),
            ...(lacking === undefined ? {} : { lacking }),
          });
        }
        const body = {
          plan: plan.code,
          asOf,
          knownAt: knownAt === undefined ? null : knownAt.toString(),
          unit: {
            unitId: own.unitId,
            name:
              resolveUnit({ units: new Map([[own.unitId, own]]) }, own.unitId, asOf)?.name ??
              own.unitId,
            kind: own.kind,
            area: resolved?.area ?? '',
            countsUnder,
            countsUnderName: resolved?.name ?? countsUnder,
          },
          indicators,
          pipeline: PIPELINE_ROLES.includes(key.role)
            ? {
                plan: plan.code,
                knownAt: checkpoint === null ? null : checkpoint.toString(),
                ...(await source.at(checkpoint ?? -1n, (snapshot) =>
                  pipelineCounts(snapshot, plan, asOf, scope, false),
                )),
              }
            : null,
        };
        json = JSON.stringify(dashboardUnitResponse.parse(body));
        if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? '');
        cache.set(cacheKey, json);
      }
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
    },
  );
  /** Printed reports per unit, year, as-of and checkpoint: printing takes seconds. */
  const printed = new Map<string, Buffer>();
  r.get(
    '/v1/dashboard/reports/:unitId/:year.pdf',
    {
      config: { roles: ['integrator', 'reporter', 'auditor', 'admin'] },
      schema: {
        summary:
          "A unit's annual report as PDF: the XLSX of /v1/reports/{unitId}/{year}.xlsx printed on A4 by LibreOffice (503 when it is not installed)",
        tags: ['reports'],
        security: [{ apiKey: [] }],
        params: z.strictObject({
          unitId: identifier,
          year: z.coerce.number().int().min(2000).max(2100),
        }),
        querystring: reportFileQuery,
        response: { ...withNotFound, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { unitId, year } = request.params;
      const key = keyOf(request);
      if (
        key.role === 'integrator' &&
        !writesFor(key.units, unitId, await mergesOf(deps.store, [...key.units, unitId]))
      ) {
        throw new ApiError(
          403,
          'forbidden',
          `unit ${unitId} is not one of this key's units, nor merged into one of them`,
        );
      }
      const asOf = request.query.asOf ?? defaultAsOf(year);
      const checkpoint = (await readModel.checkpoint(projection)) ?? -1n;
      // The PDF prints the same report as the XLSX, so it hides the same personal data from a reporter.
      const personal = key.role === 'integrator' || PERSONAL_DATA_ROLES.includes(key.role);
      const cacheKey = `${unitId}|${year}|${asOf}|${checkpoint}|${personal}`;
      let pdf = printed.get(cacheKey);
      if (pdf === undefined) {
        const report = await computeAnnualReport({
          plan,
          readModel: readModel as ReadModelStore,
          store: deps.store,
          unitId,
          year,
          asOf,
          knownAt: checkpoint,
          generatedAt: new Date().toISOString(),
        }).catch((e: unknown) => {
          if (!(e instanceof ReportError)) throw e;
          const unknown = e.message.includes('is not registered');
          throw new ApiError(
            unknown ? 404 : 422,
            unknown ? 'not-found' : 'invalid-state',
            e.message,
            [{ path: 'unitId', message: unknown ? 'unknown unit' : e.message }],
          );
        });
        pdf = await renderReportPdf(personal ? report : withoutPersonalData(report)).catch(
          (e: unknown) => {
            if (e instanceof PdfUnavailableError)
              throw new ApiError(503, 'pdf-unavailable', e.message);
            throw e;
          },
        );
        if (printed.size >= 16) printed.delete(printed.keys().next().value ?? '');
        printed.set(cacheKey, pdf);
      }
      return (reply as FastifyReply)
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="bao-cao-${unitId}-${year}.pdf"`)
        .send(pdf);
    },
  );
};
