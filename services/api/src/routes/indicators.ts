import type { FigureRow, Scope } from '@nhagiao/readmodels';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { ALL_ROLES, PERSONAL_DATA_ROLES, keyOf } from '../auth.js';
import type { ServerDeps } from '../ports.js';
import {
  asOfParam,
  explainResponse,
  figuresQuery,
  figuresResponse,
  historyResponse,
  knownAtParam,
  scopeParam,
} from '../schemas.js';
import { toCsv } from '../csv.js';
import {
  commonErrors,
  indicatorOrThrow,
  knownAtPosition,
  targetOn,
  withNotFound,
} from './common.js';

/** Distinct figure queries kept; dashboards ask the same few again and again. */
const CACHE_ENTRIES = 256;

const codeParams = z.strictObject({ code: z.string().max(64) });

export const indicatorRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const { plan, readModel } = deps;
  const today =
    deps.today ?? (() => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' }));
  const r = app.withTypeProvider<ZodTypeProvider>();
  const projection = deps.projections?.[0] ?? 'ledger';
  /** Per query and checkpoint: the rows, and the JSON body once it has been written. */
  const cache = new Map<string, { rows: readonly FigureRow[]; json?: string }>();

  r.get(
    '/v1/indicators',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary:
          "The plan's indicator figures as of a date, by scope (JSON, or CSV with Accept: text/csv)",
        tags: ['indicators'],
        security: [{ apiKey: [] }],
        querystring: figuresQuery,
        response: { 200: figuresResponse, ...commonErrors },
      },
    },
    async (request, reply) => {
      const { by, indicator } = request.query;
      const asOf = request.query.asOf ?? today();
      if (indicator !== undefined) indicatorOrThrow(plan, indicator);
      const knownAt = await knownAtPosition(readModel, request.query.knownAt);
      // Figures change only when the read model's checkpoint moves: cache on it.
      const cacheKey = `${asOf}|${knownAt ?? ''}|${by}|${indicator ?? ''}|${await readModel.checkpoint(projection)}`;
      let cached = cache.get(cacheKey);
      if (cached === undefined) {
        const rows = await readModel.figures({
          indicators: plan.indicators,
          asOf,
          by,
          ...(knownAt === undefined ? {} : { knownAt }),
          ...(indicator === undefined ? {} : { indicator }),
        });
        if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? '');
        cached = { rows };
        cache.set(cacheKey, cached);
      }
      const figures = cached.rows.map((f) => ({ ...f, target: targetOn(plan, f.indicator, asOf) }));
      const csv = request.headers.accept?.includes('text/csv') === true;
      if (!csv && cached.json !== undefined) {
        // A dashboard asks the same figures again and again: send the body written the first time.
        return (reply as FastifyReply).type('application/json; charset=utf-8').send(cached.json);
      }
      if (csv) {
        return (reply as FastifyReply).type('text/csv; charset=utf-8').send(
          toCsv(
            ['indicator', 'scope', 'asOf', 'numerator', 'denominator', 'value', 'target'],
            figures.map((f) => [
              f.indicator,
              f.scope,
              f.asOf,
              f.numerator,
              f.denominator,
              f.value,
              f.target,
            ]),
          ),
        );
      }
      const body = {
        plan: plan.code,
        asOf,
        knownAt: knownAt === undefined ? null : knownAt.toString(),
        by,
        figures,
      };
      // Checked against the response schema once, here, like every other response.
      cached.json = JSON.stringify(figuresResponse.parse(body));
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(cached.json);
    },
  );

  r.get(
    '/v1/indicators/:code/explain',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary:
          'One figure with its numerator and denominator; auditors and admins also get the teachers behind it',
        tags: ['indicators'],
        security: [{ apiKey: [] }],
        params: codeParams,
        querystring: z.strictObject({
          asOf: asOfParam.optional(),
          knownAt: knownAtParam.optional(),
          scope: scopeParam.default('province'),
        }),
        response: { 200: explainResponse, ...withNotFound },
      },
    },
    async (request) => {
      const indicator = indicatorOrThrow(plan, request.params.code);
      const asOf = request.query.asOf ?? today();
      const scope = request.query.scope as Scope;
      const knownAt = await knownAtPosition(readModel, request.query.knownAt);
      const kind =
        scope === 'province'
          ? 'province'
          : (scope.slice(0, scope.indexOf(':')) as 'unit' | 'area' | 'kind');
      const rows = await readModel.figures({
        indicators: plan.indicators,
        asOf,
        by: kind,
        indicator: indicator.code,
        ...(knownAt === undefined ? {} : { knownAt }),
      });
      const row = rows.find((f) => f.scope === scope);
      const numerator = row?.numerator ?? 0;
      const denominator = row?.denominator ?? 0;
      const base = {
        indicator: indicator.code,
        scope,
        asOf,
        knownAt: knownAt === undefined ? null : knownAt.toString(),
        numerator,
        denominator,
        value: denominator === 0 ? null : numerator / denominator,
        target: targetOn(plan, indicator.code, asOf),
      };
      // Which teachers make up a figure is personal data: only auditors and admins see it.
      if (!PERSONAL_DATA_ROLES.includes(keyOf(request).role)) return base;
      const teachers = await readModel.teachersBehind({
        indicators: plan.indicators,
        indicator: indicator.code,
        scope,
        asOf,
        ...(knownAt === undefined ? {} : { knownAt }),
      });
      return { ...base, teachers: teachers.map((t) => ({ ...t })) };
    },
  );

  r.get(
    '/v1/indicators/:code/history',
    {
      config: { roles: PERSONAL_DATA_ROLES },
      schema: {
        summary: 'The delta rows that moved a figure, each naming its event (auditors and admins)',
        tags: ['indicators'],
        security: [{ apiKey: [] }],
        params: codeParams,
        querystring: z.strictObject({
          scope: scopeParam.default('province'),
          knownAt: knownAtParam.optional(),
        }),
        response: { 200: historyResponse, ...withNotFound },
      },
    },
    async (request) => {
      const indicator = indicatorOrThrow(plan, request.params.code);
      const scope = request.query.scope as Scope;
      const knownAt = await knownAtPosition(readModel, request.query.knownAt);
      const rows = await readModel.history({
        indicators: plan.indicators,
        indicator: indicator.code,
        scope,
        ...(knownAt === undefined ? {} : { knownAt }),
      });
      return {
        indicator: indicator.code,
        scope,
        rows: rows.map((h) => ({ ...h, position: h.position.toString() })),
      };
    },
  );
};
